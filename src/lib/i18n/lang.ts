/**
 * The course's languages. This folder is the bottom layer: every UI word of every area lives here in
 * both languages, and anything (pages, lab, scenarios, viz, the server) may import it.
 */
export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ko';
}

/** Names of the languages, each in itself, for the language switch. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', ko: '한국어' };
