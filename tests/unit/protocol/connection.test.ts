/**
 * ConnectionReader: one connection's two byte streams, followed through its phases (HTTP, an upgrade
 * awaiting its 101, WebSocket), cut into units with exactly their bytes, however the bytes are split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectionReader,
  type WireDirection,
  type WireUnit,
  latin1,
  latin1Bytes,
  permessageDeflateHooks,
} from '../../../src/lib/protocol/index.ts';
import { concat, hex } from './helpers.ts';

const UPGRADE = latin1Bytes(
  'GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
const SWITCH = latin1Bytes(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
);
/** RFC 6455 section 5.7: a masked "Hello" from the client, an unmasked "Hello" from the server. */
const CLIENT_HELLO = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
const SERVER_HELLO = hex('81 05 48 65 6c 6c 6f');

/** What a unit is, in a line a test can compare. */
function shape(unit: WireUnit): string {
  switch (unit.kind) {
    case 'http-request':
      return `${unit.dir} ${unit.message.method} ${unit.message.target}`;
    case 'http-response':
      return `${unit.dir} ${unit.message.status}`;
    case 'ws-frame':
      return `${unit.dir} frame ${unit.frame.opcode} ${latin1(unit.frame.payload)}`;
    case 'sse-event':
      return `${unit.dir} event ${JSON.stringify(unit.text)}`;
    case 'last-chunk':
      return `${unit.dir} last-chunk`;
    case 'fault':
      return `${unit.dir} fault ${unit.during} ${unit.error.code}`;
  }
}

type Step = [WireDirection, Uint8Array];

/** Runs the steps, each direction's bytes cut at the given points; returns the units. */
function run(steps: Step[], cuts: number[] = [], reader = new ConnectionReader()): WireUnit[] {
  const out: WireUnit[] = [];
  for (const [dir, bytes] of steps) {
    let from = 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      if (cut > from) out.push(...reader.push(dir, bytes.subarray(from, cut)));
      from = Math.max(from, cut);
    }
  }
  return out;
}

describe('ConnectionReader', () => {
  const conversation: Step[] = [
    ['c2s', concat(UPGRADE, CLIENT_HELLO)],
    ['s2c', concat(SWITCH, SERVER_HELLO)],
    ['c2s', hex('88 82 00 00 00 00 03 e8')],
  ];

  it('follows HTTP, the upgrade awaiting its 101, then frames both ways (bytes behind the heads too)', () => {
    const reader = new ConnectionReader();
    const units = run(conversation.slice(0, 1), [], reader);
    expect(reader.state).toBe('awaiting-101');
    units.push(...run(conversation.slice(1), [], reader));
    expect(reader.state).toBe('websocket');
    expect(units.map(shape)).toEqual([
      'c2s GET /chat',
      's2c 101',
      'c2s frame 1 Hello',
      's2c frame 1 Hello',
      `c2s frame 8 ${latin1(hex('03 e8'))}`,
    ]);
    // Each unit carries exactly its bytes: together, every byte of each direction once.
    for (const dir of ['c2s', 's2c'] as const) {
      expect(concat(...units.filter((u) => u.dir === dir).map((u) => u.bytes))).toEqual(
        concat(...conversation.filter(([d]) => d === dir).map(([, b]) => b)),
      );
    }
  });

  it('gives the same units however the bytes are split', () => {
    const whole = run(conversation).map((u) => [shape(u), [...u.bytes]]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
        expect(run(conversation, cuts).map((u) => [shape(u), [...u.bytes]])).toEqual(whole);
      }),
      { numRuns: 200, seed: 6455 },
    );
  });

  it('reads HTTP again when the server declines the upgrade', () => {
    const reader = new ConnectionReader();
    const next = latin1Bytes('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    const units = run(
      [
        ['c2s', concat(UPGRADE, next)],
        ['s2c', latin1Bytes('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n')],
      ],
      [],
      reader,
    );
    expect(units.map(shape)).toEqual(['c2s GET /chat', 's2c 426', 'c2s GET /after']);
    expect(reader.state).toBe('http');
  });

  it('reads each response by the request it answers: a HEAD response has no body', () => {
    const units = run([
      ['c2s', latin1Bytes('HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n')],
      [
        's2c',
        latin1Bytes(
          'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
        ),
      ],
    ]);
    expect(units.map(shape)).toEqual(['c2s HEAD /a', 'c2s GET /b', 's2c 200', 's2c 200']);
    expect(latin1(units[3]!.bytes)).toMatch(/\r\n\r\nhi$/);
  });

  it('reports a violation once, with the bytes left, and goes on reading the other direction', () => {
    const reader = new ConnectionReader();
    run(conversation.slice(0, 2), [], reader);
    // An unmasked client frame (section 5.1): 1002 from a server.
    const bad = run([['c2s', concat(CLIENT_HELLO, hex('81 02 68 69'))]], [], reader);
    expect(bad.map(shape)).toEqual(['c2s frame 1 Hello', 'c2s fault websocket UNMASKED_CLIENT_FRAME']);
    expect(bad[1]!.bytes).toEqual(hex('81 02 68 69'));
    expect(bad[1]!.kind === 'fault' && 'closeCode' in bad[1]!.error && bad[1]!.error.closeCode).toBe(1002);
    expect(run([['c2s', CLIENT_HELLO]], [], reader)).toEqual([]);
    expect(run([['s2c', SERVER_HELLO]], [], reader).map(shape)).toEqual(['s2c frame 1 Hello']);
  });

  it('groups a chunked event stream into one unit per event', () => {
    const units = run([
      ['c2s', latin1Bytes('GET /sse HTTP/1.1\r\nHost: a\r\n\r\n')],
      [
        's2c',
        latin1Bytes(
          'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
            '6\r\nid: 1\n\r\n9\r\ndata: x\n\n\r\n0\r\n\r\n',
        ),
      ],
    ]);
    expect(units.map(shape)).toEqual([
      'c2s GET /sse',
      's2c 200',
      `s2c event ${JSON.stringify('id: 1\ndata: x\n\n')}`,
      's2c last-chunk',
    ]);
    expect(latin1(units[2]!.bytes)).toBe('6\r\nid: 1\n\r\n9\r\ndata: x\n\n\r\n');
  });
});

