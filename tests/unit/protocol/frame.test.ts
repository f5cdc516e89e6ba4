import { describe, expect, it } from 'vitest';
import {
  Opcode,
  ProtocolError,
  decodeFrame,
  encodeFrame,
  parseExtendedLength,
  parseHeader,
  parseMaskKey,
  parsePayload,
  toHex,
  type DecodeOptions,
} from '../../../src/lib/protocol/index.ts';
import { ascii, hex, text, thrown } from './helpers.ts';

const MASK = hex('37 fa 21 3d');

describe('RFC 6455 section 5.7 examples', () => {
  const fixtures: Array<{
    name: string;
    bytes: string;
    opcode: number;
    fin: boolean;
    payload: Uint8Array;
    mask?: Uint8Array;
  }> = [
    {
      name: 'single-frame unmasked text',
      bytes: '81 05 48 65 6c 6c 6f',
      opcode: Opcode.Text,
      fin: true,
      payload: ascii('Hello'),
    },
    {
      name: 'single-frame masked text',
      bytes: '81 85 37 fa 21 3d 7f 9f 4d 51 58',
      opcode: Opcode.Text,
      fin: true,
      payload: ascii('Hello'),
      mask: MASK,
    },
    {
      name: 'first fragment "Hel"',
      bytes: '01 03 48 65 6c',
      opcode: Opcode.Text,
      fin: false,
      payload: ascii('Hel'),
    },
    {
      name: 'last fragment "lo"',
      bytes: '80 02 6c 6f',
      opcode: Opcode.Continuation,
      fin: true,
      payload: ascii('lo'),
    },
    {
      name: 'unmasked ping "Hello"',
      bytes: '89 05 48 65 6c 6c 6f',
      opcode: Opcode.Ping,
      fin: true,
      payload: ascii('Hello'),
    },
    {
      name: 'masked pong "Hello"',
      bytes: '8a 85 37 fa 21 3d 7f 9f 4d 51 58',
      opcode: Opcode.Pong,
      fin: true,
      payload: ascii('Hello'),
      mask: MASK,
    },
  ];

  it.each(fixtures)('decodes $name', ({ bytes, opcode, fin, payload, mask }) => {
    const input = hex(bytes);
    const result = decodeFrame(input);
    expect(result).not.toBeNull();
    expect(result!.bytesUsed).toBe(input.length);
    expect(result!.frame).toMatchObject({
      opcode,
      fin,
      rsv: 0,
      masked: mask !== undefined,
      payloadLength: payload.length,
    });
    expect(result!.frame.payload).toEqual(payload);
    expect(result!.frame.maskKey).toEqual(mask);
  });

  it.each(fixtures)('encodes $name to the exact bytes', ({ bytes, opcode, fin, payload, mask }) => {
    expect(toHex(encodeFrame({ opcode, fin, payload, mask }))).toBe(toHex(hex(bytes)));
  });

  it('256 bytes of binary use the 16-bit length: 82 7E 0100', () => {
    const payload = new Uint8Array(256).map((_, i) => i);
    const bytes = encodeFrame({ opcode: Opcode.Binary, payload });
    expect(toHex(bytes.subarray(0, 4))).toBe('82 7e 01 00');
    expect(bytes.length).toBe(4 + 256);
    const { frame, bytesUsed } = decodeFrame(bytes)!;
    expect(bytesUsed).toBe(260);
    expect(frame.payload).toEqual(payload);
  });

  it('64 KiB of binary use the 64-bit length: 82 7F 0000000000010000', () => {
    const payload = new Uint8Array(65536).map((_, i) => (i * 7) & 0xff);
    const bytes = encodeFrame({ opcode: Opcode.Binary, payload });
    expect(toHex(bytes.subarray(0, 10), '')).toBe('827f0000000000010000');
    const { frame, bytesUsed } = decodeFrame(bytes)!;
    expect(bytesUsed).toBe(10 + 65536);
    expect(frame.payload).toEqual(payload);
  });

  it('the fragmented "Hello" decodes as two frames back to back', () => {
    const stream = hex('01 03 48 65 6c 80 02 6c 6f');
    const first = decodeFrame(stream)!;
    const second = decodeFrame(stream, first.bytesUsed)!;
    expect(text(first.frame.payload) + text(second.frame.payload)).toBe('Hello');
    expect(first.bytesUsed + second.bytesUsed).toBe(stream.length);
  });
});

