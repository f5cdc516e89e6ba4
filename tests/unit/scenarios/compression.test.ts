import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/compression/spec';
import scenario, { STEPS } from '../../../src/lib/scenarios/compression/index';
import {
  CANDIDATES,
  FRAGMENTED,
  GUESSES,
  HELLO,
  SECRET,
  TOKEN,
  guessMessage,
  oracle,
} from '../../../src/lib/scenarios/compression/streams';
import {
  acceptDeflateResponse,
  decodeFrame,
  deflateDirections,
  encodeFrame,
  getHeader,
  MessageDeflater,
  MessageInflater,
  parseHttpMessage,
  toHex,
  type DeflateParams,
} from '../../../src/lib/protocol/index';
import { handshakeInput, maskKey } from '../../../src/lib/scenarios/wire';
import type { UnitEvent } from '../../../src/lib/trace/types';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

let input: Record<string, unknown>;
beforeAll(async () => {
  input = { ...(await handshakeInput()) };
});

/** Starts the scenario, makes `choices` where they are offered, and steps to the end. */
function run(...choices: string[]) {
  const { actor } = start(scenario.machine, input);
  const pending = [...choices];
  for (let guard = 0; guard < 50; guard++) {
    const choice = pending[0];
    if (choice && actor.getSnapshot().can({ type: 'learner.choose', choice })) {
      actor.send({ type: 'learner.choose', choice });
      pending.shift();
      continue;
    }
    if (!actor.getSnapshot().can({ type: 'step.next' })) break;
    actor.send({ type: 'step.next' });
  }
  expect(pending).toEqual([]);
  return actor;
}

const header = (bytes: Uint8Array, name: string) =>
  getHeader(parseHttpMessage(bytes, 0, { eof: true })!.message.headers, name);

/** The units of each step, by step id, from the trace and the checkpoints the kit keeps. */
function byStep(actor: ReturnType<typeof run>): Record<string, UnitEvent[]> {
  const c = ctx(actor);
  const out: Record<string, UnitEvent[]> = {};
  c.path.forEach((step, i) => {
    const from = c.checkpoints[i]!.events;
    const to = c.checkpoints[i + 1]?.events ?? c.events.length;
    out[step] = c.events.slice(from, to).filter((e): e is UnitEvent => e.type === 'unit');
  });
  return out;
}

/** What the client agreed to, read back from the trace's own handshake as a browser reads it. */
function agreed(units: UnitEvent[]): DeflateParams | undefined {
  const check = acceptDeflateResponse(
    header(units[1]!.bytes, 'Sec-WebSocket-Extensions'),
    header(units[0]!.bytes, 'Sec-WebSocket-Extensions')!,
  );
  if (!check.ok) throw new Error(check.reason);
  return check.params;
}

const frames = (units: UnitEvent[]) => units.filter((u) => u.kind === 'ws-frame');

