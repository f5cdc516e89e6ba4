import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/lib/lessons/parse';
import { validateLessons } from '../../../src/lib/lessons/validate';
import { loadValidLessons, readLessonFiles } from '../../../src/lib/lessons/vitePlugin';
import { SPECS, findSpec } from '../../../src/lib/scenarios/specs';

const root = process.cwd();
const real = readLessonFiles(root);

function problemsOf(files: Record<string, string>): string[] {
  return validateLessons(files).problems.map(formatProblem);
}

/** The real lesson tree with one file changed. */
function withFile(path: string, edit: (text: string) => string | undefined): Record<string, string> {
  const files = { ...real };
  const next = edit(files[path] ?? '');
  if (next === undefined) delete files[path];
  else files[path] = next;
  return files;
}

const HANDSHAKE_KO = 'lessons/03-opening-handshake/ko.md';
const FRAMES_EN = 'lessons/04-frames/en.md';

describe('the lessons in this repository', () => {
  it('are valid', () => {
    expect(problemsOf(real)).toEqual([]);
  });

  it('narrate every step of every scenario in both languages', () => {
    const lessons = loadValidLessons(root);
    expect(lessons.map((l) => l.scenario).sort()).toEqual(SPECS.map((s) => s.id).sort());
    for (const lesson of lessons) {
      for (const lang of ['en', 'ko'] as const) {
        expect(Object.keys(lesson.docs[lang].steps)).toEqual([...findSpec(lesson.scenario)!.steps]);
      }
    }
  });
});

