/**
 * Parses one lesson file into frontmatter and narration sections, without rendering any Markdown.
 *
 * The format (documented in README.md, "Writing a lesson"):
 *
 *   ---
 *   title: One line
 *   summary: One line
 *   scenario: an id from src/lib/scenarios/registry.ts
 *   rfc:
 *     - Label | https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 *   ---
 *   Optional introduction.
 *   ## step: <step id>          one per step id of the scenario
 *   Narration.
 *   ### checkpoint              optional, any number per step
 *   The question, then options `- [ ] wrong` / `- [x] right` (none: a free guess).
 *   ### answer                  required after each checkpoint
 *   The answer and why.
 *   ## try-it                   required: the note on running the exchange for real
 */
import type { Checkpoint, LessonDoc, RfcLink, StepNarration } from './types.ts';

export interface LessonProblem {
  file: string;
  step?: string;
  message: string;
}

export function formatProblem(problem: LessonProblem): string {
  return `${problem.file}${problem.step ? ` [step: ${problem.step}]` : ''}: ${problem.message}`;
}

/** A parsed file: the document (in Markdown) plus the order in which step sections appeared. */
export interface ParsedFile {
  doc: LessonDoc;
  stepOrder: string[];
}

const FRONTMATTER_KEYS = ['title', 'summary', 'scenario', 'rfc', 'lab'] as const;
/** The specs a lesson may cite: an RFC section, or a WHATWG living standard's section. */
const RFC_HREF =
  /^https:\/\/(www\.rfc-editor\.org\/rfc\/rfc\d{4}(\.html)?(#section-\d+(\.\d+)*)?|(html|websockets|fetch)\.spec\.whatwg\.org\/(multipage\/[a-z-]+\.html)?(#[a-z0-9-]+)?)$/;
/** `## step: <id> | <title>`: the title names the step in the step list and the status line. */
const STEP_HEADING = /^##\s+step:\s*([^\s|]*)\s*(?:\|\s*(.*?))?\s*$/;
const TRY_IT_HEADING = /^##\s+try-it\s*$/;
const OPTION = /^[-*]\s+\[( |x|X)\]\s+(.+)$/;

export function parseLessonFile(file: string, text: string, problems: LessonProblem[]): ParsedFile | null {
  const report = (message: string, step?: string): void => {
    problems.push({ file, message, ...(step ? { step } : {}) });
  };
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[0]?.trim() !== '---') {
    report('missing frontmatter: the file must start with a line "---"');
    return null;
  }
  const end = lines.indexOf('---', 1);
  if (end < 0) {
    report('unterminated frontmatter: no closing "---" line');
    return null;
  }
  const front = parseFrontmatter(lines.slice(1, end), report);
  if (!front) return null;

  const doc: LessonDoc = { ...front, intro: '', steps: {}, tryIt: '' };
  const stepOrder: string[] = [];
  let section: { kind: 'intro' } | { kind: 'step'; id: string; title: string } | { kind: 'try-it' } = {
    kind: 'intro',
  };
  let buffer: string[] = [];
  let sawTryIt = false;
  let fenced = false;

  const flush = (): void => {
    const body = buffer.join('\n').trim();
    buffer = [];
    if (section.kind === 'intro') doc.intro = body;
    else if (section.kind === 'try-it') doc.tryIt = body;
    else {
      const narration = splitCheckpoints(body, (message) => report(message, section.kind === 'step' ? section.id : undefined));
      doc.steps[section.id] = { title: section.title, ...narration };
      if (!narration.body) report('empty narration', section.id);
    }
  };

  for (const line of lines.slice(end + 1)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const step = fenced ? null : STEP_HEADING.exec(line);
    if (step) {
      flush();
      const id = step[1] ?? '';
      const title = step[2] ?? '';
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) report(`malformed step heading "${line.trim()}"`);
      if (!title) report('missing step title: write "## step: <id> | <title>"', id);
      if (sawTryIt) report('step sections must come before "## try-it"', id);
      if (id in doc.steps || stepOrder.includes(id)) report('duplicate step section', id);
      stepOrder.push(id);
      section = { kind: 'step', id, title };
      continue;
    }
    if (!fenced && TRY_IT_HEADING.test(line)) {
      flush();
      if (sawTryIt) report('duplicate "## try-it" section');
      sawTryIt = true;
      section = { kind: 'try-it' };
      continue;
    }
    if (!fenced && /^##\s/.test(line)) {
      report(`unknown section heading "${line.trim()}" (expected "## step: <id>" or "## try-it")`);
      continue;
    }
    buffer.push(line);
  }
  flush();
  if (!sawTryIt || !doc.tryIt) report('missing or empty "## try-it" section');
  return { doc, stepOrder };
}

