/**
 * Property tests for permessage-deflate (fast-check, seeded): compress then inflate gives every message
 * back however the payloads are fragmented and the bytes are cut, with and without context takeover, at
 * every window size; any bytes inflate or fail with a ProtocolError; annotations of compressed frames
 * cover every byte once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MessageDeflater,
  MessageInflater,
  MessageReader,
  Opcode,
  ProtocolError,
  annotateFrame,
  decompressMessage,
  encodeFrame,
  type DeflateDirection,
  type WsEvent,
} from '../../../src/lib/protocol/index.ts';
import { concat } from './helpers.ts';

const SEED = 0x7692;
const run = <Ts>(property: fc.IProperty<Ts>, numRuns = 120): void =>
  fc.assert(property, { seed: SEED, numRuns });

const direction: fc.Arbitrary<DeflateDirection> = fc.record({
  windowBits: fc.integer({ min: 8, max: 15 }),
  noContextTakeover: fc.boolean(),
});

/** Messages that compress well (repeated words), badly (random bytes), or not at all (empty). */
const message = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc
    .array(fc.constantFrom('tick ', '{"price":', '101.25', ',"qty":', 'héllo ', '\n'), { maxLength: 300 })
    .map((words) => new TextEncoder().encode(words.join(''))),
  fc.constant(new Uint8Array(0)),
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

const cuts = fc.array(fc.nat(), { maxLength: 5 });

describe('permessage-deflate round trips', () => {
  it('compress then inflate gives each message back, fragments cut anywhere, context kept or not', () => {
    run(
      fc.property(
        direction,
        fc.array(fc.tuple(message, cuts), { minLength: 1, maxLength: 6 }),
        (dir, plan) => {
          const deflater = new MessageDeflater(dir);
          const inflater = new MessageInflater(dir, { maxMessageSize: 1 << 20 });
          for (const [data, at] of plan) {
            const fragments = split(deflater.compress(data), at);
            const out = fragments.map((f, i) => inflater.push(f, i === fragments.length - 1));
            expect(concat(...out)).toEqual(data);
          }
        },
      ),
    );
  });

  it('frames on the wire, cut into any chunks, come out of the reader as the messages sent', () => {
    const mask = Uint8Array.of(1, 2, 3, 4);
    run(
      fc.property(
        direction,
        fc.array(fc.tuple(message, cuts, fc.boolean()), { minLength: 1, maxLength: 5 }),
        cuts,
        (dir, plan, chunkCuts) => {
          const deflater = new MessageDeflater(dir);
          const wire: Uint8Array[] = [];
          for (const [data, at, binary] of plan) {
            // RFC 7692 section 6: RSV1 on the first frame only, a ping may sit between fragments.
            const fragments = split(deflater.compress(data), at);
            fragments.forEach((payload, i) => {
              const opcode = i === 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
              const fin = i === fragments.length - 1;
              wire.push(encodeFrame({ opcode, payload, fin, rsv: i === 0 ? 4 : 0, mask }));
              if (i === 0 && !fin) wire.push(encodeFrame({ opcode: Opcode.Ping, payload: 'p', mask }));
            });
          }
          // Text messages must be UTF-8 once inflated; random bytes go as binary.
          const reader = new MessageReader({
            requireMask: true,
            maxMessageSize: 1 << 20,
            inflater: new MessageInflater(dir, { maxMessageSize: 1 << 20 }),
          });
          const events: WsEvent[] = [];
          let failed: unknown;
          try {
            for (const chunk of split(concat(...wire), chunkCuts)) events.push(...reader.push(chunk));
          } catch (e) {
            failed = e;
          }
          const messages = events.filter((e) => e.type === 'message');
          plan.forEach(([data, , binary], i) => {
            const event = messages[i];
            if (event === undefined) {
              // Only a text message that is not UTF-8 may stop the reader, with 1007.
              expect((failed as ProtocolError).code).toBe('INVALID_UTF8');
              return;
            }
            expect(event).toMatchObject({ binary, compressed: true });
            expect(event.data).toEqual(data);
          });
        },
      ),
    );
  });
});

describe('robustness', () => {
  it('any bytes as a compressed message inflate, or fail with 1007 or 1009, never anything else', () => {
    run(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, takeover) => {
        const inflater = new MessageInflater(
          { windowBits: 15, noContextTakeover: !takeover },
          { maxMessageSize: 4096 },
        );
        try {
          expect(inflater.inflate(bytes).length).toBeLessThanOrEqual(4096);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
          expect([1007, 1009]).toContain((e as ProtocolError).closeCode);
        }
      }),
      400,
    );
  });

  it('annotations of compressed frames, whole or cut short, cover every byte once', () => {
    run(
      fc.property(message, fc.boolean(), fc.nat(), (data, masked, cut) => {
        const payload = new MessageDeflater({ windowBits: 15, noContextTakeover: true }).compress(data);
        const frame = encodeFrame({
          opcode: Opcode.Binary,
          rsv: 4,
          payload,
          mask: masked ? Uint8Array.of(9, 8, 7, 6) : undefined,
        });
        const bytes = frame.subarray(0, cut % (frame.length + 1));
        const fields = annotateFrame(bytes, { deflate: true, inflate: decompressMessage });
        let pos = 0;
        for (const field of fields) {
          expect(field.start).toBe(pos);
          expect(field.end).toBeGreaterThan(field.start);
          pos = field.end;
        }
        expect(pos).toBe(bytes.length);
        if (bytes.length === frame.length && payload.length > 0) {
          expect(fields.at(-1)!.inflated).toEqual(data);
        }
      }),
    );
  });
});