describe('length encoding boundaries (section 5.2: always the shortest form)', () => {
  it.each([
    [0, 2, 0],
    [125, 2, 125],
    [126, 4, 126],
    [65535, 4, 126],
    [65536, 10, 127],
  ])('a payload of %i bytes has a %i-byte header, 7-bit field %i', (length, headerSize, field) => {
    for (const mask of [undefined, MASK]) {
      const bytes = encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(length).fill(0xab), mask });
      expect(bytes.length).toBe(headerSize + (mask ? 4 : 0) + length);
      expect(bytes[1]! & 0x7f).toBe(field);
      const { frame, bytesUsed } = decodeFrame(bytes)!;
      expect(bytesUsed).toBe(bytes.length);
      expect(frame.payloadLength).toBe(length);
      expect(frame.payload.every((b) => b === 0xab)).toBe(true);
    }
  });

  it('does not modify the input when unmasking', () => {
    const bytes = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const copy = bytes.slice();
    decodeFrame(bytes);
    expect(bytes).toEqual(copy);
  });

  it('unmasks long payloads word-wise at any offset and length', () => {
    for (const length of [31, 32, 33, 34, 35, 1000, 4097, 70001]) {
      const payload = new Uint8Array(length).map((_, i) => (i * 31 + 7) & 0xff);
      const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: hex('01 80 ff 3c') });
      for (const pad of [0, 1, 3]) {
        const input = new Uint8Array(pad + frame.length);
        input.set(frame, pad);
        expect(decodeFrame(input, pad)!.frame.payload).toEqual(payload);
      }
    }
  });
});

describe('incomplete input asks for more (null)', () => {
  const full = encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(300), mask: MASK });
  it('returns null for every strict prefix and the frame for the whole', () => {
    for (let n = 0; n < full.length; n++) expect(decodeFrame(full.subarray(0, n))).toBeNull();
    expect(decodeFrame(full)).not.toBeNull();
  });
});

type Rule = {
  rule: string;
  bytes: string;
  code: string;
  closeCode: number;
  section: string;
  offset?: number;
  options?: DecodeOptions;
};