function parseFrontmatter(
  lines: string[],
  report: (message: string) => void,
): Omit<LessonDoc, 'intro' | 'steps' | 'tryIt'> | null {
  const values: Record<string, string> = {};
  const rfc: RfcLink[] = [];
  let inRfc = false;
  for (const raw of lines) {
    if (!raw.trim()) continue;
    const item = /^\s+-\s+(.+?)\s*\|\s*(\S+)\s*$/.exec(raw);
    if (inRfc && item) {
      const [, label, href] = item as unknown as [string, string, string];
      if (!RFC_HREF.test(href))
        report(`frontmatter rfc: "${href}" is neither an rfc-editor.org RFC link nor a WHATWG standard's`);
      rfc.push({ label, href });
      continue;
    }
    const pair = /^([a-z]+):\s*(.*)$/.exec(raw);
    if (!pair) {
      report(`frontmatter: cannot read line "${raw.trim()}"`);
      continue;
    }
    const [, key, value] = pair as unknown as [string, string, string];
    if (!(FRONTMATTER_KEYS as readonly string[]).includes(key)) {
      report(`frontmatter: unknown key "${key}"`);
      continue;
    }
    inRfc = key === 'rfc';
    if (!inRfc) values[key] = value.trim();
  }
  let ok = true;
  for (const key of ['title', 'summary', 'scenario'] as const) {
    if (!values[key]) {
      report(`frontmatter: missing "${key}"`);
      ok = false;
    }
  }
  if (rfc.length === 0) {
    report('frontmatter: "rfc" needs at least one "- Label | https://www.rfc-editor.org/..." line');
    ok = false;
  }
  if (values.lab !== undefined && values.lab !== 'summary') {
    report('frontmatter: "lab" may only be "summary" (quote the last lab run)');
    ok = false;
  }
  if (!ok) return null;
  return {
    title: values.title!,
    summary: values.summary!,
    scenario: values.scenario!,
    rfc,
    ...(values.lab === 'summary' ? { quotesLab: true } : {}),
  };
}

function splitCheckpoints(markdown: string, report: (message: string) => void): Omit<StepNarration, 'title'> {
  const parts = markdown.split(/^###\s+(checkpoint|answer)\s*$/m);
  const body = (parts[0] ?? '').trim();
  const checkpoints: Checkpoint[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const marker = parts[i];
    const content = (parts[i + 1] ?? '').trim();
    if (marker === 'checkpoint') {
      const options: Checkpoint['options'] = [];
      const question = content
        .split('\n')
        .filter((line) => {
          const option = OPTION.exec(line.trim());
          if (option) options.push({ text: option[2]!.trim(), correct: option[1] !== ' ' });
          return !option;
        })
        .join('\n')
        .trim();
      if (!question) report('checkpoint without a question');
      if (options.length === 1) report('a checkpoint needs two or more options, or none for a free guess');
      if (options.length > 1 && !options.some((option) => option.correct))
        report('checkpoint options: mark the right one with "- [x]"');
      checkpoints.push({ question, options, answer: '' });
    } else {
      const last = checkpoints[checkpoints.length - 1];
      if (!last || last.answer) report('"### answer" without a "### checkpoint" before it');
      else if (!content) report('empty "### answer"');
      else last.answer = content;
    }
  }
  for (const checkpoint of checkpoints) {
    if (!checkpoint.answer && checkpoint.question) report('checkpoint without an "### answer"');
  }
  return { body, checkpoints };
}