describe('ConnectionReader extension hooks (per connection and direction)', () => {
  /** A text frame with RSV1 set, as permessage-deflate sends a compressed message (RFC 7692 6). */
  const RSV1_FROM_SERVER = hex('c1 02 68 69');

  it('leave RSV1 an error (1002) when nothing negotiated it', () => {
    const units = run([...[['c2s', UPGRADE] as Step, ['s2c', concat(SWITCH, RSV1_FROM_SERVER)] as Step]]);
    expect(units.map(shape).at(-1)).toBe('s2c fault websocket RSV_SET');
  });

  it('let a negotiated extension define RSV1 in one direction and see every frame in order', () => {
    const seen: string[] = [];
    const reader = new ConnectionReader({
      webSocket: ({ request, response }) => {
        expect(request?.target).toBe('/chat');
        expect(response.status).toBe(101);
        return {
          s2c: {
            decode: { allowRsv: 4 },
            onFrame: (frame) => {
              seen.push(`${frame.rsv}:${latin1(frame.payload)}`);
              return frame.rsv === 4 ? latin1Bytes('decoded') : undefined;
            },
          },
        };
      },
    });
    const units = run(
      [
        ['c2s', UPGRADE],
        ['s2c', concat(SWITCH, RSV1_FROM_SERVER, SERVER_HELLO)],
        ['c2s', hex('c1 80 00 00 00 00')],
      ],
      [],
      reader,
    );
    expect(seen).toEqual(['4:hi', '0:Hello']);
    const frames = units.filter((u) => u.kind === 'ws-frame');
    expect(frames.map((u) => u.kind === 'ws-frame' && u.decoded && latin1(u.decoded))).toEqual([
      'decoded',
      undefined,
    ]);
    // The client direction negotiated nothing: its RSV1 frame is still a fault.
    expect(units.map(shape).at(-1)).toBe('c2s fault websocket RSV_SET');
  });
});

describe('ConnectionReader with permessage-deflate (RFC 7692) agreed in the handshake', () => {
  const offer = latin1Bytes(
    'GET /ws/deflate HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
  );
  const agreed = latin1Bytes(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
  );
  const deflate = () => new ConnectionReader({ webSocket: (handshake) => permessageDeflateHooks(handshake) });
  const decodedText = (units: WireUnit[]) =>
    units.flatMap((u) => (u.kind === 'ws-frame' ? [u.decoded ? latin1(u.decoded) : '-'] : []));

  it("inflates each compressed message, keeping each direction's window between messages (7.2.3)", () => {
    const units = run(
      [
        ['c2s', offer],
        // Section 7.2.3.1 "Hello" in one frame, then 7.2.3.2's second "Hello" using the shared window.
        ['s2c', concat(agreed, hex('c1 07 f2 48 cd c9 c9 07 00'), hex('c1 05 f2 00 11 00 00'))],
        // Section 7.2.3.1 "Hello" in two fragments, a ping between them.
        ['s2c', hex('41 03 f2 48 cd 89 00 80 04 c9 c9 07 00')],
      ],
      [],
      deflate(),
    );
    expect(decodedText(units)).toEqual(['Hello', 'Hello', '-', '-', 'Hello']);
    expect(units.some((u) => u.kind === 'fault')).toBe(false);
  });

  it('still fails RSV1 on a control frame (1002, RFC 7692 section 6)', () => {
    const units = run(
      [
        ['c2s', offer],
        ['s2c', concat(agreed, hex('c9 00'))],
      ],
      [],
      deflate(),
    );
    expect(units.map(shape).at(-1)).toBe('s2c fault websocket COMPRESSED_CONTROL');
  });

  it('fails the direction on data that does not inflate (1007), keeping the frames before it', () => {
    const units = run(
      [
        ['c2s', offer],
        ['s2c', concat(agreed, hex('c1 07 f2 48 cd c9 c9 07 00'), hex('c1 02 ff ff'))],
      ],
      [],
      deflate(),
    );
    expect(units.map(shape).slice(-2)).toEqual([
      expect.stringMatching(/^s2c frame 1 /),
      's2c fault websocket INVALID_COMPRESSED_DATA',
    ]);
    const fault = units.at(-1)!;
    expect(fault.bytes).toEqual(hex('c1 02 ff ff'));
  });

  it('reads frames as plain when the server did not agree', () => {
    const plain = run(
      [
        ['c2s', offer],
        ['s2c', concat(SWITCH, hex('c1 02 68 69'))],
      ],
      [],
      deflate(),
    );
    expect(plain.map(shape).at(-1)).toBe('s2c fault websocket RSV_SET');
  });
});
