/**
 * Shapes of lesson content: as parsed from lessons/NN-slug/{en,ko}.md, and as compiled at build time
 * into the modules the page loads (see vitePlugin.ts). The page only ever sees the compiled form.
 */
import type { Lang } from '../i18n/lang.ts';


/** HTML produced by compile.ts from validated Markdown (raw HTML escaped): the only HTML the page inserts. */
export type SafeHtml = string & { readonly __brand: 'SafeHtml' };

export interface RfcLink {
  label: string;
  href: string;
}

/** A predict-then-reveal question. With no options it asks for a free guess. */
export interface Checkpoint<Text = string> {
  question: Text;
  options: { text: Text; correct: boolean }[];
  answer: Text;
}

export interface StepNarration<Text = string> {
  /** A few words naming the step (plain text), for the step list and the status line. */
  title: string;
  body: Text;
  checkpoints: Checkpoint<Text>[];
}

/** One language of one lesson. `Text` is Markdown when parsed and HTML when compiled. */
export interface LessonDoc<Text = string> {
  title: string;
  summary: string;
  scenario: string;
  rfc: RfcLink[];
  /** Frontmatter `lab: summary`: the lesson quotes the learner's last lab run. */
  quotesLab?: boolean;
  intro: Text;
  steps: Record<string, StepNarration<Text>>;
  tryIt: Text;
}

/** What a lesson's on-demand chunk exports: both languages, HTML already sanitised. */
export interface CompiledLesson {
  slug: string;
  number: number;
  scenario: string;
  docs: Record<Lang, LessonDoc<SafeHtml>>;
}

/** What the home page gets for each lesson: no narration, only names. */
export interface LessonEntry {
  slug: string;
  number: number;
  scenario: string;
  /** Every step id of the lesson's scenario, in teaching order. */
  stepIds: string[];
  title: Record<Lang, string>;
  summary: Record<Lang, string>;
}
