/** The English renderer of unit summaries: the lines the tap puts on its units, from hex fixtures. */
import { describe, expect, it } from 'vitest';
import { summarizeUnit, parseHex } from '../../../src/lib/protocol/index.ts';
import { summaryText } from '../../../src/lib/trace/index.ts';
import type { UnitKind } from '../../../src/lib/trace/index.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('summaryText', () => {
  const frames: Array<[string, string]> = [
    ['81 05 48 65 6c 6c 6f', "Text 'Hello'"],
    ['81 85 37 fa 21 3d 7f 9f 4d 51 58', "Text 'Hello' (masked)"],
    ['01 03 48 65 6c', "Text 'Hel' (FIN=0)"],
    ['80 02 6c 6f', "Continuation 'lo'"],
    ['89 05 48 65 6c 6c 6f', "Ping 'Hello'"],
    ['8a 00', 'Pong'],
    [`82 7e 01 00 ${'00 '.repeat(256)}`, 'Binary 256 bytes'],
    ['88 05 03 e8 62 79 65', "Close 1000 'bye'"],
    ['88 82 00 00 00 00 03 e8', 'Close 1000 (masked)'],
    ['88 00', 'Close (no status)'],
    ['c1 03 f2 48 05', 'Text (RSV1)'],
    [`81 28 ${'61 '.repeat(40)}`, `Text '${'a'.repeat(32)}…'`],
    ['83 00', 'Protocol error: RESERVED_OPCODE'],
  ];
  it.each(frames)('frame %s: %s', (bytes, text) => {
    expect(summaryText(summarizeUnit('ws-frame', parseHex(bytes)))).toBe(text);
  });

  const others: Array<[UnitKind, string, string]> = [
    ['http-request', 'GET /chat HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /chat HTTP/1.1'],
    ['http-response', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'HTTP/1.1 101 Switching Protocols'],
    ['http-response', 'HTTP/1.1 204\r\n\r\n', 'HTTP/1.1 204'],
    ['http-request', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'HTTP error: WHITESPACE_BEFORE_COLON'],
    ['sse-event', '16\r\nid: 1\ndata: {"id":1}\n\n\r\n', `Event id 1 '{"id":1}'`],
    ['sse-event', 'd\r\nretry: 1000\n\n\r\n', 'Retry 1000 ms'],
    ['sse-event', 'event: tick\r\ndata: a\r\n\r\n: keep-alive\n\n', "Tick 'a' (+1 more)"],
    ['sse-event', ': keep-alive\n\n', "Comment ': keep-alive'"],
    ['raw', '0\r\n\r\n', 'Last chunk (end of the event stream)'],
    ['raw', 'xyz', '3 bytes'],
  ];
  it.each(others)('%s %j: %s', (kind, text, line) => {
    expect(summaryText(summarizeUnit(kind, ascii(text)))).toBe(line);
  });
});