describe('every rule of sections 5.1, 5.2, 5.5, 7.4 and 10.4 rejects its input', () => {
  const rules: Rule[] = [
    {
      rule: 'RSV1 set without extension',
      bytes: 'c1 00',
      code: 'RSV_SET',
      closeCode: 1002,
      section: '5.2',
      offset: 0,
    },
    { rule: 'RSV2 set', bytes: 'a1 00', code: 'RSV_SET', closeCode: 1002, section: '5.2', offset: 0 },
    { rule: 'RSV3 set', bytes: '91 00', code: 'RSV_SET', closeCode: 1002, section: '5.2', offset: 0 },
    {
      rule: 'RSV1 set when only RSV3 is allowed',
      bytes: 'c1 00',
      code: 'RSV_SET',
      closeCode: 1002,
      section: '5.2',
      options: { allowRsv: 1 },
    },
    ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op) => ({
      rule: `reserved opcode 0x${op.toString(16)}`,
      bytes: `${(0x80 | op).toString(16)} 00`,
      code: 'RESERVED_OPCODE',
      closeCode: 1002,
      section: '5.2',
      offset: 0,
    })),
    {
      rule: 'fragmented ping',
      bytes: '09 00',
      code: 'CONTROL_FRAGMENTED',
      closeCode: 1002,
      section: '5.5',
      offset: 0,
    },
    { rule: 'fragmented close', bytes: '08 00', code: 'CONTROL_FRAGMENTED', closeCode: 1002, section: '5.5' },
    { rule: 'fragmented pong', bytes: '0a 00', code: 'CONTROL_FRAGMENTED', closeCode: 1002, section: '5.5' },
    {
      rule: 'ping with 126 bytes',
      bytes: '89 7e 00 7e',
      code: 'CONTROL_TOO_LONG',
      closeCode: 1002,
      section: '5.5',
      offset: 1,
    },
    {
      rule: 'close with 64-bit length',
      bytes: '88 7f 00 00 00 00 00 01 00 00',
      code: 'CONTROL_TOO_LONG',
      closeCode: 1002,
      section: '5.5',
    },
    {
      rule: '16-bit length used for 125',
      bytes: '82 7e 00 7d',
      code: 'NON_MINIMAL_LENGTH',
      closeCode: 1002,
      section: '5.2',
      offset: 2,
    },
    {
      rule: '16-bit length used for 0',
      bytes: '82 7e 00 00',
      code: 'NON_MINIMAL_LENGTH',
      closeCode: 1002,
      section: '5.2',
    },
    {
      rule: '64-bit length used for 65535',
      bytes: '82 7f 00 00 00 00 00 00 ff ff',
      code: 'NON_MINIMAL_LENGTH',
      closeCode: 1002,
      section: '5.2',
      offset: 2,
    },
    {
      rule: '64-bit length with the MSB set',
      bytes: '82 7f 80 00 00 00 00 00 00 00',
      code: 'LENGTH_MSB_SET',
      closeCode: 1002,
      section: '5.2',
      offset: 2,
    },
    {
      rule: 'length above 2^53',
      bytes: '82 7f 00 20 00 00 00 00 00 00',
      code: 'MESSAGE_TOO_BIG',
      closeCode: 1009,
      section: '10.4',
    },
    {
      rule: 'payload above maxPayload (7-bit)',
      bytes: '82 0b',
      code: 'MESSAGE_TOO_BIG',
      closeCode: 1009,
      section: '10.4',
      options: { maxPayload: 10 },
    },
    {
      rule: 'payload above maxPayload (16-bit)',
      bytes: '82 7e 01 00',
      code: 'MESSAGE_TOO_BIG',
      closeCode: 1009,
      section: '10.4',
      options: { maxPayload: 255 },
    },
    {
      rule: 'server receives an unmasked frame',
      bytes: '81 05 48 65 6c 6c 6f',
      code: 'UNMASKED_CLIENT_FRAME',
      closeCode: 1002,
      section: '5.1',
      offset: 1,
      options: { requireMask: true },
    },
    {
      rule: 'client receives a masked frame',
      bytes: '81 85 37 fa 21 3d 7f 9f 4d 51 58',
      code: 'MASKED_SERVER_FRAME',
      closeCode: 1002,
      section: '5.1',
      offset: 1,
      options: { requireMask: false },
    },
    {
      rule: 'close body of one byte',
      bytes: '88 01 03',
      code: 'BAD_CLOSE_BODY',
      closeCode: 1002,
      section: '5.5.1',
      offset: 2,
    },
    {
      rule: 'close code 1005 on the wire',
      bytes: '88 02 03 ed',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 1006 on the wire',
      bytes: '88 02 03 ee',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 1015 on the wire',
      bytes: '88 02 03 f7',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 1004 (reserved)',
      bytes: '88 02 03 ec',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 999',
      bytes: '88 02 03 e7',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 1016 (unassigned)',
      bytes: '88 02 03 f8',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 2999',
      bytes: '88 02 0b b7',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close code 5000',
      bytes: '88 02 13 88',
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    },
    {
      rule: 'close reason not UTF-8',
      bytes: '88 04 03 e8 c3 28',
      code: 'INVALID_UTF8',
      closeCode: 1007,
      section: '8.1',
      offset: 5,
    },
  ];

  it.each(rules)('$rule -> $code / $closeCode', ({ bytes, code, closeCode, section, offset, options }) => {
    const e = thrown(() => decodeFrame(hex(bytes), 0, options));
    expect(e).toBeInstanceOf(ProtocolError);
    const pe = e as ProtocolError;
    expect(pe.name).toBe('ProtocolError');
    expect(pe.code).toBe(code);
    expect(pe.closeCode).toBe(closeCode);
    expect(pe.section).toBe(section);
    if (offset !== undefined) expect(pe.offset).toBe(offset);
  });

  it('reports offsets relative to the whole input when decoding at an offset', () => {
    const input = hex('81 00 c1 00');
    const e = thrown(() => decodeFrame(input, 2)) as ProtocolError;
    expect(e.code).toBe('RSV_SET');
    expect(e.offset).toBe(2);
  });

  it('accepts what the rules allow', () => {
    expect(decodeFrame(hex('c1 00'), 0, { allowRsv: 4 })!.frame.rsv).toBe(4);
    expect(decodeFrame(hex('f1 00'), 0, { allowRsv: true })!.frame.rsv).toBe(7);
    expect(decodeFrame(hex('89 7d' + ' 00'.repeat(125)))!.frame.payloadLength).toBe(125);
    expect(decodeFrame(hex('88 00'))!.frame.payloadLength).toBe(0);
    expect(decodeFrame(hex('88 02 0f a0'))!.frame.opcode).toBe(Opcode.Close); // 4000, private use
    expect(decodeFrame(hex('88 02 03 ed'), 0, { validateClose: false })).not.toBeNull();
    expect(decodeFrame(hex('82 0a' + ' 00'.repeat(10)), 0, { maxPayload: 10 })).not.toBeNull();
  });
});

