import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  MessageAssembler,
  MessageReader,
  Opcode,
  ProtocolError,
  encodeCloseBody,
  encodeFrame,
  type Frame,
  type WsEvent,
} from '../../../src/lib/protocol/index.ts';
import { ascii, concat, hex, thrown } from './helpers.ts';

const MASK = hex('37 fa 21 3d');

function feed(reader: FrameReader, stream: Uint8Array, chunkSize: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < stream.length; i += chunkSize)
    frames.push(...reader.push(stream.subarray(i, i + chunkSize)));
  return frames;
}

const stream = concat(
  encodeFrame({ opcode: Opcode.Text, payload: 'Hel', fin: false, mask: MASK }),
  encodeFrame({ opcode: Opcode.Ping, payload: 'are you there?', mask: MASK }),
  encodeFrame({ opcode: Opcode.Continuation, payload: 'lo', mask: MASK }),
  encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(70000).map((_, i) => i & 0xff), mask: MASK }),
  encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(300).fill(7), mask: MASK }),
  encodeFrame({ opcode: Opcode.Close, payload: encodeCloseBody(1000, 'bye'), mask: MASK }),
);

describe('FrameReader', () => {
  const whole = new FrameReader({ requireMask: true }).push(stream);

  it('reads every frame of a stream given at once', () => {
    expect(whole.map((f) => f.opcode)).toEqual([1, 9, 0, 2, 2, 8]);
    expect(whole[3]!.payloadLength).toBe(70000);
  });

  it.each([1, 2, 3, 7, 997, 4096, 65536])('gives the same frames for chunks of %i bytes', (size) => {
    const reader = new FrameReader({ requireMask: true });
    const frames = feed(reader, stream, size);
    expect(frames).toEqual(whole);
    expect(reader.buffered).toBe(0);
    expect(reader.consumed).toBe(stream.length);
  });

  it('keeps an unfinished frame and reports where frames start and end', () => {
    const reader = new FrameReader();
    const two = concat(hex('81 02 68 69'), hex('82 03 01 02'));
    const first = reader.pushPositioned(two);
    expect(first.map((p) => [p.start, p.end])).toEqual([[0, 4]]);
    expect(reader.buffered).toBe(4);
    const second = reader.pushPositioned(hex('03'));
    expect(second.map((p) => [p.start, p.end])).toEqual([[4, 9]]);
    expect(second[0]!.frame.payload).toEqual(hex('01 02 03'));
  });

  it('copies payloads out of its own buffer (later input does not change earlier frames)', () => {
    const reader = new FrameReader();
    reader.push(hex('82 03 01'));
    const [frame] = reader.push(hex('02 03'));
    reader.push(hex('82 03 ff ff ff'));
    expect(frame!.payload).toEqual(hex('01 02 03'));
  });

  it('reports errors at their stream offset and stays failed', () => {
    const reader = new FrameReader({ requireMask: true });
    const prefix = encodeFrame({ opcode: Opcode.Text, payload: 'ok', mask: MASK });
    reader.push(prefix);
    const e = thrown(() => reader.push(hex('81 02 6f 6b'))) as ProtocolError;
    expect(e.code).toBe('UNMASKED_CLIENT_FRAME');
    expect(e.offset).toBe(prefix.length + 1);
    expect(reader.error).toBe(e);
    expect(() => reader.push(prefix)).toThrow(ProtocolError);
  });

  it('refuses a frame larger than maxPayload before buffering it', () => {
    const reader = new FrameReader({ maxPayload: 1000 });
    const e = thrown(() => reader.push(hex('82 7e 04 00'))) as ProtocolError;
    expect(e.closeCode).toBe(1009);
  });
});

