import { describe, expect, it } from 'vitest';
import { ProtocolError, Utf8Validator, isValidUtf8 } from '../../../src/lib/protocol/index.ts';
import { hex, thrown } from './helpers.ts';

describe('Utf8Validator', () => {
  it.each([
    ['ascii', '48 65 6c 6c 6f'],
    ['2-byte', 'c3 a9'],
    ['3-byte', 'e2 82 ac'],
    ['4-byte', 'f0 9f 98 80'],
    ['U+10FFFF', 'f4 8f bf bf'],
    ['U+D7FF (before surrogates)', 'ed 9f bf'],
    ['U+E000 (after surrogates)', 'ee 80 80'],
    ['empty', ''],
  ])('accepts %s', (_name, bytes) => {
    expect(isValidUtf8(hex(bytes))).toBe(true);
  });

  it.each([
    ['a lone continuation byte', '80', 0],
    ['overlong 2-byte (c0)', 'c0 af', 0],
    ['overlong 2-byte (c1)', 'c1 bf', 0],
    ['overlong 3-byte', 'e0 80 af', 1],
    ['overlong 4-byte', 'f0 80 80 af', 1],
    ['UTF-16 surrogate', 'ed a0 80', 1],
    ['above U+10FFFF', 'f4 90 80 80', 1],
    ['f5 lead byte', 'f5 80 80 80', 0],
    ['ff byte', '41 ff', 1],
    ['missing continuation', 'e2 28 a1', 1],
    ['truncated at the end', '41 e2 82', 3],
  ])('rejects %s at byte %#', (_name, bytes, offset) => {
    const v = new Utf8Validator();
    const e = thrown(() => {
      v.push(hex(bytes));
      v.end();
    }) as ProtocolError;
    expect(e.code).toBe('INVALID_UTF8');
    expect(e.closeCode).toBe(1007);
    expect(e.offset).toBe(offset);
  });

  it('carries state across pushes and counts offsets from the first byte', () => {
    const v = new Utf8Validator();
    v.push(hex('41 f0 9f'));
    expect(v.complete).toBe(false);
    v.push(hex('98'));
    v.push(hex('80 42'));
    expect(v.complete).toBe(true);
    const e = thrown(() => v.push(hex('43 c3 41'))) as ProtocolError;
    expect(e.offset).toBe(8);
  });
});
