/**
 * permessage-deflate followed along a trace for the byte inspector, on the RFC 7692 section 7.2.3
 * examples: a trace built the way the tap builds one, then each compressed message's inflation.
 */
import { describe, expect, it } from 'vitest';
import { annotateFrame, parseHex } from '../../../src/lib/protocol/index.ts';
import { deflatedConnection } from '../../../src/lib/trace/deflated.ts';
import { createUnitParser } from '../../../src/lib/trace/units.ts';
import type { Direction, TraceEvent, UnitEvent } from '../../../src/lib/trace/index.ts';

const text = (s: string): Uint8Array => Uint8Array.from(s.replace(/\r?\n/g, '\r\n'), (c) => c.charCodeAt(0));
const str = (b: Uint8Array | undefined): string | undefined => b && new TextDecoder().decode(b);

function trace(steps: Array<[Direction, Uint8Array]>): TraceEvent[] {
  const parser = createUnitParser('c1');
  const events: TraceEvent[] = [{ type: 'conn.open', t: 0, conn: 'c1' }];
  steps.forEach(([dir, bytes], t) => {
    events.push({ type: 'bytes', t, conn: 'c1', dir, bytes });
    events.push(...parser.push(dir, bytes, t));
  });
  return events;
}

const request = (extensions: string) =>
  text(
    'GET /chat HTTP/1.1\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\n' +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n${extensions}\n`,
  );
const response = (extensions: string) =>
  text(
    'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n' +
      `Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n${extensions}\n`,
  );
const DEFLATE = 'Sec-WebSocket-Extensions: permessage-deflate\n';

// RFC 7692 section 7.2.3.1 "Hello" compressed, then 7.2.3.2 the same message again, which refers
// back to the first through the shared window (context takeover).
const HELLO = parseHex('c1 07 f2 48 cd c9 c9 07 00');
const HELLO_AGAIN = parseHex('c1 05 f2 00 11 00 00');

function framesOf(events: TraceEvent[]): UnitEvent[] {
  return events.flatMap((e) => (e.type === 'unit' && e.kind === 'ws-frame' ? [e] : []));
}

describe('deflatedConnection (RFC 7692)', () => {
  it('inflates each compressed message with the window of the ones before it', () => {
    const events = trace([
      ['c2s', request(DEFLATE)],
      ['s2c', response(DEFLATE)],
      ['s2c', HELLO],
      ['s2c', HELLO_AGAIN],
    ]);
    const result = deflatedConnection(events, 'c1');
    expect(result.deflate).toBe(true);
    const [first, second] = framesOf(events);
    expect(str(result.inflated.get(first!))).toBe('Hello');
    expect(str(result.inflated.get(second!))).toBe('Hello');
    // What the byte inspector then shows for the second frame: its payload inflated with the context.
    const payload = annotateFrame(HELLO_AGAIN, {
      deflate: true,
      inflated: result.inflated.get(second!)!,
    }).find((f) => f.id === 'payload');
    expect(payload?.text).toBe('Hello');
  });

  it('inflates nothing when the 101 did not agree the extension, or for another connection', () => {
    const events = trace([
      ['c2s', request(DEFLATE)],
      ['s2c', response('')],
      ['s2c', parseHex('81 05 48 65 6c 6c 6f')],
    ]);
    expect(deflatedConnection(events, 'c1')).toEqual({
      deflate: false,
      messages: new Map(),
      inflated: new Map(),
    });
    const agreed = trace([
      ['c2s', request(DEFLATE)],
      ['s2c', response(DEFLATE)],
      ['s2c', HELLO],
    ]);
    expect(deflatedConnection(agreed, 'c2').inflated.size).toBe(0);
  });

  it('gives the frames of a fragmented message no entry, and goes on with the next message', () => {
    // "Hello" compressed, split over two frames (section 7.2.3.1's second example).
    const fragmented = [parseHex('41 03 f2 48 cd'), parseHex('80 04 c9 c9 07 00')];
    const events = trace([
      ['c2s', request(DEFLATE)],
      ['s2c', response(DEFLATE)],
      ['s2c', fragmented[0]!],
      ['s2c', fragmented[1]!],
      ['s2c', HELLO_AGAIN],
    ]);
    const result = deflatedConnection(events, 'c1');
    const frames = framesOf(events);
    expect(frames).toHaveLength(3);
    expect([...result.inflated.keys()]).toEqual([frames[2]]);
    expect(str(result.inflated.get(frames[2]!))).toBe('Hello');
    // The fragmented message, whole, on the frame that completes it.
    expect([...result.messages.keys()]).toEqual([frames[1], frames[2]]);
    expect(str(result.messages.get(frames[1]!))).toBe('Hello');
  });
});