describe('the named parse steps', () => {
  it('walk a masked 16-bit-length frame field by field', () => {
    const payload = new Uint8Array(200).map((_, i) => i);
    const bytes = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
    const header = parseHeader(bytes)!;
    expect(header).toEqual({
      fin: true,
      rsv: 0,
      opcode: 2,
      masked: true,
      length7: 126,
      extendedLengthSize: 2,
    });
    const length = parseExtendedLength(bytes, 2, header)!;
    expect(length).toEqual({ payloadLength: 200, size: 2 });
    const key = parseMaskKey(bytes, 4, header);
    expect(key).toEqual(MASK);
    expect(parsePayload(bytes, 8, 200, key ?? undefined)).toEqual(payload);
  });

  it('return null where bytes are missing and undefined for an absent mask', () => {
    const bytes = hex('02 7e 01');
    const header = parseHeader(bytes)!;
    expect(parseExtendedLength(bytes, 2, header)).toBeNull();
    expect(parseHeader(hex('81'))).toBeNull();
    expect(parseMaskKey(hex('81 05'), 2, parseHeader(hex('81 05'))!)).toBeUndefined();
    expect(parsePayload(hex('81 05 48'), 2, 5, undefined)).toBeNull();
  });

  it('throw the same errors as decodeFrame', () => {
    expect((thrown(() => parseHeader(hex('c1 00'))) as ProtocolError).code).toBe('RSV_SET');
    const header = parseHeader(hex('82 7e 00 10'))!;
    expect((thrown(() => parseExtendedLength(hex('82 7e 00 10'), 2, header)) as ProtocolError).code).toBe(
      'NON_MINIMAL_LENGTH',
    );
  });
});

describe('encodeFrame', () => {
  it('encodes strings as UTF-8 and keeps rsv and fin', () => {
    const bytes = encodeFrame({ opcode: Opcode.Text, payload: 'héllo', fin: false, rsv: 4 });
    expect(bytes[0]).toBe(0x41);
    expect(text(decodeFrame(bytes, 0, { allowRsv: 4 })!.frame.payload)).toBe('héllo');
  });

  it('rejects shapes that cannot be encoded', () => {
    expect(() => encodeFrame({ opcode: 16 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, rsv: 8 })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 1, mask: new Uint8Array(3) })).toThrow(RangeError);
  });
});

describe('Node Buffer input (what the demo server hands over)', () => {
  it('unmasks from a pooled Buffer view without touching it', () => {
    for (const length of [5, 200, 5000]) {
      const payload = new Uint8Array(length).map((_, i) => (i * 13) & 0xff);
      const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
      const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(frame)]);
      const before = Buffer.from(pooled);
      const { frame: decoded } = decodeFrame(pooled, 3)!;
      expect(decoded.payload).toEqual(payload);
      expect(pooled.equals(before)).toBe(true);
    }
  });
});
