/**
 * Property tests (fast-check), seeded so every run checks the same cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  HttpError,
  HttpParser,
  MessageReader,
  Opcode,
  ProtocolError,
  Utf8Validator,
  annotateFrame,
  annotateHttp,
  decodeFrame,
  encodeFrame,
  parseHex,
  parseHttpMessage,
  serializeMessage,
  toHex,
  type Field,
  type Frame,
  type HttpMessage,
} from '../../../src/lib/protocol/index.ts';
import { concat } from './helpers.ts';

const SEED = 0x5eed;
const run = <Ts>(property: fc.IProperty<Ts>, numRuns = 300): void =>
  fc.assert(property, { seed: SEED, numRuns });

const dataOpcode = fc.constantFrom(Opcode.Continuation, Opcode.Text, Opcode.Binary);
const controlOpcode = fc.constantFrom(Opcode.Ping, Opcode.Pong);
const maskKey = fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined });
/** Payload lengths around every boundary of the length encoding. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 130 }),
  fc.integer({ min: 65530, max: 65540 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
  fc.uint8Array({ minLength: 120, maxLength: 300 }),
);

const frameArb = fc.oneof(
  fc.record({ opcode: dataOpcode, payload, fin: fc.boolean(), mask: maskKey }),
  fc.record({
    opcode: controlOpcode,
    payload: fc.uint8Array({ maxLength: 125 }),
    fin: fc.constant(true),
    mask: maskKey,
  }),
);

/** Cut `bytes` at the given points (sorted, deduplicated, clamped). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** Byte equality without the cost of a deep-equality diff on 64 KiB arrays. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Frame lists equal field by field, payload and mask key byte by byte. */
function sameFrames(a: Frame[], b: Frame[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i]!;
      return (
        x.opcode === y.opcode &&
        x.fin === y.fin &&
        x.rsv === y.rsv &&
        x.masked === y.masked &&
        x.payloadLength === y.payloadLength &&
        sameBytes(x.payload, y.payload) &&
        (x.maskKey === undefined
          ? y.maskKey === undefined
          : y.maskKey !== undefined && sameBytes(x.maskKey, y.maskKey))
      );
    })
  );
}

function expectCover(fields: Field[], length: number): void {
  let pos = 0;
  for (const f of fields) {
    expect(f.start).toBe(pos);
    expect(f.end).toBeGreaterThan(f.start);
    pos = f.end;
  }
  expect(pos).toBe(length);
}

describe('frames', () => {
  it('decode(encode(frame)) gives the frame back', () => {
    run(
      fc.property(frameArb, (f) => {
        const bytes = encodeFrame(f);
        const result = decodeFrame(bytes);
        expect(result).not.toBeNull();
        expect(result!.bytesUsed).toBe(bytes.length);
        const frame = result!.frame;
        expect([frame.opcode, frame.fin, frame.rsv, frame.masked]).toEqual([
          f.opcode,
          f.fin,
          0,
          f.mask !== undefined,
        ]);
        expect(frame.maskKey).toEqual(f.mask);
        expect(frame.payloadLength).toBe(f.payload.length);
        expect(sameBytes(frame.payload, f.payload)).toBe(true);
      }),
      200,
    );
  });

  it('any bytes decode, ask for more, or throw ProtocolError — nothing else', () => {
    const interesting = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      // Valid-looking headers with random tails reach the deeper checks.
      fc
        .tuple(
          fc.integer({ min: 0, max: 255 }),
          fc.constantFrom(126, 127, 254, 255, 0x7d, 0xfd),
          fc.uint8Array({ maxLength: 20 }),
        )
        .map(([a, b, rest]) => Uint8Array.of(a, b, ...rest)),
    );
    run(
      fc.property(interesting, fc.constantFrom(undefined, true, false), (bytes, requireMask) => {
        try {
          const r = decodeFrame(bytes, 0, { requireMask });
          if (r) expect(r.bytesUsed).toBeLessThanOrEqual(bytes.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
          expect((e as ProtocolError).closeCode).toBeGreaterThanOrEqual(1002);
        }
      }),
      2000,
    );
  });

  it('how a stream is chunked never changes what the reader yields', () => {
    run(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const stream = concat(...frames.map((f) => encodeFrame(f)));
          const whole = new FrameReader().push(stream);
          const reader = new FrameReader();
          const pieces = split(stream, cuts).flatMap((chunk) => reader.push(chunk));
          expect(sameFrames(pieces, whole)).toBe(true);
          expect(whole).toHaveLength(frames.length);
        },
      ),
      100,
    );
  });

  it('chunking never changes the outcome for arbitrary bytes either (same events or same error)', () => {
    const outcome = (chunks: Uint8Array[]): string => {
      const reader = new MessageReader();
      const events: unknown[] = [];
      try {
        for (const c of chunks) events.push(...reader.push(c));
        return JSON.stringify(events, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));
      } catch (e) {
        return e instanceof ProtocolError
          ? `${JSON.stringify(events, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v))} ${e.code}@${e.offset}`
          : 'other error';
      }
    };
    run(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        expect(outcome(split(bytes, cuts))).toBe(outcome([bytes]));
      }),
      1000,
    );
  });

  it('annotations cover valid frames exactly once, in order', () => {
    run(
      fc.property(frameArb, (f) => {
        const bytes = encodeFrame(f);
        const fields = annotateFrame(bytes);
        expectCover(fields, bytes.length);
        expect(fields.some((x) => x.id === 'fault' || x.id === 'truncated')).toBe(false);
      }),
      200,
    );
  });

  it('annotations cover any bytes exactly once and end in a fault exactly when decoding throws', () => {
    run(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const fields = annotateFrame(bytes);
        expectCover(fields, bytes.length);
        let threw = false;
        try {
          decodeFrame(bytes);
        } catch {
          threw = true;
        }
        expect(fields.at(-1)?.id === 'fault').toBe(threw);
      }),
      2000,
    );
  });
});