describe('MessageReader / MessageAssembler (section 5.4 fragmentation)', () => {
  it.each([1, 5, 997, stream.length])(
    'reassembles with control frames between fragments (chunks of %i)',
    (size) => {
      const reader = new MessageReader({ requireMask: true });
      const events: WsEvent[] = [];
      for (let i = 0; i < stream.length; i += size) events.push(...reader.push(stream.subarray(i, i + size)));
      expect(events.map((e) => e.type)).toEqual(['ping', 'message', 'message', 'message', 'close']);
      expect(events[1]).toMatchObject({ type: 'message', text: 'Hello', frames: 2, binary: false });
      expect(events[4]).toEqual({ type: 'close', code: 1000, reason: 'bye', hasCode: true });
    },
  );

  it('reports 1005 for a close frame without a body', () => {
    const a = new MessageAssembler();
    expect(
      a.push({
        fin: true,
        rsv: 0,
        opcode: 8,
        masked: false,
        maskKey: undefined,
        payloadLength: 0,
        payload: new Uint8Array(0),
      }),
    ).toEqual({
      type: 'close',
      code: 1005,
      reason: '',
      hasCode: false,
    });
  });

  const cases: Array<{
    name: string;
    frames: Uint8Array[];
    code: string;
    closeCode: number;
    section: string;
  }> = [
    {
      name: 'continuation with no message',
      frames: [hex('80 02 6c 6f')],
      code: 'UNEXPECTED_CONTINUATION',
      closeCode: 1002,
      section: '5.4',
    },
    {
      name: 'new text message inside a fragmented one',
      frames: [hex('01 03 48 65 6c'), hex('81 02 6c 6f')],
      code: 'EXPECTED_CONTINUATION',
      closeCode: 1002,
      section: '5.4',
    },
    {
      name: 'new binary message inside a fragmented one',
      frames: [hex('02 01 00'), hex('02 01 00')],
      code: 'EXPECTED_CONTINUATION',
      closeCode: 1002,
      section: '5.4',
    },
    {
      name: 'invalid UTF-8 in a single frame',
      frames: [hex('81 02 c3 28')],
      code: 'INVALID_UTF8',
      closeCode: 1007,
      section: '8.1',
    },
    {
      name: 'invalid UTF-8 across fragments',
      frames: [hex('01 01 e2'), hex('80 02 28 a1')],
      code: 'INVALID_UTF8',
      closeCode: 1007,
      section: '8.1',
    },
    {
      name: 'text ending mid-character',
      frames: [hex('01 01 e2'), hex('80 01 82')],
      code: 'INVALID_UTF8',
      closeCode: 1007,
      section: '8.1',
    },
    {
      name: 'message above the size limit',
      frames: [hex('02 03 00 00 00'), hex('80 03 00 00 00')],
      code: 'MESSAGE_TOO_BIG',
      closeCode: 1009,
      section: '10.4',
    },
    {
      name: 'a frame after the close frame',
      frames: [hex('88 02 03 e8'), hex('81 00')],
      code: 'FRAME_AFTER_CLOSE',
      closeCode: 1002,
      section: '5.5.1',
    },
  ];

  it.each(cases)('$name -> $closeCode', ({ frames, code, closeCode, section }) => {
    const reader = new MessageReader({ maxMessageSize: 5 });
    const e = thrown(() => frames.forEach((f) => reader.push(f))) as ProtocolError;
    expect(e).toBeInstanceOf(ProtocolError);
    expect([e.code, e.closeCode, e.section]).toEqual([code, closeCode, section]);
  });

  it('fails at the fragment that carries the bad byte, not at the end of the message', () => {
    const reader = new MessageReader();
    expect(reader.push(hex('01 02 48 65'))).toEqual([]);
    const e = thrown(() => reader.push(hex('00 02 ff 6c'))) as ProtocolError;
    expect(e.code).toBe('INVALID_UTF8');
    expect(e.offset).toBe(6); // stream offset of the 0xff byte
  });

  it('accepts a multi-byte character split across fragments', () => {
    const euro = ascii('€'); // e2 82 ac
    const reader = new MessageReader();
    const events = [
      ...reader.push(encodeFrame({ opcode: Opcode.Text, payload: euro.subarray(0, 1), fin: false })),
      ...reader.push(encodeFrame({ opcode: Opcode.Continuation, payload: euro.subarray(1, 2), fin: false })),
      ...reader.push(encodeFrame({ opcode: Opcode.Continuation, payload: euro.subarray(2) })),
    ];
    expect(events).toEqual([expect.objectContaining({ type: 'message', text: '€', frames: 3 })]);
  });
});
