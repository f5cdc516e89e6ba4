/**
 * Validates the whole lessons/ tree before anything is compiled. Used by the Vite plugin (a problem fails
 * the build, naming file and step) and by the unit tests. Pure: it gets file contents, not a file system.
 *
 * Checks: folder names NN-slug numbered 01..N without gaps; en.md and ko.md in each; frontmatter complete
 * and the scenario known; every step id of every scenario narrated in both languages and no unknown step
 * ids; checkpoints paired across languages; Markdown free of images and of links other than https, mailto
 * and in-page ones.
 */
import { Lexer, walkTokens, type Token } from 'marked';
import { SPECS, findSpec } from '../scenarios/specs.ts';
import { parseLessonFile, type LessonProblem, type ParsedFile } from './parse.ts';
import { LANGS, type Lang } from '../i18n/lang.ts';
import { type LessonDoc } from './types.ts';

export interface ValidLesson {
  slug: string;
  number: number;
  scenario: string;
  docs: Record<Lang, LessonDoc>;
}

export interface Validation {
  lessons: ValidLesson[];
  problems: LessonProblem[];
}

const FOLDER = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** `files` maps paths like `lessons/01-request-response/en.md` to their text. */
export function validateLessons(files: Record<string, string>): Validation {
  const problems: LessonProblem[] = [];
  const folders = new Map<string, Map<string, string>>();
  for (const [path, text] of Object.entries(files)) {
    const match = /^lessons\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) {
      problems.push({ file: path, message: 'unexpected file: lessons live in lessons/NN-slug/{en,ko}.md' });
      continue;
    }
    const [, folder, name] = match as unknown as [string, string, string];
    if (!folders.has(folder)) folders.set(folder, new Map());
    folders.get(folder)!.set(name, text);
  }

  const numbered: { folder: string; number: number }[] = [];
  for (const folder of folders.keys()) {
    const match = FOLDER.exec(folder);
    if (!match) problems.push({ file: `lessons/${folder}`, message: 'folder name must be NN-slug, e.g. 01-request-response' });
    else numbered.push({ folder, number: Number(match[1]) });
  }
  numbered.sort((a, b) => a.number - b.number || a.folder.localeCompare(b.folder));
  // Each number is a lesson's fixed place in the course, so a later lesson may be written before an
  // earlier one: the numbers start at 01 and each is used once, but may leave a place free.
  const nn = (n: number) => String(n).padStart(2, '0');
  numbered.forEach(({ folder, number }, index) => {
    const before = numbered[index - 1];
    if (index === 0 && number !== 1)
      problems.push({ file: `lessons/${folder}`, message: `numbering must start at 01, found ${nn(number)}` });
    if (before?.number === number)
      problems.push({
        file: `lessons/${folder}`,
        message: `numbering duplicate: ${nn(number)} is also lessons/${before.folder}`,
      });
  });

  const lessons: ValidLesson[] = [];
  const scenarioOwners = new Map<string, string>();
  for (const { folder, number } of numbered) {
    const contents = folders.get(folder)!;
    for (const name of contents.keys()) {
      if (!LANGS.some((lang) => `${lang}.md` === name))
        problems.push({ file: `lessons/${folder}/${name}`, message: 'unexpected file: only en.md and ko.md belong here' });
    }
    const parsed: Partial<Record<Lang, ParsedFile>> = {};
    for (const lang of LANGS) {
      const file = `lessons/${folder}/${lang}.md`;
      const text = contents.get(`${lang}.md`);
      if (text === undefined) {
        problems.push({ file, message: `missing translation: ${lang}.md does not exist` });
        continue;
      }
      const result = parseLessonFile(file, text, problems);
      if (result) parsed[lang] = result;
    }
    const en = parsed.en;
    const ko = parsed.ko;
    if (!en || !ko) continue;
    let ok = true;
    for (const lang of LANGS) {
      const file = `lessons/${folder}/${lang}.md`;
      const { doc, stepOrder } = parsed[lang]!;
      const spec = findSpec(doc.scenario);
      if (!spec) {
        const known = SPECS.map((s) => s.id).join(', ');
        problems.push({ file, message: `unknown scenario "${doc.scenario}" (known: ${known})` });
        ok = false;
        continue;
      }
      for (const id of stepOrder) {
        if (!spec.steps.includes(id)) {
          problems.push({ file, step: id, message: `unknown step id for scenario "${spec.id}"` });
          ok = false;
        }
      }
      for (const id of spec.steps) {
        if (!(id in doc.steps)) {
          problems.push({ file, step: id, message: 'missing narration for this step' });
          ok = false;
        }
      }
      const known = stepOrder.filter((id) => spec.steps.includes(id));
      if (known.join() !== spec.steps.filter((id) => known.includes(id)).join())
        problems.push({ file, message: `step sections out of order; expected ${spec.steps.join(', ')}` });
      checkMarkdown(file, doc, problems);
    }
    if (en.doc.scenario !== ko.doc.scenario) {
      problems.push({
        file: `lessons/${folder}/ko.md`,
        message: `scenario "${ko.doc.scenario}" differs from en.md's "${en.doc.scenario}"`,
      });
      ok = false;
    }
    if (!ok) continue;
    for (const id of findSpec(en.doc.scenario)!.steps) {
      const a = en.doc.steps[id]!.checkpoints;
      const b = ko.doc.steps[id]!.checkpoints;
      if (a.length !== b.length)
        problems.push({
          file: `lessons/${folder}/ko.md`,
          step: id,
          message: `missing translation: ${b.length} checkpoint(s) here, ${a.length} in en.md`,
        });
      a.forEach((checkpoint, i) => {
        if (b[i] && b[i].options.length !== checkpoint.options.length)
          problems.push({
            file: `lessons/${folder}/ko.md`,
            step: id,
            message: `checkpoint ${i + 1} has ${b[i].options.length} options, en.md has ${checkpoint.options.length}`,
          });
      });
    }
    const owner = scenarioOwners.get(en.doc.scenario);
    if (owner)
      problems.push({ file: `lessons/${folder}/en.md`, message: `scenario "${en.doc.scenario}" is already taught by ${owner}` });
    scenarioOwners.set(en.doc.scenario, folder);
    lessons.push({
      slug: folder,
      number,
      scenario: en.doc.scenario,
      docs: { en: en.doc, ko: ko.doc },
    });
  }
  if (problems.length === 0) {
    for (const spec of SPECS) {
      if (!scenarioOwners.has(spec.id))
        problems.push({ file: 'lessons/', step: spec.initial, message: `no lesson narrates scenario "${spec.id}"` });
    }
  }
  return { lessons, problems };
}