describe('UTF-8', () => {
  it('the streaming validator agrees with TextDecoder(fatal) however the text is split', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: 'binary', maxLength: 12 }).map((s) => new TextEncoder().encode(s)),
    );
    run(
      fc.property(bytesArb, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        let expected = true;
        try {
          decoder.decode(bytes);
        } catch {
          expected = false;
        }
        const v = new Utf8Validator();
        let actual = true;
        try {
          for (const c of split(bytes, cuts)) v.push(c);
          v.end();
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
          actual = false;
        }
        expect(actual).toBe(expected);
      }),
      3000,
    );
  });
});

describe('HTTP', () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/);
  const fieldValue = fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/);
  const headers = fc.array(
    fc.record({
      name: token.filter((n) => !/^(content-length|transfer-encoding|upgrade|connection)$/i.test(n)),
      value: fieldValue,
    }),
    { maxLength: 6 },
  );
  const body = fc.uint8Array({ maxLength: 40 });
  const chunk = fc.uint8Array({ minLength: 1, maxLength: 20 });

  const message: fc.Arbitrary<HttpMessage> = fc.oneof(
    fc
      .record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        target: fc.stringMatching(/^\/[a-z0-9/?=&]{0,15}$/),
        headers,
        body,
      })
      .map(({ method, target, headers, body }): HttpMessage => ({
        kind: 'request',
        method,
        target,
        version: 'HTTP/1.1',
        headers: [...headers, { name: 'Content-Length', value: String(body.length) }],
        body,
      })),
    fc
      .record({
        status: fc.constantFrom(200, 201, 404, 500),
        reason: fc.constantFrom('OK', 'Created', 'Not Found', 'Oops it broke', ''),
        headers,
        chunks: fc.array(chunk, { maxLength: 4 }),
        ext: fc.constantFrom('', ';a=b', ';x'),
      })
      .map(({ status, reason, headers, chunks, ext }): HttpMessage => ({
        kind: 'response',
        status,
        reason,
        version: 'HTTP/1.1',
        headers: [...headers, { name: 'Transfer-Encoding', value: 'chunked' }],
        body: concat(...chunks),
        chunks: [
          ...chunks.map((data) => ({ size: data.length, extensions: ext, data })),
          { size: 0, extensions: '', data: new Uint8Array(0) },
        ],
        trailers: [],
      })),
  );

  it('parse(serialize(message)) gives the message back', () => {
    run(
      fc.property(message, (m) => {
        const bytes = serializeMessage(m);
        const parsed = parseHttpMessage(bytes);
        expect(parsed).not.toBeNull();
        expect(parsed!.bytesUsed).toBe(bytes.length);
        expect(parsed!.message).toEqual(m);
      }),
    );
  });

  it('incremental parsing of random splits gives the same messages', () => {
    run(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const stream = concat(...messages.map(serializeMessage));
          const kind = messages[0]!.kind;
          const same = messages.filter((m) => m.kind === kind);
          const parser = new HttpParser({ kind });
          const only = concat(...same.map(serializeMessage));
          const got = split(only, cuts).flatMap((c) => parser.push(c));
          expect(got).toEqual(same);
          expect(stream.length).toBeGreaterThan(0);
        },
      ),
      100,
    );
  });

  it('annotateHttp covers serialised messages exactly once, with no fault', () => {
    run(
      fc.property(message, fc.uint8Array({ maxLength: 8 }), (m, extra) => {
        const bytes = concat(serializeMessage(m), extra);
        const fields = annotateHttp(bytes);
        expectCover(fields, bytes.length);
        expect(fields.some((f) => f.id === 'fault')).toBe(false);
      }),
    );
  });

  it('annotateHttp covers any bytes exactly once; parse errors are HttpError only', () => {
    const textish = fc.oneof(
      fc.uint8Array({ maxLength: 60 }),
      fc.stringMatching(/^(GET|HTTP\/1\.1) [ -~\r\n:]{0,60}$/).map((s) => new TextEncoder().encode(s)),
    );
    run(
      fc.property(textish, (bytes) => {
        expectCover(annotateHttp(bytes), bytes.length);
        try {
          parseHttpMessage(bytes, 0, { eof: true });
        } catch (e) {
          expect(e).toBeInstanceOf(HttpError);
        }
      }),
      1000,
    );
  });
});

describe('hex', () => {
  it('parseHex(toHex(bytes)) is the identity for every separator', () => {
    run(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(' ', '', ',', '\n'), (bytes, sep) => {
        expect(parseHex(toHex(bytes, sep))).toEqual(bytes);
      }),
    );
  });
});
