/**
 * permessage-deflate (RFC 7692): the browser's offer and the server's answer (section 7.1), 'Hello'
 * compressed with RSV1 set (section 6) and its DEFLATE bytes without the final 00 00 ff ff (7.2.1), the
 * same message twice more, each copy smaller as the context carries over (7.1.1), RSV1 on the first
 * frame of a fragmented message only and never on control frames, what it costs a server per
 * connection, and a compression oracle: a secret beside attacker-chosen text leaks through the size of
 * the frames (the CRIME and BREACH attacks on TLS, here on one WebSocket). The learner picks the
 * server's answer (context takeover, none, or no compression at all) and the attacker's guess.
 */
import { PLAYER, type Lang } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type Panel, type ScenarioModule } from '../../machines/scenario';
import { Opcode, RSV1 } from '../../protocol/constants';
import { deflateRaw } from '../../protocol/deflate';
import { encodeFrame } from '../../protocol/frame';
import { upgradeRequest, upgradeResponse } from '../../protocol/handshake';
import { toHex } from '../../protocol/hex';
import { serializeRequest, serializeResponse } from '../../protocol/http';
import { deflateDirections } from '../../protocol/permessageDeflate';
import { closeAndWait, openSocket, withTap } from '../../live/client';
import { FIXED, handshakeContext, handshakeInput, maskKey, type HandshakeInput } from '../wire';
import {
  agreement,
  guessMessage,
  guessOf,
  GUESSES,
  HELLO,
  modeOf,
  OFFER,
  oracle,
  SECRET,
  streams,
  type Compressed,
  type Mode,
} from './streams';
import spec from './spec';

export type CompressionContext = BaseContext & HandshakeInput;

const CONN = 'ws';
const encoder = new TextEncoder();

/**
 * `npm run bench` (tests/bench/deflate.ts), as the README reports it: server to client, frame header
 * included, on a 2-core machine; memory is the server's RSS per connection over 500 connections.
 */
export const BENCH = {
  chat: { payload: 145, plain: 148.7, takeover: 33.3, noTakeover: 125.3, window10: 44.5 },
  tick: { payload: 84, plain: 85.8, takeover: 14.1, noTakeover: 82.8, window10: 16.1 },
  memoryKiB: { plain: '16-18', takeover: '245-251', noTakeover: '248-260', window10: '116-118' },
} as const;

/** The request a browser sends for `new WebSocket(url)` where it supports compression. */
export function requestBytes(): Uint8Array {
  return serializeRequest(
    upgradeRequest({
      path: '/chat',
      host: FIXED.host,
      key: FIXED.key,
      origin: FIXED.origin,
      extensions: [OFFER],
    }),
  );
}

export function responseBytes(c: CompressionContext, mode: Mode): Uint8Array {
  const response = agreement(mode)?.response;
  return serializeResponse(
    upgradeResponse({ accept: c.accept.accept, ...(response ? { extensions: [response] } : {}) }),
  );
}

interface FrameArgs {
  opcode: number;
  payload: Uint8Array;
  compressed?: boolean;
  fin?: boolean;
  /** Index of the fixed mask key of a client frame (section 5.3); none for a server frame. */
  mask?: number;
}

export function frameBytes(f: FrameArgs): Uint8Array {
  return encodeFrame({
    opcode: f.opcode,
    payload: f.payload,
    fin: f.fin ?? true,
    rsv: f.compressed ? RSV1 : 0,
    ...(f.mask === undefined ? {} : { mask: maskKey(f.mask) }),
  });
}

/** One frame on the connection; a compressed message's last frame carries what it inflated to. */
function send(b: StepBuilder, f: FrameArgs, message?: Compressed): void {
  b.unit(CONN, f.mask === undefined ? 's2c' : 'c2s', 'ws-frame', frameBytes(f), {
    deflate: true,
    ...(message ? { inflated: message.inflated } : {}),
  });
}

/** Message `n` of each direction, as the learner's choices compress it. */
function sent(c: BaseContext, n: number) {
  const mode = modeOf(c);
  const s = streams(mode === 'declined' ? 'takeover' : mode, guessOf(c));
  return { client: s.client[n]!, server: s.server[n]! };
}

