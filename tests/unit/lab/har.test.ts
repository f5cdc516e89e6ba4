import { describe, expect, it } from 'vitest';
import { HAR_MASK_KEY, HarFormatError, MAX_HAR_BYTES, harToTrace } from '../../../src/lib/lab/har';
import { ImportError, importText } from '../../../src/lib/lab/importFile';
import { decodeFrame, parseHttpMessage } from '../../../src/lib/protocol/index.ts';
import type { UnitEvent } from '../../../src/lib/trace/types';
import { fixtureText } from './fixtures';

const text = fixtureText('lab.har');
const har = JSON.parse(text) as {
  log: {
    entries: Array<{
      _webSocketMessages?: Array<{ type: string; data: string; opcode: number }>;
      request: { url: string };
    }>;
  };
};

describe('a HAR file recorded from a real lab run', () => {
  const trace = harToTrace(text, 'lab.har');
  const units = trace.events.filter((e): e is UnitEvent => e.type === 'unit');

  it('is marked as HAR and keeps every request and WebSocket message', () => {
    expect(trace.source).toBe('har');
    const messages = har.log.entries.flatMap((e) => e._webSocketMessages ?? []);
    expect(messages.length).toBeGreaterThan(5);
    expect(units.filter((u) => u.kind === 'ws-frame')).toHaveLength(messages.length);
    expect(units.filter((u) => u.kind === 'http-request')).toHaveLength(har.log.entries.length);
  });

  it('rebuilds requests and responses as HTTP/1.1 that the parser reads back', () => {
    for (const u of units.filter((u) => u.kind.startsWith('http'))) {
      const parsed = parseHttpMessage(u.bytes, 0, {
        kind: u.kind === 'http-request' ? 'request' : 'response',
        requestMethod: 'GET',
      });
      expect(parsed?.bytesUsed, u.summary).toBe(u.bytes.length);
    }
    expect(units.some((u) => u.summary.startsWith('HTTP/1.1 101'))).toBe(true);
  });

  it('makes each received message an unmasked server frame carrying its data', () => {
    const entry = har.log.entries.find((e) => e._webSocketMessages?.length)!;
    const first = entry._webSocketMessages!.find((m) => m.type === 'receive')!;
    const frames = units.filter((u) => u.kind === 'ws-frame' && u.dir === 's2c');
    const decoded = decodeFrame(frames[0]!.bytes, 0)!.frame;
    expect(decoded.masked).toBe(false);
    expect(new TextDecoder().decode(decoded.payload)).toBe(first.data);
    for (const f of units.filter((u) => u.kind === 'ws-frame' && u.dir === 'c2s')) {
      expect(decodeFrame(f.bytes, 0)!.frame.maskKey).toEqual(HAR_MASK_KEY);
    }
  });

  it('keeps time order', () => {
    const times = trace.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBe(0);
  });
});

describe('malformed and foreign files', () => {
  const entry = {
    startedDateTime: '2024-01-01T00:00:00.000Z',
    time: 5,
    request: { method: 'GET', url: 'http://127.0.0.1:8080/api/time', headers: [] },
    response: { status: 200, statusText: 'OK', headers: [], content: { text: '{}' } },
  };
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"log": ', /not JSON/],
    ['JSON without log.entries', '{"log": {"version": "1.2"}}', /no log\.entries/],
    ['no entries', '{"log": {"entries": []}}', /no entries/],
    [
      'an entry without a method',
      JSON.stringify({ log: { entries: [{ ...entry, request: { url: entry.request.url } }] } }),
      /entry 0: request\.method/,
    ],
    [
      'an entry without a date',
      JSON.stringify({ log: { entries: [{ ...entry, startedDateTime: 'yesterday' }] } }),
      /entry 0: startedDateTime/,
    ],
    [
      'an entry without a response',
      JSON.stringify({ log: { entries: [entry, { ...entry, response: undefined }] } }),
      /entry 1: response is missing/,
    ],
    [
      'a bad URL',
      JSON.stringify({ log: { entries: [{ ...entry, request: { ...entry.request, url: 'not a url' } }] } }),
      /request\.url/,
    ],
    [
      'a WebSocket message without an opcode',
      JSON.stringify({
        log: { entries: [{ ...entry, _webSocketMessages: [{ type: 'receive', time: 1, data: 'x' }] }] },
      }),
      /WebSocket message 0/,
    ],
    [
      'a header without a value',
      JSON.stringify({
        log: { entries: [{ ...entry, request: { ...entry.request, headers: [{ name: 'a' }] } }] },
      }),
      /header 0/,
    ],
  ];
  it.each(cases)('%s is refused with a clear error', (_name, input, message) => {
    expect(() => harToTrace(input)).toThrow(HarFormatError);
    expect(() => harToTrace(input)).toThrow(message);
  });

  it('refuses an oversized file before parsing it', () => {
    const big = ' '.repeat(MAX_HAR_BYTES + 1);
    expect(() => harToTrace(big)).toThrow(/larger than/);
    expect(() => importText(big + big + big, 'big.har')).toThrow(/larger than/);
  });

  it('tells a HAR file, a lab run and anything else apart', () => {
    expect(importText(JSON.stringify({ log: { entries: [entry] } }), 'one.har').kind).toBe('har');
    expect(importText(fixtureText('lab-run.json'), 'run.json').kind).toBe('run');
    const trace = JSON.parse(fixtureText('lab-run.json')).trace;
    expect(importText(JSON.stringify(trace), 'trace.json')).toMatchObject({
      kind: 'trace',
      trace: { events: { length: trace.events.length } },
    });
    expect(() => importText('{"hello": 1}', 'x.json')).toThrow(ImportError);
    expect(() => importText('[1, 2', 'x.json')).toThrow(/not JSON/);
  });

  it('drops pseudo-headers and header values that would forge lines', () => {
    const trace = harToTrace(
      JSON.stringify({
        log: {
          entries: [
            {
              ...entry,
              request: {
                ...entry.request,
                headers: [
                  { name: ':authority', value: 'x' },
                  { name: 'X-A', value: 'a\r\nEvil: 1' },
                ],
              },
            },
          ],
        },
      }),
    );
    const request = trace.events.find((e): e is UnitEvent => e.type === 'unit' && e.kind === 'http-request')!;
    const head = new TextDecoder().decode(request.bytes);
    expect(head).toBe('GET /api/time HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: a Evil: 1\r\n\r\n');
  });
});