describe('validateLessons rejects', () => {
  it('a missing step, naming file and step', () => {
    const files = withFile(HANDSHAKE_KO, (t) => t.replace('## step: accept-compute', '## step: server-checks-2'));
    const problems = problemsOf(files);
    expect(problems).toContain(
      'lessons/03-opening-handshake/ko.md [step: accept-compute]: missing narration for this step',
    );
    expect(problems).toContain(
      'lessons/03-opening-handshake/ko.md [step: server-checks-2]: unknown step id for scenario "opening-handshake"',
    );
  });

  it('a step without a title', () => {
    const files = withFile(FRAMES_EN, (t) => t.replace('## step: pong | The pong', '## step: pong'));
    expect(problemsOf(files)).toContain(
      'lessons/04-frames/en.md [step: pong]: missing step title: write "## step: <id> | <title>"',
    );
  });

  it('a missing translation file', () => {
    const files = withFile(HANDSHAKE_KO, () => undefined);
    expect(problemsOf(files)).toContain(
      'lessons/03-opening-handshake/ko.md: missing translation: ko.md does not exist',
    );
  });

  it('a checkpoint present in one language only', () => {
    const files = withFile(FRAMES_EN, (t) =>
      t.replace(
        '## step: ping-between | A ping between fragments\n',
        '## step: ping-between | A ping between fragments\n\n### checkpoint\n\nWhy?\n\n### answer\n\nBecause.\n\n',
      ),
    );
    expect(problemsOf(files)).toContain(
      'lessons/04-frames/ko.md [step: ping-between]: missing translation: 0 checkpoint(s) here, 1 in en.md',
    );
  });

  it('a duplicate number, or a first lesson that is not 01 (a later place may be free)', () => {
    const dup: Record<string, string> = { ...real };
    for (const lang of ['en', 'ko']) dup[`lessons/04-frames-again/${lang}.md`] = real[`lessons/04-frames/${lang}.md`]!;
    expect(problemsOf(dup)).toContain('lessons/04-frames-again: numbering duplicate: 04 is also lessons/04-frames');
    const late: Record<string, string> = {};
    for (const [path, text] of Object.entries(real))
      late[path.replace('/01-request-response/', '/00-request-response/')] = text;
    expect(problemsOf(late)).toContain('lessons/00-request-response: numbering must start at 01, found 00');
    // A free place is no problem: the course's numbers are fixed places.
    const gap: Record<string, string> = {};
    for (const [path, text] of Object.entries(real))
      gap[path.replace('/06-http-vs-websocket/', '/12-http-vs-websocket/')] = text;
    expect(problemsOf(gap).filter((p) => p.includes('numbering'))).toEqual([]);
  });

  it('a folder that is not NN-slug', () => {
    const files = { ...real, 'lessons/extra/en.md': real[FRAMES_EN]! };
    expect(problemsOf(files)).toContain('lessons/extra: folder name must be NN-slug, e.g. 01-request-response');
  });

  it('missing or bad frontmatter', () => {
    const noFront = withFile(FRAMES_EN, (t) => t.replace(/^---\n[\s\S]*?\n---\n/, ''));
    expect(problemsOf(noFront)).toContain(
      'lessons/04-frames/en.md: missing frontmatter: the file must start with a line "---"',
    );
    const noTitle = withFile(FRAMES_EN, (t) => t.replace(/^title: .*\n/m, ''));
    expect(problemsOf(noTitle)).toContain('lessons/04-frames/en.md: frontmatter: missing "title"');
    const badScenario = withFile(FRAMES_EN, (t) => t.replace('scenario: frames', 'scenario: framez'));
    expect(problemsOf(badScenario).join('\n')).toMatch(/04-frames\/en\.md: unknown scenario "framez"/);
    const badRfc = withFile(FRAMES_EN, (t) =>
      t.replace('https://www.rfc-editor.org/rfc/rfc6455#section-5.2', 'https://example.com/rfc6455'),
    );
    expect(problemsOf(badRfc)).toContain(
      'lessons/04-frames/en.md: frontmatter rfc: "https://example.com/rfc6455" is neither an rfc-editor.org RFC link nor a WHATWG standard\'s',
    );
  });

  it('a checkpoint without an answer, or with no right option', () => {
    const noAnswer = withFile(FRAMES_EN, (t) =>
      t.replace('## step: pong | The pong\n', '## step: pong | The pong\n\n### checkpoint\n\nWhy?\n\n'),
    );
    expect(problemsOf(noAnswer)).toContain(
      'lessons/04-frames/en.md [step: pong]: checkpoint without an "### answer"',
    );
    const noRight = withFile(FRAMES_EN, (t) => t.replace('- [x] 8', '- [ ] 8'));
    expect(problemsOf(noRight)).toContain(
      'lessons/04-frames/en.md [step: length-64]: checkpoint options: mark the right one with "- [x]"',
    );
  });

  it('images, unsafe links and unknown sections', () => {
    const image = withFile(FRAMES_EN, (t) => t.replace('## step: pong | The pong\n', '## step: pong | The pong\n\n![x](https://e.test/x.png)\n'));
    expect(problemsOf(image)).toContain(
      'lessons/04-frames/en.md [step: pong]: images are not allowed (https://e.test/x.png)',
    );
    const script = withFile(FRAMES_EN, (t) => t.replace('## step: pong | The pong\n', '## step: pong | The pong\n\n[x](javascript:alert(1))\n'));
    expect(problemsOf(script).join('\n')).toMatch(/\[step: pong\]: link "javascript:alert\(1\)" must be https/);
    const heading = withFile(FRAMES_EN, (t) => t.replace('## try-it', '## Try it'));
    expect(problemsOf(heading)).toContain(
      'lessons/04-frames/en.md: unknown section heading "## Try it" (expected "## step: <id>" or "## try-it")',
    );
  });

  it('emphasis that CommonMark leaves unclosed next to Korean text', () => {
    const files = withFile(HANDSHAKE_KO, (t) => t.replace('HTTP/1.1 요청으로', '**HTTP/1.1(에이치티티피)**요청으로'));
    expect(problemsOf(files).join('\n')).toMatch(/03-opening-handshake\/ko\.md: unmatched emphasis/);
  });

  it('a scenario that no lesson narrates', () => {
    // Leave out the last lesson, so that the numbering keeps no gap and only its scenario is orphaned.
    const last = Object.keys(real)
      .map((path) => path.split('/')[1]!)
      .sort()
      .at(-1)!;
    const scenario = /^scenario: (\S+)$/m.exec(real[`lessons/${last}/en.md`]!)![1]!;
    const files = Object.fromEntries(Object.entries(real).filter(([path]) => !path.includes(`/${last}/`)));
    const first = findSpec(scenario)!.steps[0];
    expect(problemsOf(files)).toContain(
      `lessons/ [step: ${first}]: no lesson narrates scenario "${scenario}"`,
    );
  });
});
