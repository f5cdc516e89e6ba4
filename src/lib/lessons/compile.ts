/**
 * Renders validated lessons to HTML at build time with `marked`. Raw HTML in a lesson source is escaped,
 * never passed through, so the page may insert the output as trusted markup: the only tags in it are the
 * ones Markdown itself produces, and validate.ts has already refused images and unsafe link targets.
 */
import { Marked } from 'marked';
import type { CompiledLesson, LessonDoc, LessonEntry, SafeHtml } from './types.ts';
import type { ValidLesson } from './validate.ts';
import { findSpec } from '../scenarios/specs.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const markdown = new Marked({
  gfm: true,
  tokenizer: {
    // No strikethrough: Korean writes ranges as 3000~3999, which GFM would turn into <del>.
    del() {
      return undefined;
    },
  },
  renderer: {
    // Raw HTML in a lesson is shown as text: lessons are Markdown only.
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

export function renderBlock(source: string): SafeHtml {
  return (source ? (markdown.parse(source, { async: false }) as string).trim() : '') as SafeHtml;
}

export function renderInline(source: string): SafeHtml {
  return markdown.parseInline(source, { async: false }) as SafeHtml;
}

function renderDoc(doc: LessonDoc): LessonDoc<SafeHtml> {
  const steps: LessonDoc<SafeHtml>['steps'] = {};
  for (const [id, narration] of Object.entries(doc.steps)) {
    steps[id] = {
      title: narration.title,
      body: renderBlock(narration.body),
      checkpoints: narration.checkpoints.map((checkpoint) => ({
        question: renderBlock(checkpoint.question),
        options: checkpoint.options.map((option) => ({ text: renderInline(option.text), correct: option.correct })),
        answer: renderBlock(checkpoint.answer),
      })),
    };
  }
  return {
    title: doc.title,
    summary: doc.summary,
    scenario: doc.scenario,
    rfc: doc.rfc,
    ...(doc.quotesLab ? { quotesLab: true } : {}),
    intro: renderBlock(doc.intro),
    steps,
    tryIt: renderBlock(doc.tryIt),
  };
}

export function compileLesson(lesson: ValidLesson): CompiledLesson {
  return {
    slug: lesson.slug,
    number: lesson.number,
    scenario: lesson.scenario,
    docs: { en: renderDoc(lesson.docs.en), ko: renderDoc(lesson.docs.ko) },
  };
}

export function lessonEntry(lesson: ValidLesson): LessonEntry {
  return {
    slug: lesson.slug,
    number: lesson.number,
    scenario: lesson.scenario,
    stepIds: [...findSpec(lesson.scenario)!.steps],
    title: { en: lesson.docs.en.title, ko: lesson.docs.ko.title },
    summary: { en: lesson.docs.en.summary, ko: lesson.docs.ko.summary },
  };
}
