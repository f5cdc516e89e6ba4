import { describe, expect, it } from 'vitest';
import {
  Opcode,
  annotateFrame,
  annotateFrames,
  annotateHttp,
  encodeCloseBody,
  encodeFrame,
  frameHeaderBits,
  type Field,
} from '../../../src/lib/protocol/index.ts';
import { ascii, hex } from './helpers.ts';

const shape = (fields: Field[]): Array<[string, number, number]> => fields.map((f) => [f.id, f.start, f.end]);

describe('annotateFrame', () => {
  it('labels the masked "Hello" of section 5.7 field by field', () => {
    const fields = annotateFrame(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(shape(fields)).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['mask-len', 1, 2],
      ['mask-key', 2, 6],
      ['payload', 6, 11],
    ]);
    const payload = fields[3]!;
    expect(payload.text).toBe('Hello');
    expect(payload.masked).toEqual(hex('7f 9f 4d 51 58'));
    expect(payload.unmasked).toEqual(ascii('Hello'));
    expect(fields[2]!.value).toBe('37 fa 21 3d');
  });

  it('shows the extended length and splits a close body into code and reason', () => {
    expect(
      shape(annotateFrame(encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(70000) }))),
    ).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['mask-len', 1, 2],
      ['ext-len', 2, 10],
      ['payload', 10, 70010],
    ]);
    const close = annotateFrame(encodeFrame({ opcode: Opcode.Close, payload: encodeCloseBody(1001, 'bye') }));
    expect(shape(close).map((f) => f[0])).toEqual([
      'fin-rsv-opcode',
      'mask-len',
      'close-code',
      'close-reason',
    ]);
    expect(close[2]!.value).toBe(1001);
    expect(close[3]!.text).toBe('bye');
  });

  it('ends an invalid frame with a fault field that carries the error', () => {
    const fields = annotateFrame(hex('89 7e 00 7e'));
    expect(shape(fields)).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['fault', 1, 4],
    ]);
    expect(fields[1]!.error).toMatchObject({ code: 'CONTROL_TOO_LONG', closeCode: 1002 });
    expect(shape(annotateFrame(hex('c1 00')))).toEqual([['fault', 0, 2]]);
    const badClose = annotateFrame(hex('88 02 03 ed'));
    expect(badClose.at(-1)).toMatchObject({ id: 'fault', start: 2, end: 4 });
  });

  it('marks a truncated frame and bytes after the frame', () => {
    expect(shape(annotateFrame(hex('82 7e 01')))).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['mask-len', 1, 2],
      ['truncated', 2, 3],
    ]);
    expect(shape(annotateFrame(hex('81 00 81 00'))).at(-1)).toEqual(['rest', 2, 4]);
  });

  it('annotates back-to-back frames', () => {
    const frames = annotateFrames(hex('01 03 48 65 6c 89 00 80 02 6c 6f'));
    expect(frames.map((f) => [f.status, f.end])).toEqual([
      ['ok', 5],
      ['ok', 7],
      ['ok', 11],
    ]);
  });

  it('applies the role: a server flags an unmasked frame at byte 1', () => {
    const fields = annotateFrame(hex('81 00'), { requireMask: true });
    expect(shape(fields)).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['fault', 1, 2],
    ]);
  });
});

describe('frameHeaderBits', () => {
  it('breaks bytes 0 and 1 into the fields of the section 5.2 diagram', () => {
    const bits = frameHeaderBits(hex('81 85'));
    expect(bits.map((b) => [b.id, b.bitStart, b.bitLength, b.bits])).toEqual([
      ['fin', 0, 1, '1'],
      ['rsv1', 1, 1, '0'],
      ['rsv2', 2, 1, '0'],
      ['rsv3', 3, 1, '0'],
      ['opcode', 4, 4, '0001'],
      ['mask', 8, 1, '1'],
      ['payload-len', 9, 7, '0000101'],
    ]);
    expect(frameHeaderBits(hex('81'))).toHaveLength(5);
  });
});

describe('annotateHttp', () => {
  it('gives one field per line of a request', () => {
    const bytes = ascii('GET /chat HTTP/1.1\r\nHost: a\r\nX: 1\r\nX: 2\r\n\r\n');
    expect(shape(annotateHttp(bytes))).toEqual([
      ['request-line', 0, 20],
      ['header:host', 20, 29],
      ['header:x', 29, 35],
      ['header:x#2', 35, 41],
      ['head-end', 41, 43],
    ]);
  });

  it('annotates a body, chunked framing, trailing bytes and faults', () => {
    expect(shape(annotateHttp(ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'))).at(-1)).toEqual([
      'body',
      38,
      40,
    ]);
    const chunked = annotateHttp(
      ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'),
    );
    expect(chunked.map((f) => f.id).slice(3)).toEqual([
      'chunk-size:0',
      'chunk-data:0',
      'chunk-end:0',
      'last-chunk',
      'trailers-end',
    ]);
    const afterSwitch = annotateHttp(
      new Uint8Array([...ascii('HTTP/1.1 101 Switching Protocols\r\n\r\n'), 0x81, 0x00]),
    );
    expect(afterSwitch.at(-1)).toMatchObject({ id: 'rest', end: 38 });
    const fault = annotateHttp(ascii('GET / HTTP/1.1\r\nHost : a\r\n\r\n'));
    expect(shape(fault)).toEqual([
      ['request-line', 0, 16],
      ['fault', 16, 28],
    ]);
    expect(fault[1]!.error).toMatchObject({ code: 'WHITESPACE_BEFORE_COLON', status: 400 });
  });
});
