import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TRACE_VERSION,
  TraceFormatError,
  traceFromJson,
  traceToJson,
  type NoteEvent,
  type Trace,
} from '../../../src/lib/trace';
import { renderNote } from '../../../src/lib/i18n/notes';

const sample: Trace = {
  version: TRACE_VERSION,
  source: 'live',
  startedAt: 1_700_000_000_000,
  events: [
    { type: 'conn.open', t: 0, conn: 'c1', client: '127.0.0.1:50000', server: '127.0.0.1:8080' },
    { type: 'bytes', t: 1.5, conn: 'c1', dir: 'c2s', bytes: new Uint8Array([0x81, 0x85, 0x37, 0xfa]) },
    { type: 'conn.close', t: 9, conn: 'c1', by: 'server' },
  ],
};

describe('trace JSON', () => {
  it('writes bytes as base64 of exactly those bytes', () => {
    const json = traceToJson(sample);
    expect(json.events[1]).toMatchObject({ type: 'bytes', bytes: 'gYU3+g==' });
  });

  it('round-trips any bytes through JSON text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const trace: Trace = { ...sample, events: [{ type: 'bytes', t: 0, conn: 'c', dir: 's2c', bytes }] };
        const back = traceFromJson(JSON.parse(JSON.stringify(traceToJson(trace))));
        expect(back.events[0]).toEqual({ type: 'bytes', t: 0, conn: 'c', dir: 's2c', bytes });
      }),
      { numRuns: 50, seed: 6455 },
    );
  });

  it('round-trips a compressed frame with what it inflated to, and rejects a malformed one', () => {
    // RFC 7692 section 7.2.3.2: the second 'Hello' on a connection with context takeover.
    const unit = {
      type: 'unit' as const,
      t: 2,
      conn: 'ws',
      dir: 's2c' as const,
      kind: 'ws-frame' as const,
      summary: 'Text',
      bytes: Uint8Array.of(0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00),
      deflate: true,
      inflated: new TextEncoder().encode('Hello'),
    };
    const json = traceToJson({ ...sample, events: [unit] });
    expect(json.events[0]).toMatchObject({ deflate: true, inflated: 'SGVsbG8=', bytes: 'wQXyABEAAA==' });
    expect(traceFromJson(JSON.parse(JSON.stringify(json))).events).toEqual([unit]);
    const bad = (edit: Record<string, unknown>) => () =>
      traceFromJson({ ...json, events: [{ ...json.events[0], ...edit }] });
    expect(bad({ inflated: 'not base64!' })).toThrow('event 0: inflated is not valid base64');
    expect(bad({ inflated: 5 })).toThrow('event 0: inflated must be a base64 string');
    expect(bad({ deflate: 'yes' })).toThrow('event 0: deflate must be true or false');
  });

  it('round-trips notes as message keys with parameters, with and without their English text', () => {
    const trace: Trace = {
      ...sample,
      source: 'simulation',
      events: [
        {
          type: 'note',
          t: 3,
          peer: 'server',
          conn: 'ws',
          key: 'serverChecksPass',
          text: 'Server checks pass',
        },
        { type: 'note', t: 4, key: 'held', params: { seconds: 25 } },
      ],
    };
    const json = JSON.stringify(traceToJson(trace));
    expect(json).not.toContain('"ko"');
    expect(traceFromJson(JSON.parse(json)).events).toEqual(trace.events);
  });

  it('reads a version 1 file: a note’s English and Korean become the message "said"', () => {
    const back = traceFromJson({
      format: 'wirescope-trace',
      version: 1,
      source: 'simulation',
      startedAt: 0,
      events: [
        { type: 'note', t: 3, text: 'Server checks pass', ko: '서버 검사 통과' },
        { type: 'note', t: 4, text: 'tap note' },
      ],
    });
    expect(back.version).toBe(TRACE_VERSION);
    expect(back.events).toEqual([
      {
        type: 'note',
        t: 3,
        key: 'said',
        params: { en: 'Server checks pass', ko: '서버 검사 통과' },
        text: 'Server checks pass',
      },
      { type: 'note', t: 4, key: 'said', params: { en: 'tap note' }, text: 'tap note' },
    ]);
    expect(renderNote(back.events[0] as NoteEvent, 'ko')).toBe('서버 검사 통과');
    expect(renderNote(back.events[1] as NoteEvent, 'ko')).toBe('tap note');
  });

  it('keeps the node that saw each event (a cluster), and reads files without it as before', () => {
    const trace: Trace = {
      ...sample,
      events: [
        { type: 'conn.open', t: 0, conn: 'a/c1', node: 'a' },
        { type: 'bytes', t: 1, conn: 'b/c1', dir: 'c2s', bytes: new Uint8Array([1, 2]), node: 'b' },
        { type: 'conn.close', t: 2, conn: 'c1' },
      ],
    };
    const json = JSON.parse(JSON.stringify(traceToJson(trace))) as { version: number };
    expect(json.version).toBe(TRACE_VERSION);
    expect(traceFromJson(json).events).toEqual(trace.events);
    // A version 1 file from a cluster (before notes were message keys) keeps its nodes too.
    expect(traceFromJson({ ...json, version: 1 }).events).toEqual(trace.events);
  });

  it.each([
    [
      {
        format: 'wirescope-trace',
        version: 1,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'note', t: 0, text: 'x', ko: 7 }],
      },
      /event 0: ko must be a string/,
    ],
    [
      {
        format: 'wirescope-trace',
        version: 2,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'note', t: 0, key: 'held', params: { seconds: { nested: true } } }],
      },
      /event 0: params must map names to strings, numbers or booleans/,
    ],
    [
      {
        format: 'wirescope-trace',
        version: 2,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'note', t: 0 }],
      },
      /event 0: key must be a string/,
    ],
    [
      {
        format: 'wirescope-trace',
        version: 1,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'conn.open', t: 0, conn: 'c1', node: 3 }],
      },
      /event 0: node must be a string/,
    ],
    [null, /not a wirescope trace/],
    [{ format: 'har' }, /not a wirescope trace/],
    [{ format: 'wirescope-trace', version: 99 }, /unsupported trace version 99/],
    [
      {
        format: 'wirescope-trace',
        version: 1,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'boom', t: 0 }],
      },
      /event 0: unknown type boom/,
    ],
    [
      {
        format: 'wirescope-trace',
        version: 1,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'bytes', t: 0, conn: 'a', dir: 'up', bytes: '' }],
      },
      /event 0: dir must be/,
    ],
    [
      {
        format: 'wirescope-trace',
        version: 1,
        source: 'live',
        startedAt: 0,
        events: [{ type: 'bytes', t: 0, conn: 'a', dir: 'c2s', bytes: '%%%' }],
      },
      /not valid base64/,
    ],
  ])('rejects a malformed file with a clear error (%#)', (input, message) => {
    expect(() => traceFromJson(input)).toThrow(TraceFormatError);
    expect(() => traceFromJson(input)).toThrow(message);
  });
});
