import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  ProtocolError,
  describeCloseCode,
  encodeCloseBody,
  isValidCloseCode,
  parseCloseBody,
} from '../../../src/lib/protocol/index.ts';
import { ascii, hex, thrown } from './helpers.ts';

describe('isValidCloseCode (sections 7.4.1, 7.4.2)', () => {
  const valid = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
  ];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, 1000.5];
  it.each(valid)('%i may be sent', (code) => expect(isValidCloseCode(code)).toBe(true));
  it.each(invalid)('%i must not be sent', (code) => expect(isValidCloseCode(code)).toBe(false));

  it('describes every code with a name and a meaning', () => {
    for (const c of CLOSE_CODES) {
      expect(c.name).not.toBe('');
      expect(c.meaning).not.toBe('');
      expect(isValidCloseCode(c.code)).toBe(c.onWire);
    }
    expect(describeCloseCode(1006).name).toBe('Abnormal Closure');
    expect(describeCloseCode(4321).name).toBe('Private use');
    expect(describeCloseCode(2500).onWire).toBe(false);
  });
});

describe('close bodies (section 5.5.1)', () => {
  it('round-trips code and reason', () => {
    const body = encodeCloseBody(1001, 'going away ✈');
    expect(body.subarray(0, 2)).toEqual(hex('03 e9'));
    expect(parseCloseBody(body)).toEqual({ ok: true, code: 1001, reason: 'going away ✈' });
  });

  it('treats an empty body as no status', () => {
    expect(encodeCloseBody()).toEqual(new Uint8Array(0));
    expect(parseCloseBody(new Uint8Array(0))).toEqual({ ok: true, reason: '' });
  });

  it('allows a reason of exactly 123 bytes and no more', () => {
    expect(encodeCloseBody(1000, 'x'.repeat(123)).length).toBe(125);
    expect((thrown(() => encodeCloseBody(1000, 'x'.repeat(124))) as ProtocolError).code).toBe(
      'CLOSE_REASON_TOO_LONG',
    );
  });

  it.each([
    ['one byte', hex('03'), 'BAD_CLOSE_BODY', 1002],
    ['code 1005', hex('03 ed'), 'INVALID_CLOSE_CODE', 1002],
    ['code 1006', hex('03 ee'), 'INVALID_CLOSE_CODE', 1002],
    ['code 1015', hex('03 f7'), 'INVALID_CLOSE_CODE', 1002],
    [
      'reason over 123 bytes',
      new Uint8Array([0x03, 0xe8, ...ascii('y'.repeat(124))]),
      'CLOSE_REASON_TOO_LONG',
      1002,
    ],
    ['invalid UTF-8 reason', hex('03 e8 ed a0 80'), 'INVALID_UTF8', 1007],
  ])('rejects %s', (_name, payload, code, closeCode) => {
    const result = parseCloseBody(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.closeCode).toBe(closeCode);
    }
  });

  it('refuses to encode codes that must never be sent', () => {
    for (const code of [1005, 1006, 1015, 999]) {
      expect((thrown(() => encodeCloseBody(code)) as ProtocolError).code).toBe('INVALID_CLOSE_CODE');
    }
    expect((thrown(() => encodeCloseBody(undefined, 'why')) as ProtocolError).code).toBe('BAD_CLOSE_BODY');
  });
});
