/**
 * Hex in and out for the byte inspector's paste box. parseHex is deliberately forgiving about layout
 * (spaces, commas, 0x prefixes, newlines, Wireshark/xxd hexdump lines with offsets and an ASCII
 * column) and strict about content: an odd digit count or a non-hex character is an error that names
 * the line, column and character.
 */
import { HexParseError, type HexFault } from './errors.ts';

export function toHex(bytes: Uint8Array, separator = ' '): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += separator;
    out += bytes[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

const HEX = /^[0-9a-fA-F]$/;
// A hexdump line: an offset (4+ hex digits, optional colon), two spaces or a colon, then byte groups,
// optionally followed by an ASCII column that we must not read as hex.
const OFFSET_LINE = /^(\s*)([0-9a-fA-F]{4,8}):?(?=\s)/;

function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function fail(text: string, index: number, what: string, reason: HexFault): never {
  const { line, column } = position(text, index);
  throw new HexParseError(`${what} at line ${line}, column ${column}`, index, line, column, reason);
}

/** Parse the hex of one line (text[start, end)) into `out`; in a dump, stop at the ASCII column. */
function parseLine(text: string, start: number, end: number, out: number[], dump: boolean): void {
  let i = start;
  let digits = '';
  let digitsStart = start;
  const before = out.length;
  const flush = (at: number): void => {
    if (digits.length % 2 !== 0)
      fail(text, at, `Odd number of hex digits in "${digits}"`, { kind: 'odd-digits', text: digits });
    for (let k = 0; k < digits.length; k += 2) out.push(parseInt(digits.slice(k, k + 2), 16));
    digits = '';
  };
  while (i < end) {
    const ch = text[i]!;
    if (ch === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && digits === '') {
      i += 2;
      digitsStart = i;
      continue;
    }
    if (HEX.test(ch)) {
      if (digits === '') digitsStart = i;
      digits += ch;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === ',' || ch === ':' || ch === '\r' || ch === ';') {
      // In a hexdump, two or more spaces after the byte groups start the ASCII column.
      if (
        dump &&
        ch === ' ' &&
        text[i + 1] === ' ' &&
        (digits !== '' || out.length > before) &&
        lineHasAsciiColumn(text, i, end)
      ) {
        if (digits !== '') flush(digitsStart);
        return;
      }
      if (digits !== '') flush(digitsStart);
      i++;
      continue;
    }
    if (dump && out.length > before) return; // ASCII column without double spacing (xxd style)
    fail(text, i, `Not a hex digit: "${ch}"`, { kind: 'not-hex', text: ch });
  }
  if (digits !== '') flush(digitsStart);
}

function lineHasAsciiColumn(text: string, i: number, end: number): boolean {
  // After a run of 2+ spaces in a dump line, whatever follows is the ASCII rendering when it is not
  // just more 2-digit groups.
  const restOfLine = text.slice(i, end).trim();
  return restOfLine !== '' && !/^([0-9a-fA-F]{2,4}\s+)*[0-9a-fA-F]{2,4}$/.test(restOfLine);
}

/**
 * A paste is a hexdump when every non-empty line starts with an offset (4-8 hex digits, optional colon,
 * then whitespace), the first offset is 0 and the offsets increase. "8185 37fa" alone is not a dump.
 */
function looksLikeDump(lines: string[]): boolean {
  let previous = -1;
  let count = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const m = OFFSET_LINE.exec(line);
    if (!m) return false;
    const value = parseInt(m[2]!, 16);
    if (count === 0 ? value !== 0 : value <= previous) return false;
    previous = value;
    count++;
  }
  return count > 0;
}

/** Parse pasted hex into bytes; throws HexParseError naming the position of the first problem. */
export function parseHex(text: string): Uint8Array {
  const out: number[] = [];
  const lines = text.split('\n');
  const dump = looksLikeDump(lines);
  let lineStart = 0;
  for (const line of lines) {
    const lineEnd = lineStart + line.length;
    const m = dump ? OFFSET_LINE.exec(line) : null;
    parseLine(text, m ? lineStart + m[0].length : lineStart, lineEnd, out, dump);
    lineStart = lineEnd + 1;
  }
  return Uint8Array.from(out);
}