describe('compression scenario', () => {
  it('walks every step but the declined branch with context takeover by default', () => {
    const actor = run();
    expect(ctx(actor).path).toEqual(spec.steps.filter((s) => s !== 'declined'));
    expect(Object.keys(STEPS).sort()).toEqual([...spec.steps].sort());
  });

  it("offers what browsers offer and answers with the protocol's negotiation", () => {
    const units = unitsOf(run());
    expect(header(units[0]!.bytes, 'Sec-WebSocket-Extensions')).toBe(
      'permessage-deflate; client_max_window_bits',
    );
    expect(header(units[1]!.bytes, 'Sec-WebSocket-Extensions')).toBe('permessage-deflate');
    expect(agreed(units)).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
    const off = unitsOf(run('no-takeover'));
    expect(header(off[1]!.bytes, 'Sec-WebSocket-Extensions')).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    );
  });

  it('sends RFC 7692 section 7.2.3 byte for byte, each identical copy smaller than the first', () => {
    const steps = byStep(run());
    const server = (step: string) => toHex(steps[step]!.filter((u) => u.dir === 's2c')[0]!.bytes);
    expect(server('server-hello')).toBe('c1 07 f2 48 cd c9 c9 07 00'); // 7.2.3.1
    expect(server('second-hello')).toBe('c1 05 f2 00 11 00 00'); // 7.2.3.2, context takeover
    expect(server('third-hello')).toBe('c1 04 02 13 00 00');
    const client = steps['third-hello']!.find((u) => u.dir === 'c2s')!;
    expect(client.bytes.length).toBeLessThan(steps['client-hello']![0]!.bytes.length);
  });

  it('without context takeover every copy is as big as the first', () => {
    const steps = byStep(run('no-takeover'));
    const sizes = ['server-hello', 'second-hello', 'third-hello'].map(
      (step) => steps[step]!.find((u) => u.dir === 's2c')!.bytes.length,
    );
    expect(sizes).toEqual([9, 9, 9]);
  });

  for (const choices of [[], ['no-takeover'], ['right-guess'], ['no-takeover', 'right-guess']]) {
    it(`every frame equals the protocol's deflater output, and inflates to what it says (${choices.join(', ') || 'defaults'})`, () => {
      const units = unitsOf(run(...choices));
      const params = agreed(units)!;
      const ways = {
        c2s: deflateDirections(params, 'client').send,
        s2c: deflateDirections(params, 'server').send,
      };
      const messages = {
        c2s: [HELLO, HELLO, HELLO, FRAGMENTED],
        s2c: [
          HELLO,
          HELLO,
          HELLO,
          SECRET,
          guessMessage(GUESSES[choices.includes('right-guess') ? 'right' : 'wrong']),
        ],
      };
      for (const dir of ['c2s', 's2c'] as const) {
        const deflater = new MessageDeflater(ways[dir]);
        const expected = messages[dir].map((m) => deflater.compress(new TextEncoder().encode(m)));
        const inflater = new MessageInflater(ways[dir]);
        const payloads: Uint8Array[] = [];
        const texts: string[] = [];
        let parts: Uint8Array[] = [];
        let out: Uint8Array[] = [];
        for (const unit of frames(units).filter((u) => u.dir === dir)) {
          expect(unit.deflate).toBe(true);
          const { frame } = decodeFrame(unit.bytes, 0, { deflate: true, requireMask: dir === 'c2s' })!;
          if (frame.opcode >= 8) {
            expect(frame.rsv).toBe(0); // control frames are never compressed (RFC 7692 section 6.1)
            continue;
          }
          parts.push(frame.payload);
          out.push(inflater.push(frame.payload, frame.fin));
          if (!frame.fin) {
            expect(unit.inflated).toBeUndefined();
            continue;
          }
          payloads.push(Uint8Array.from(parts.flatMap((p) => [...p])));
          const inflated = Uint8Array.from(out.flatMap((p) => [...p]));
          parts = [];
          out = [];
          expect(unit.inflated).toEqual(inflated);
          texts.push(ascii(inflated));
        }
        expect(payloads).toEqual(expected);
        expect(texts).toEqual(messages[dir]);
      }
    });
  }

  it('masks client frames over the compressed bytes with the fixed keys', () => {
    const first = byStep(run())['client-hello']![0]!;
    expect(first.bytes).toEqual(
      encodeFrame({
        opcode: 1,
        rsv: 4,
        payload: Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00),
        mask: maskKey(0),
      }),
    );
    expect(toHex(first.bytes.subarray(0, 2))).toBe('c1 87');
  });

  it('sets RSV1 on the first frame of a fragmented message only, never on continuation or control frames', () => {
    const units = byStep(run()).fragments!;
    expect(units.map((u) => toHex(u.bytes.subarray(0, 1)))).toEqual(['41', '89', '8a', '80']);
    expect(ascii(units[3]!.inflated!)).toBe(FRAGMENTED);
  });

  it('a right guess compresses smaller with context takeover; without it, every guess costs the same', () => {
    const guessFrame = (...choices: string[]) => byStep(run(...choices)).guess![0]!.bytes.length;
    expect(guessFrame('right-guess')).toBeLessThan(guessFrame('wrong-guess'));
    expect(guessFrame('no-takeover', 'right-guess')).toBe(guessFrame('no-takeover', 'wrong-guess'));
    expect(TOKEN.startsWith(`tok_${GUESSES.right}`)).toBe(true);
    // Over every character a key may hold, only the right one is smallest.
    const all = oracle('takeover', CANDIDATES);
    const smallest = Math.min(...all.map((o) => o.size));
    expect(all.filter((o) => o.size === smallest).map((o) => o.guess)).toEqual([`tok_${GUESSES.right}`]);
    expect(new Set(oracle('no-takeover', CANDIDATES).map((o) => o.size)).size).toBe(1);
  });

  it('a declined offer leaves the 101 without the extension and the frames uncompressed', () => {
    const actor = run('declined');
    expect(ctx(actor).path.at(-1)).toBe('declined');
    const units = unitsOf(actor);
    expect(header(units[1]!.bytes, 'Sec-WebSocket-Extensions')).toBeUndefined();
    expect(agreed(units)).toBeUndefined();
    const plain = frames(units).map((u) => decodeFrame(u.bytes, 0)!.frame);
    expect(plain.map((f) => [f.rsv, ascii(f.payload)])).toEqual([
      [0, HELLO],
      [0, HELLO],
    ]);
  });

  it('shows the four bytes the sender removes, and the bench figures where the lesson quotes them', () => {
    const actor = start(scenario.machine, input).actor;
    const panelAt = (step: string) => {
      while (ctx(actor).path.at(-1) !== step) actor.send({ type: 'step.next' });
      return scenario.panels!(ctx(actor) as never, 'en');
    };
    const tail = panelAt('server-hello')[0]!;
    expect(tail.kind === 'steps' && tail.items.map((i) => i.code)).toEqual([
      'f2 48 cd c9 c9 07 00 00 00 ff ff',
      '00 00 ff ff',
      'f2 48 cd c9 c9 07 00',
      'Hello',
    ]);
    // The figures the panel and the lesson quote are the README's, which npm run bench prints.
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const row = (name: string) =>
      new RegExp(`^${name}\\s+(.*)$`, 'm')
        .exec(readme)![1]!
        .split(/\s{2,}/)
        .map((cell) => cell.replace(/ \d\.\d\dx$/, ''));
    const memory = panelAt('memory')[0]!;
    expect(memory.kind === 'table' && memory.rows.map((r) => r.cells)).toEqual(
      [0, 1, 2, 3].map((i) => [
        row('JSON chat message')[i + 1],
        row('market tick')[i + 1],
        row('server RSS per connection')[i],
      ]),
    );
    expect(memory.kind === 'table' && memory.columns.slice(0, 2)).toEqual([
      `JSON chat (${row('JSON chat message')[0]})`,
      `Market tick (${row('market tick')[0]})`,
    ]);
    expect(nextUntilEnd(actor).at(-1)).toBe('oracle');
    const table = scenario.panels!(ctx(actor) as never, 'ko')[0]!;
    expect(table.kind === 'table' && table.rows.find((r) => r.head.includes('정답'))?.cells).toEqual([
      '30',
      '32',
    ]);
  });
});