/** The client's copy `n` of 'Hello' and the server's echo of it. */
function helloPair(b: StepBuilder, c: BaseContext, n: number): void {
  const { client, server } = sent(c, n);
  send(b, { opcode: Opcode.Text, payload: client.payload, compressed: true, mask: n }, client);
  send(b, { opcode: Opcode.Text, payload: server.payload, compressed: true }, server);
}

export const STEPS: Record<string, StepBuild<CompressionContext>> = {
  offer: (b) => {
    b.peer('client', { readyState: 'CONNECTING' }, CONN);
    b.connect(CONN);
    b.unit(CONN, 'c2s', 'http-request', requestBytes());
  },
  answer: (b, c) => {
    const mode = modeOf(c);
    b.wait(1);
    b.unit(CONN, 's2c', 'http-response', responseBytes(c, mode));
    b.peer('server', { readyState: 'OPEN' }, CONN);
    b.peer('client', { readyState: 'OPEN' }, CONN);
    const response = agreement(mode)?.response;
    if (response) b.note('deflateAgreed', { response }, { conn: CONN });
    else b.note('deflateDeclined', undefined, { conn: CONN });
  },
  'client-hello': (b, c) => {
    const { client } = sent(c, 0);
    send(b, { opcode: Opcode.Text, payload: client.payload, compressed: true, mask: 0 }, client);
    b.note('deflateInflated', { bytes: client.payload.length, text: HELLO }, { peer: 'server', conn: CONN });
  },
  'server-hello': (b, c) => {
    const { server } = sent(c, 0);
    send(b, { opcode: Opcode.Text, payload: server.payload, compressed: true }, server);
  },
  'second-hello': (b, c) => helloPair(b, c, 1),
  'third-hello': (b, c) => helloPair(b, c, 2),
  fragments: (b, c) => {
    const { client } = sent(c, 3);
    // Section 6.1: the message is compressed first, then its payload is cut into frames.
    const half = Math.ceil(client.payload.length / 2);
    const ping = encoder.encode('hb-1');
    send(b, {
      opcode: Opcode.Text,
      payload: client.payload.subarray(0, half),
      compressed: true,
      fin: false,
      mask: 3,
    });
    send(b, { opcode: Opcode.Ping, payload: ping, mask: 4 });
    send(b, { opcode: Opcode.Pong, payload: ping });
    send(b, { opcode: Opcode.Continuation, payload: client.payload.subarray(half), mask: 5 }, client);
    b.note('deflateFragments', undefined, { peer: 'server', conn: CONN });
  },
  memory: (b) => {
    b.note(
      'deflateMemory',
      { plain: BENCH.memoryKiB.plain, compressed: BENCH.memoryKiB.takeover },
      { peer: 'server', conn: CONN },
    );
  },
  secret: (b, c) => {
    const { server } = sent(c, 3);
    send(b, { opcode: Opcode.Text, payload: server.payload, compressed: true }, server);
  },
  guess: (b, c) => {
    const { server } = sent(c, 4);
    send(b, { opcode: Opcode.Text, payload: server.payload, compressed: true }, server);
    b.note(
      'deflateEavesdropper',
      { guess: GUESSES[guessOf(c)], bytes: frameBytes({ opcode: 1, payload: server.payload }).length },
      { conn: CONN },
    );
  },
  oracle: (b, c) => {
    const mode = modeOf(c) === 'no-takeover' ? 'no-takeover' : 'takeover';
    const [right, wrong] = [GUESSES.right, GUESSES.wrong].map((g) => oracle(mode, g)[0]!.size);
    const where = { conn: CONN };
    if (right! < wrong!) b.note('deflateOracleLeaks', { right: right! + 2, wrong: wrong! + 2 }, where);
    else b.note('deflateOracleSilent', { bytes: right! + 2 }, where);
  },
  declined: (b) => {
    const plain = encoder.encode(HELLO);
    b.unit(CONN, 'c2s', 'ws-frame', frameBytes({ opcode: 1, payload: plain, mask: 0 }));
    b.unit(CONN, 's2c', 'ws-frame', frameBytes({ opcode: 1, payload: plain }));
  },
};