/** Every Markdown fragment of a document, labelled with its step for error messages. */
export function fragments(doc: LessonDoc): { step?: string; markdown: string }[] {
  const out: { step?: string; markdown: string }[] = [{ markdown: doc.intro }, { markdown: doc.tryIt }];
  for (const [step, narration] of Object.entries(doc.steps)) {
    out.push({ step, markdown: narration.body });
    for (const checkpoint of narration.checkpoints) {
      out.push({ step, markdown: checkpoint.question }, { step, markdown: checkpoint.answer });
      for (const option of checkpoint.options) out.push({ step, markdown: option.text });
    }
  }
  return out;
}

/** Links may go to https pages or in-page anchors; images are not allowed (the course works offline). */
export function isAllowedHref(href: string): boolean {
  return /^https:\/\/[^\s]+$/.test(href) || /^#[\w/.?=&-]*$/.test(href);
}

function checkMarkdown(file: string, doc: LessonDoc, problems: LessonProblem[]): void {
  for (const { step, markdown } of fragments(doc)) {
    const tokens = Lexer.lex(markdown, { gfm: true });
    walkTokens(tokens, (token: Token) => {
      if (token.type === 'image')
        problems.push({ file, ...(step ? { step } : {}), message: `images are not allowed (${token.href})` });
      // CommonMark does not close `**` between punctuation and a letter, as in `**폴링(polling)**이에요`.
      if (token.type === 'text' && !('tokens' in token && token.tokens) && /\*\*|__/.test(token.text))
        problems.push({ file, ...(step ? { step } : {}), message: `unmatched emphasis in "${token.text.slice(0, 40)}"` });
      if (token.type === 'link' && !isAllowedHref(token.href))
        problems.push({ file, ...(step ? { step } : {}), message: `link "${token.href}" must be https:// or #/...` });
    });
  }
}
