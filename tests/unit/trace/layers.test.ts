import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/lib/protocol/index.ts';
import { importCapture } from '../../../src/lib/trace/capture/import.ts';
import { hasSegments, traceAtLayer } from '../../../src/lib/trace/layers.ts';
import type { Trace, UnitEvent } from '../../../src/lib/trace/types.ts';
import { unitLabel } from '../../../src/lib/trace/label.ts';
import { Conversation, LinkType, join, pcapFile, text } from '../../helpers/captureWriter.ts';

const MASK = new Uint8Array([1, 2, 3, 4]);
const upgrade = text(
  'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
const switching = text(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
);

/** A capture where one segment carries three frames and one frame spans three segments. */
async function capture(): Promise<Trace> {
  const conv = new Conversation({ address: '127.0.0.1', port: 50000 }, { address: '127.0.0.1', port: 80 });
  conv.open().send('c2s', upgrade).send('s2c', switching);
  // Three small client frames written at once: one segment.
  conv.send(
    'c2s',
    join([
      encodeFrame({ opcode: 1, payload: 'a', mask: MASK }),
      encodeFrame({ opcode: 9, payload: 'b', mask: MASK }),
      encodeFrame({ opcode: 1, payload: 'c', mask: MASK }),
    ]),
  );
  // A 3000-byte server frame in 1448-byte segments; then a message in two fragments around a ping.
  conv.send('s2c', encodeFrame({ opcode: 2, payload: new Uint8Array(3000) }), 1448);
  conv.send(
    's2c',
    join([
      encodeFrame({ opcode: 1, payload: 'Hel', fin: false }),
      encodeFrame({ opcode: 9, payload: 'p' }),
      encodeFrame({ opcode: 0, payload: 'lo' }),
    ]),
  );
  conv.close();
  return (await importCapture(pcapFile(conv.packets, { linkType: LinkType.Null }), 'layers.pcap')).trace;
}

const summaries = (trace: Trace) =>
  trace.events.filter((e): e is UnitEvent => e.type === 'unit').map((e) => `${e.dir} ${e.summary}`);

describe('traceAtLayer', () => {
  it('shows each TCP segment with the frames it carries, whole or in part', async () => {
    const trace = await capture();
    const segments = traceAtLayer(trace, 'segments');
    expect(summaries(segments)).toEqual([
      `c2s TCP segment, ${upgrade.length} B: GET /ws HTTP/1.1`,
      `s2c TCP segment, ${switching.length} B: HTTP/1.1 101 Switching Prot…`,
      "c2s TCP segment, 21 B: Text 'a' (masked) · Ping 'b' (masked) · Text 'c' (masked)",
      's2c TCP segment, 1448 B: Binary 3000 bytes (start)',
      's2c TCP segment, 1448 B: Binary 3000 bytes (middle)',
      's2c TCP segment, 108 B: Binary 3000 bytes (end)',
      "s2c TCP segment, 12 B: Text 'Hel' (FIN=0) · Ping 'p' · Continuation 'lo'", // 5 + 3 + 4 bytes
    ]);
    // Every segment's arrow carries exactly that segment's bytes.
    const bytesOf = (t: Trace, type: 'bytes' | 'unit') =>
      t.events.flatMap((e) => (e.type === type ? [e.bytes] : []));
    expect(bytesOf(segments, 'unit')).toEqual(bytesOf(trace, 'bytes'));
  });

  it('shows each frame with the number of segments it spans', async () => {
    const frames = summaries(traceAtLayer(await capture(), 'frames'));
    expect(frames).toContain('s2c Binary 3000 bytes (3 segments)');
    expect(frames).toContain("c2s Text 'a' (masked)");
    expect(frames.filter((s) => s.includes('segments)'))).toHaveLength(1);
  });

  it('joins a fragmented message from its frames, control frames between them kept apart', async () => {
    const trace = await capture();
    const messages = traceAtLayer(trace, 'messages');
    expect(summaries(messages).slice(-3)).toEqual([
      's2c Binary 3000 bytes',
      "s2c Ping 'p'",
      "s2c Text message 'Hello' (2 frames)",
    ]);
    const joined = messages.events.at(-2) as UnitEvent; // the message, before the close
    expect(joined.kind).toBe('raw');
    expect(joined.bytes).toEqual(
      join([
        encodeFrame({ opcode: 1, payload: 'Hel', fin: false }),
        encodeFrame({ opcode: 0, payload: 'lo' }),
      ]),
    );
  });

  it('labels every layer in the page language from the same facts', async () => {
    const trace = await capture();
    const korean = (layer: 'segments' | 'frames' | 'messages') =>
      traceAtLayer(trace, layer).events.flatMap((e) => (e.type === 'unit' ? [unitLabel(e, 'ko')] : []));
    expect(korean('segments')).toContain('TCP 세그먼트, 1448B: Binary 3000바이트 (앞부분)');
    expect(korean('frames')).toContain('Binary 3000바이트 (세그먼트 3개)');
    expect(korean('messages')).toContain("텍스트 메시지 'Hello' (프레임 2개)");
  });

  it('leaves the trace it is given unchanged, and the frames layer of a trace without segments as it is', async () => {
    const trace = await capture();
    const before = JSON.stringify(summaries(trace));
    for (const layer of ['segments', 'frames', 'messages'] as const) traceAtLayer(trace, layer);
    expect(JSON.stringify(summaries(trace))).toBe(before);
    const simulated: Trace = { ...trace, events: trace.events.filter((e) => e.type !== 'bytes') };
    expect(hasSegments(simulated)).toBe(false);
    expect(traceAtLayer(simulated, 'frames').events).toEqual(simulated.events);
  });
});
