import { describe, expect, it } from 'vitest';
import { compareTraces, upgradedConnections } from '../../../src/lib/live/compare';
import { encodeFrame } from '../../../src/lib/protocol/frame';
import type { TraceEvent } from '../../../src/lib/trace/types';

const text = (s: string) => new TextEncoder().encode(s);
function trace(key: string, accept: string, mask: number[], extra = ''): TraceEvent[] {
  return [
    { type: 'conn.open', t: 0, conn: 'a' },
    {
      type: 'unit',
      t: 1,
      conn: 'a',
      dir: 'c2s',
      kind: 'http-request',
      summary: 'GET /chat HTTP/1.1',
      bytes: text(`GET /chat HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: ${key}\r\n${extra}\r\n`),
    },
    {
      type: 'unit',
      t: 2,
      conn: 'a',
      dir: 's2c',
      kind: 'http-response',
      summary: 'HTTP/1.1 101 Switching Protocols',
      bytes: text(`HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`),
    },
    {
      type: 'unit',
      t: 40,
      conn: 'a',
      dir: 'c2s',
      kind: 'ws-frame',
      summary: 'Text',
      bytes: encodeFrame({ opcode: 1, payload: 'Hello', mask: Uint8Array.from(mask) }),
    },
  ];
}

describe('compareTraces', () => {
  it('points out the key, Accept, masks, extra browser headers and timings', () => {
    const sim = trace('dGhlIHNhbXBsZSBub25jZQ==', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', [0x37, 0xfa, 0x21, 0x3d]);
    const live = trace(
      'AQIDBAUGBwgJCgsMDQ4PEA==',
      'other=',
      [1, 2, 3, 4],
      'User-Agent: x\r\nSec-WebSocket-Extensions: permessage-deflate\r\n',
    );
    const diff = Object.fromEntries(compareTraces(sim, live).map((d) => [d.id, d]));
    expect(diff.key).toEqual({
      id: 'key',
      simulated: 'dGhlIHNhbXBsZSBub25jZQ==',
      live: 'AQIDBAUGBwgJCgsMDQ4PEA==',
    });
    expect(diff.accept?.live).toBe('other=');
    expect(diff.masks).toEqual({ id: 'masks', simulated: '37 fa 21 3d', live: '01 02 03 04' });
    expect(diff['extra-headers']?.live).toBe('sec-websocket-extensions, user-agent');
    expect(diff.connections).toMatchObject({ simulated: '1', live: '1' });
    expect(diff.duration).toMatchObject({ simulated: '40 ms' });
  });

  it('leaves out handshake rows for plain HTTP traces', () => {
    const http: TraceEvent[] = [
      {
        type: 'unit',
        t: 0,
        conn: 'a',
        dir: 'c2s',
        kind: 'http-request',
        summary: 'GET',
        bytes: text('GET / HTTP/1.1\r\nHost: h\r\n\r\n'),
      },
    ];
    expect(compareTraces(http, http).map((d) => d.id)).toEqual([
      'connections',
      'messages',
      'bytes',
      'duration',
    ]);
  });

  it('finds the connections that upgraded', () => {
    expect([...upgradedConnections(trace('k', 'a', [1, 2, 3, 4]))]).toEqual(['a']);
  });
});