function panels(c: CompressionContext, lang: Lang): Panel[] {
  const t = PLAYER[lang].deflate;
  const step = c.path.at(-1);
  const mode = modeOf(c);
  const agreed = agreement(mode);
  if (step === 'answer' && agreed) {
    const ways = deflateDirections(agreed.params, 'client');
    const row = (head: string, d: { windowBits: number; noContextTakeover: boolean }) => ({
      head,
      cells: [t.window(d.windowBits), d.noContextTakeover ? t.reset : t.kept],
    });
    return [
      {
        kind: 'table',
        id: 'deflate-params',
        caption: t.params,
        columns: [t.windowColumn, t.contextColumn],
        rows: [row(t.clientToServer, ways.send), row(t.serverToClient, ways.receive)],
      },
    ];
  }
  if (step === 'server-hello') {
    const { server } = sent(c, 0);
    return [
      {
        kind: 'steps',
        id: 'deflate-tail',
        title: t.tail,
        items: [
          { text: t.deflated, code: toHex(deflateRaw(encoder.encode(HELLO))) },
          { text: t.removed, code: '00 00 ff ff', bad: true },
          { text: t.payload, code: toHex(server.payload) },
          { text: t.inflated, code: new TextDecoder().decode(server.inflated) },
        ],
      },
    ];
  }
  if (step === 'second-hello' || step === 'third-hello') {
    const copies = step === 'second-hello' ? 2 : 3;
    const plain = encoder.encode(HELLO);
    const rows = [
      {
        head: t.uncompressed,
        cells: [toHex(plain), String(frameBytes({ opcode: 1, payload: plain }).length)],
      },
    ];
    for (let n = 0; n < copies; n++) {
      const { payload } = sent(c, n).server;
      rows.push({
        head: t.copy(n + 1),
        cells: [toHex(payload), String(frameBytes({ opcode: 1, payload }).length)],
      });
    }
    return [
      {
        kind: 'table',
        id: 'deflate-copies',
        caption: t.copies,
        columns: [t.payloadColumn, t.frameColumn],
        rows,
      },
    ];
  }
  if (step === 'memory') {
    const cells = (k: 'plain' | 'takeover' | 'noTakeover' | 'window10') => [
      `${BENCH.chat[k]} B`,
      `${BENCH.tick[k]} B`,
      `${BENCH.memoryKiB[k]} KiB`,
    ];
    return [
      {
        kind: 'table',
        id: 'deflate-memory',
        caption: t.memory,
        columns: [t.chatColumn(BENCH.chat.payload), t.tickColumn(BENCH.tick.payload), t.memoryColumn],
        rows: [
          { head: t.plainRow, cells: cells('plain') },
          { head: t.takeoverRow, cells: cells('takeover') },
          { head: t.noTakeoverRow, cells: cells('noTakeover') },
          { head: t.windowRow, cells: cells('window10') },
        ],
      },
    ];
  }
  if (step === 'oracle') {
    const rows = oracle(mode === 'no-takeover' ? 'no-takeover' : 'takeover').map(({ guess, size }) => ({
      head: guess.endsWith(GUESSES.right) ? t.right(guess) : guess,
      cells: [String(size), String(size + 2)],
    }));
    return [
      {
        kind: 'table',
        id: 'deflate-oracle',
        caption: t.oracle,
        columns: [t.payloadBytes, t.frameColumn],
        rows,
      },
    ];
  }
  return [];
}

const scenario: ScenarioModule<CompressionContext> = {
  spec,
  machine: scenarioMachine<CompressionContext, BaseInput & HandshakeInput>({
    spec,
    context: handshakeContext,
    steps: STEPS,
    guards: { declined: ({ context }) => modeOf(context) === 'declined' },
  }),
  prepare: () => handshakeInput(),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  panels,
  // The page sends what the simulated server sends, so /ws/deflate's echoes are the simulated frames.
  runLive: (c) =>
    withTap(async (tap, observe) => {
      const mode = modeOf(c);
      const socket = await openSocket(
        tap,
        mode === 'declined' ? '/ws/echo' : '/ws/deflate',
        mode === 'no-takeover' ? { takeover: 'off' } : {},
      );
      observe('observedOpen', { protocol: socket.ws.protocol, extensions: socket.ws.extensions });
      for (const message of [HELLO, HELLO, HELLO, SECRET, guessMessage(GUESSES[guessOf(c)])]) {
        socket.ws.send(message);
        const echo = String(await socket.next());
        if (message !== HELLO) observe('observedEcho', { text: echo });
      }
      await closeAndWait(socket, 1000, 'done');
    }),
};

export default scenario;
