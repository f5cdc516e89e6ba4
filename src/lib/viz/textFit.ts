/**
 * Text measuring and wrapping for pictures laid out as pure functions: no DOM, so the estimate is by
 * character class, erring wide (DejaVu Sans, a common fallback, is wider than most system UIs) so a
 * line laid out here does not run past its box when drawn.
 */

export type Face = 'sans' | 'mono';

/** Hangul, CJK, kana, full-width forms and emoji take about a full em. */
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u;
const NARROW = /[ il.,:;'|!()[\]{}`ijtfr]/;
const UPPER = /[A-Z@%&#MW]/;

/** Estimated width in px of `text` set at `size` px in `face`. */
export function textWidth(text: string, size: number, face: Face = 'sans'): number {
  let em = 0;
  for (const ch of text) {
    if (WIDE.test(ch)) em += 1;
    else if (face === 'mono') em += 0.62;
    else if (NARROW.test(ch)) em += 0.34;
    else if (UPPER.test(ch)) em += 0.7;
    else em += 0.62;
  }
  return em * size;
}

/** Cuts a word too long for any line into pieces that fit (at least one character each). */
function splitWord(word: string, max: number, size: number, face: Face): string[] {
  const out: string[] = [];
  let piece = '';
  for (const ch of word) {
    if (piece && textWidth(piece + ch, size, face) > max) {
      out.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece) out.push(piece);
  return out;
}

export interface WrapOptions {
  size: number;
  face?: Face;
  /** Width of the first line, when something else (a time stamp) shares it. */
  firstWidth?: number;
  /** At most this many lines; the last one ends in '…' when text is left over. */
  maxLines?: number;
}

/**
 * Breaks `text` into lines no wider than `width` at spaces, cutting words only when one alone is too
 * wide. A line broken at a space keeps that space at its end, so the lines joined give back the text
 * exactly (screen readers and text search see the original).
 */
export function wrapText(text: string, width: number, options: WrapOptions): string[] {
  const { size, face = 'sans', maxLines = Infinity } = options;
  const widthOf = (n: number): number => Math.max(n === 0 ? (options.firstWidth ?? width) : width, size);
  const tokens = text.split(/(?<= )/);
  const lines: string[] = [];
  let line = '';
  const fits = (s: string): boolean => textWidth(s.trimEnd(), size, face) <= widthOf(lines.length);
  for (const token of tokens) {
    if (fits(line + token)) {
      line += token;
      continue;
    }
    if (line) lines.push(line);
    if (fits(token)) {
      line = token;
      continue;
    }
    if (lines.length === 0 && textWidth(token.trimEnd(), size, face) <= width) {
      // Too long only for the shared first line: leave that line to what shares it.
      lines.push('');
      line = token;
      continue;
    }
    const pieces = splitWord(token, widthOf(lines.length), size, face);
    lines.push(...pieces.slice(0, -1));
    line = pieces.at(-1) ?? '';
  }
  if (line || lines.length === 0) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1]!.trimEnd();
  while (last && textWidth(`${last}…`, size, face) > widthOf(maxLines - 1))
    last = [...last].slice(0, -1).join('');
  kept[maxLines - 1] = `${last}…`;
  return kept;
}
