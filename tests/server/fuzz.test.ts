/**
 * Hostile input on real sockets: seeded fast-check properties against an in-process server.
 *
 * (a) Random bytes and mutated HTTP/1.1 request heads (RFC 9112 sections 2-7) over raw TCP.
 * (b) After a valid opening handshake on /ws/echo, random frames (RFC 6455 section 5.2).
 *
 * Every connection must end, within CONNECTION_DEADLINE_MS, in an allowed outcome: HTTP responses with
 * statuses from an allowed set that parse as a well-formed sequence of messages, or close frames with an
 * allowed code, or a TCP close. After each run the server still answers /healthz, and a well-behaved
 * echo client running alongside the whole time gets every one of its messages back, in order.
 *
 * The seed is fixed; set WIRESCOPE_FUZZ_SEED to explore other cases.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import {
  HttpError,
  decodeFrame,
  parseCloseBody,
  parseHttpMessage,
  type Frame,
} from '../../src/lib/protocol/index.ts';
import { headEnd, start, statusOf, upgradeRequest, waitFor, wsUrl } from './helpers.ts';

const SEED = Number(process.env.WIRESCOPE_FUZZ_SEED ?? 0x5eed_2026);
const RUNS = Number(process.env.WIRESCOPE_FUZZ_RUNS ?? 150);
const CONNECTION_DEADLINE_MS = 2000;
const MAX_MESSAGE_BYTES = 1024;
/** Short enough that a connection left open with half a head meets its 408 well inside the deadline. */
const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;

let server: RunningServer;
let echo: SteadyEchoClient;

beforeAll(async () => {
  server = await start({
    maxMessageBytes: MAX_MESSAGE_BYTES,
    maxFragments: 16,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: 500,
    pollWaitMs: 200,
    maxPollWaitMs: 300,
  });
  echo = await SteadyEchoClient.open(server.url);
});
afterAll(async () => {
  echo.stop();
  await server.close();
});

// ---------------------------------------------------------------------------------------------------
// A well-behaved client running alongside every hostile one.

class SteadyEchoClient {
  private sent = 0;
  readonly received: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.received.push(String(data)));
    this.timer = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.send(`steady ${this.sent++}`);
    }, 15);
  }

  static async open(url: string): Promise<SteadyEchoClient> {
    const ws = new WebSocket(wsUrl(url, '/ws/echo'));
    await once(ws, 'open');
    return new SteadyEchoClient(ws);
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Every echo so far is the next message sent: nothing lost, duplicated or reordered. */
  inOrder(): boolean {
    return this.received.every((text, i) => text === `steady ${i}`);
  }

  async settled(): Promise<void> {
    await waitFor(() => this.received.length === this.sent, CONNECTION_DEADLINE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.ws.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// One hostile connection.

type Ending = 'fin' | 'reset' | 'open';

interface Outcome {
  received: Buffer;
  /** The server closed the connection (FIN or reset) before we gave up or left. */
  closedByServer: boolean;
  timedOut: boolean;
}

/**
 * Writes `chunks` one by one (each its own write, so heads arrive split), then ends as `ending` says and
 * waits until `done(received)` holds or the server closes the connection, at most the deadline.
 */
async function converse(
  chunks: readonly Uint8Array[],
  ending: Ending,
  done: (received: Buffer) => boolean,
  prefix: Uint8Array = new Uint8Array(0),
  afterPrefix: (received: Buffer) => boolean = () => true,
): Promise<Outcome> {
  const socket: Socket = connect(server.port, '127.0.0.1');
  const parts: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await once(socket, 'connect');
  const received = () => Buffer.concat(parts);
  const deadline = Date.now() + CONNECTION_DEADLINE_MS;
  const wait = async (predicate: () => boolean) => {
    while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  };
  if (prefix.length > 0) {
    socket.write(prefix);
    await wait(() => closed || afterPrefix(received()));
  }
  for (const chunk of chunks) {
    if (closed) break;
    socket.write(chunk);
    await new Promise((r) => setImmediate(r));
  }
  if (ending === 'reset' && !closed) {
    socket.resetAndDestroy();
    return { received: received(), closedByServer: false, timedOut: false };
  }
  // After our FIN the server must close too (RFC 9112 section 9.6); left open, it must answer.
  if (ending === 'fin' && !closed) socket.end();
  const finished = () => closed || (ending === 'open' && done(received()));
  await wait(finished);
  const timedOut = !finished();
  const closedByServer = closed;
  socket.destroy();
  return { received: received(), closedByServer, timedOut };
}

// ---------------------------------------------------------------------------------------------------
// (a) HTTP/1.1 request heads.

/**
 * Statuses a hostile request may earn. RFC 9110 section 10.1.1: `Expect: 100-continue` earns the interim
 * 100, any other expectation 417. 503 is the long-poll cap. 500 is not here: nothing a client sends is
 * the server's fault.
 */
const ALLOWED_STATUSES = new Set([100, 101, 200, 204, 400, 403, 404, 405, 408, 413, 417, 421, 426, 431, 503]);

interface HttpCase {
  chunks: Uint8Array[];
  ending: Ending;
  /** Methods of the requests as sent, to know which responses have no body (RFC 9110 section 9.3.2). */
  methods: string[];
  label: string;
}

/** Parses the responses in `bytes` one after another; throws on a malformed sequence. */
function responses(
  bytes: Buffer,
  methods: readonly string[],
  eof: boolean,
): { statuses: number[]; rest: number } {
  const statuses: number[] = [];
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    let result;
    const method = methods[index] ?? 'GET';
    try {
      result = parseHttpMessage(bytes, offset, { kind: 'response', requestMethod: method, eof });
    } catch (error) {
      // A request we garbled may have been read as a different one: try the other body rule once.
      if (!(error instanceof HttpError)) throw error;
      result = parseHttpMessage(bytes, offset, {
        kind: 'response',
        requestMethod: method === 'HEAD' ? 'GET' : 'HEAD',
        eof,
      });
    }
    if (!result) break;
    const { message } = result;
    if (message.kind !== 'response') throw new Error('not a response');
    statuses.push(message.status);
    offset += result.bytesUsed;
    // An interim response (RFC 9110 section 15.2) is followed by the final one to the same request.
    if (message.status >= 200) index++;
    if (result.upgrade) return { statuses, rest: bytes.length - offset };
  }
  return { statuses, rest: bytes.length - offset };
}

/** A head with a status line is there (a streaming response's body may never end). */
function firstHeadComplete(bytes: Buffer): boolean {
  return headEnd(bytes) >= 0;
}

const hostile = (alphabet: string, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { maxLength }).map((chars) => chars.join(''));

const CONTROL = '\r\n\0\t \x7f:;,"';

function httpCases(port: number): fc.Arbitrary<HttpCase> {
  const host = `127.0.0.1:${port}`;
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') },
    { weight: 2, arbitrary: fc.constantFrom('CONNECT', 'TRACE', 'PRI', 'get', 'G\0T', '', 'GET GET') },
    { weight: 1, arbitrary: hostile(`AZ${CONTROL}`, 8) },
  );
  const target = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        '/healthz',
        '/api/time',
        '/api/stats',
        '/api/poll?wait=50',
        '/api/stream/poll?since=0',
        '/api/stream/status',
        '/api/stream/publish',
        '/api/ws/push?name=nobody',
        '/api/nope',
        '/ws/echo',
        '/ws/stream',
        '/',
        '/index.html',
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '*',
        'http://127.0.0.1/healthz',
        `http://${host}/api/time`,
        '/api/time?session=nosuchsession',
        '/%00',
      ),
    },
    { weight: 1, arbitrary: hostile(`/a?=&%${CONTROL}`, 24) },
  );
  const version = fc.oneof(
    { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.10', 'http/1.1', 'HTTP/1.1 x', ''),
    },
  );
  const headerName = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'Content-Length',
        'Transfer-Encoding',
        'Connection',
        'Upgrade',
        'Origin',
        'Host',
        'Expect',
        'Sec-WebSocket-Key',
        'Sec-WebSocket-Version',
        'Last-Event-ID',
        'X-Junk',
      ),
    },
    { weight: 1, arbitrary: hostile(`Xy-${CONTROL}`, 10) },
  );
  const headerValue = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '0',
        '5',
        '-1',
        'abc',
        '1, 2',
        '99999999999999999999',
        '70000',
        ' 3',
        'chunked',
        'gzip, chunked',
        'chunked, gzip',
        'identity',
        'close',
        'keep-alive',
        'Upgrade',
        'websocket',
        '100-continue',
        'http://evil.example',
        `http://${host}`,
        'dGhlIHNhbXBsZSBub25jZQ==',
        '13',
      ),
    },
    { weight: 1, arbitrary: hostile(`ab0${CONTROL}`, 16) },
    // Past --max-header-bytes: 431 (RFC 6585 section 5).
    { weight: 1, arbitrary: fc.integer({ min: 15_000, max: 20_000 }).map((n) => 'a'.repeat(n)) },
  );
  const hostHeader = fc.oneof(
    { weight: 6, arbitrary: fc.constant([`Host: ${host}`]) },
    { weight: 1, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.constantFrom(['Host: evil.example'], [`Host: ${host}`, `Host: ${host}`]) },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('{"payload":"hi"}', '{', '[]', 'null') },
    // Chunked framing (RFC 9112 section 7.1), well-formed and not.
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '5\r\nhello\r\n0\r\n\r\n',
        '5\r\nhel',
        'zz\r\nhello\r\n0\r\n\r\n',
        '5\r\nhelloXX0\r\n\r\n',
        'ffffffffffffffff\r\n',
        '1;ext="\0"\r\nx\r\n0\r\n\r\n',
        '0\r\nTrailer: \r\n x\r\n\r\n',
        '-1\r\n',
      ),
    },
    { weight: 1, arbitrary: hostile(`01a${CONTROL}`, 40) },
  );
  const request = fc
    .record({
      method,
      target,
      version,
      host: hostHeader,
      headers: fc.oneof(
        { weight: 2, arbitrary: fc.constant([] as Array<[string, string]>) },
        { weight: 3, arbitrary: fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 3 }) },
      ),
      body,
    })
    .map(({ method, target, version, host: hostLines, headers, body }) => ({
      method,
      text:
        `${method} ${target} ${version}\r\n` +
        [...hostLines, ...headers.map(([name, value]) => `${name}: ${value}`)]
          .map((l) => `${l}\r\n`)
          .join('') +
        `\r\n${body}`,
    }));
  /** One mutation of the bytes: insert, replace or delete a byte, or cut the text short. */
  const mutate = (text: string) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.constant(text) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.nat(text.length), fc.constantFrom('\r', '\n', '\0', ' ', ':', '\x80', 'x'))
          .map(([at, char]) => text.slice(0, at) + char + text.slice(at)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.nat(Math.max(0, text.length - 1)), fc.constantFrom('\r', '\n', '\0', ' '))
          .map(([at, char]) => text.slice(0, at) + char + text.slice(at + 1)),
      },
      {
        weight: 1,
        arbitrary: fc.nat(Math.max(0, text.length - 1)).map((at) => text.slice(0, at) + text.slice(at + 1)),
      },
      { weight: 1, arbitrary: fc.nat(text.length).map((at) => text.slice(0, at)) },
    );
  const structured = fc.array(request, { minLength: 1, maxLength: 3 }).chain((requests) =>
    mutate(requests.map((r) => r.text).join('')).map((text) => ({
      text,
      methods: requests.map((r) => r.method),
    })),
  );
  // Well-formed requests too, pipelined, so the happy statuses (200, 204, 404) are part of every run.
  const clean = fc
    .array(
      fc.record({
        method: fc.constantFrom('GET', 'HEAD'),
        target: fc.constantFrom('/healthz', '/api/time', '/api/stats', '/api/poll?wait=0', '/api/nope', '/'),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((requests) => ({
      bytes: Buffer.from(
        requests.map((r) => `${r.method} ${r.target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`).join(''),
      ),
      methods: requests.map((r) => r.method),
      label: 'clean requests',
    }));
  const bytes = fc.oneof(
    { weight: 2, arbitrary: clean },
    {
      weight: 5,
      arbitrary: structured.map(({ text, methods }) => ({
        bytes: Buffer.from(text, 'latin1'),
        methods,
        label: 'request',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 300 })
        .map((b) => ({ bytes: Buffer.from(b), methods: [], label: 'random bytes' })),
    },
  );
  return fc
    .record({
      sample: bytes,
      splits: fc.array(fc.nat(), { maxLength: 3 }),
      ending: fc.oneof(
        { weight: 5, arbitrary: fc.constant<Ending>('fin') },
        { weight: 2, arbitrary: fc.constant<Ending>('reset') },
        { weight: 1, arbitrary: fc.constant<Ending>('open') },
      ),
    })
    .map(({ sample, splits, ending }) => {
      // Split the bytes into separate writes at the chosen points (a head that arrives piece by piece).
      const cuts = [
        ...new Set(splits.map((n) => (sample.bytes.length === 0 ? 0 : n % sample.bytes.length))),
      ].sort((x, y) => x - y);
      const chunks: Uint8Array[] = [];
      let from = 0;
      for (const cut of [...cuts, sample.bytes.length]) {
        if (cut > from) chunks.push(sample.bytes.subarray(from, cut));
        from = cut;
      }
      const c: HttpCase = { chunks, ending, methods: sample.methods, label: sample.label };
      return printable(c, () => describeCase(c));
    });
}

/** Shows a counterexample as a short story, not as kilobytes of byte values. */
function printable<T extends object>(value: T, story: () => string): T {
  return Object.assign(value, { [fc.toStringMethod]: story });
}

const clip = (bytes: Buffer) => {
  const text = bytes.toString('latin1');
  return JSON.stringify(
    text.length > 300 ? `${text.slice(0, 200)}…(${text.length} bytes)…${text.slice(-80)}` : text,
  );
};

function describeCase(c: HttpCase, outcome?: Outcome): string {
  const sent = `${c.label} in ${c.chunks.length} writes, ending ${c.ending}: sent ${clip(Buffer.concat(c.chunks))}`;
  return outcome ? `${sent}; got ${clip(outcome.received)}` : sent;
}

// ---------------------------------------------------------------------------------------------------
// (b) WebSocket frames.

const MASK_KEY = new Uint8Array([0x5a, 0x13, 0xc7, 0x2e]);
/** Codes our server may send of its own accord on /ws/echo (RFC 6455 section 7.4.1). */
const SERVER_CLOSE_CODES = new Set([1000, 1002, 1007, 1008, 1009]);

type LengthForm = 'minimal' | 'wide16' | 'wide64' | 'top-bit' | 'truncated';

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
  length: LengthForm;
}

/**
 * Encodes a frame by hand (RFC 6455 section 5.2) so that every field may lie: non-minimal extended
 * lengths, a 64-bit length with its most significant bit set (section 5.2 forbids it), a length larger
 * than the bytes that follow.
 */
function buildFrame(f: FrameSpec): Uint8Array {
  const declared = f.length === 'truncated' ? f.payload.length + 7 : f.payload.length;
  const head: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const maskBit = f.masked ? 0x80 : 0;
  const form = f.length === 'truncated' ? 'minimal' : f.length;
  if (form === 'top-bit') {
    head.push(maskBit | 127, 0x80, 0, 0, 0, 0, 0, 0, declared & 0xff);
  } else if (form === 'wide64' || (form !== 'wide16' && declared > 0xffff)) {
    head.push(
      maskBit | 127,
      0,
      0,
      0,
      0,
      (declared >>> 24) & 0xff,
      (declared >>> 16) & 0xff,
      (declared >>> 8) & 0xff,
      declared & 0xff,
    );
  } else if (form === 'wide16' || declared > 125) {
    head.push(maskBit | 126, (declared >>> 8) & 0xff, declared & 0xff);
  } else {
    head.push(maskBit | declared);
  }
  const payload = Uint8Array.from(f.payload, (b, i) => (f.masked ? b ^ MASK_KEY[i % 4]! : b));
  return Uint8Array.from([...head, ...(f.masked ? MASK_KEY : []), ...payload]);
}

const masked = (opcode: number, payload: Uint8Array, fin = true): FrameSpec => ({
  fin,
  rsv: 0,
  opcode,
  masked: true,
  payload,
  length: 'minimal',
});

const utf8 = (text: string) => new TextEncoder().encode(text);
const closeBody = (code: number, reason: Uint8Array = new Uint8Array(0)) =>
  Uint8Array.from([code >> 8, code & 0xff, ...reason]);

const INVALID_UTF8 = [
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xed, 0xa0, 0x80],
].map((b) => Uint8Array.from(b));

const payloadBytes = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 140 }) },
  // Past --max-message-bytes: 1009 (section 10.4).
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_MESSAGE_BYTES - 2, max: MAX_MESSAGE_BYTES + 80 })
      .map((n) => new Uint8Array(n)),
  },
);

const randomFrame: fc.Arbitrary<FrameSpec[]> = fc
  .record({
    fin: fc.boolean(),
    rsv: fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) },
    ),
    opcode: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) },
    ),
    masked: fc.oneof(
      { weight: 8, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    payload: payloadBytes,
    length: fc.oneof(
      { weight: 6, arbitrary: fc.constant<LengthForm>('minimal') },
      { weight: 1, arbitrary: fc.constantFrom<LengthForm>('wide16', 'wide64', 'top-bit', 'truncated') },
    ),
  })
  .map((f) => [f]);

/** A text message in fragments, with pings and pongs between them (section 5.4 allows it). */
const fragmentedText: fc.Arbitrary<FrameSpec[]> = fc
  .record({
    text: fc.string({ unit: 'binary', maxLength: 60 }),
    invalid: fc.option(fc.constantFrom(...INVALID_UTF8), { freq: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    controls: fc.array(fc.constantFrom(9, 10), { maxLength: 3 }),
  })
  .map(({ text, invalid, cuts, controls }) => {
    const bytes = invalid ? Uint8Array.from([...utf8(text), ...invalid]) : utf8(text);
    const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
      (a, b) => a - b,
    );
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const p of [...points, bytes.length]) {
      if (p > from || pieces.length === 0) pieces.push(bytes.subarray(from, p));
      from = Math.max(from, p);
    }
    const frames: FrameSpec[] = [];
    pieces.forEach((piece, i) => {
      frames.push(masked(i === 0 ? 1 : 0, piece, i === pieces.length - 1));
      const control = controls[i];
      if (control !== undefined && i < pieces.length - 1) frames.push(masked(control, utf8('between')));
    });
    return frames;
  });

/** Close frames, valid and not: codes that may not be sent, bodies of one byte, bad UTF-8, long reasons. */
const closeFrame: fc.Arbitrary<FrameSpec[]> = fc
  .oneof(
    fc.constant(new Uint8Array(0)),
    fc.constant(new Uint8Array([0x03])),
    fc
      .record({
        code: fc.oneof(
          fc.constantFrom(
            1000,
            1001,
            1002,
            1003,
            1004,
            1005,
            1006,
            1011,
            1015,
            1016,
            999,
            2999,
            3000,
            4999,
            5000,
          ),
          fc.integer({ min: 0, max: 0xffff }),
        ),
        reason: fc.oneof(
          fc.string({ maxLength: 20 }).map(utf8),
          fc.constantFrom(...INVALID_UTF8),
          fc.constant(utf8('r'.repeat(124))),
        ),
      })
      .map(({ code, reason }) => closeBody(code, reason)),
  )
  .map((payload) => [masked(8, payload)]);

/** More fragments than --max-fragments allows (1008), the continuations as small as they come. */
const fragmentFlood: fc.Arbitrary<FrameSpec[]> = fc
  .integer({ min: 14, max: 20 })
  .map((n) => Array.from({ length: n }, (_, i) => masked(i === 0 ? 2 : 0, new Uint8Array([i]), i === n - 1)));

interface WsCase {
  frames: FrameSpec[];
  ending: 'close' | 'fin' | 'reset';
}

const wsCases: fc.Arbitrary<WsCase> = fc
  .record({
    groups: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: randomFrame },
        { weight: 3, arbitrary: fragmentedText },
        { weight: 1, arbitrary: closeFrame },
        { weight: 1, arbitrary: fragmentFlood },
        { weight: 2, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => [masked(2, b)]) },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    ending: fc.constantFrom<WsCase['ending']>('close', 'close', 'fin', 'reset'),
  })
  .map(({ groups, ending }) => {
    const frames = groups.flat();
    // A frame that promises more bytes than it carries swallows whatever follows, a close frame included:
    // the server rightly waits for the rest, so such a script ends with our FIN or a reset instead.
    const truncated = frames.some((f) => f.length === 'truncated');
    return { frames, ending: truncated && ending === 'close' ? 'fin' : ending };
  });

/** Close codes the server could echo back (section 5.5.1): those of well-formed close frames we sent. */
function echoableCodes(frames: readonly FrameSpec[]): Set<number | undefined> {
  const codes = new Set<number | undefined>();
  for (const f of frames) {
    if (f.opcode !== 8) continue;
    const body = parseCloseBody(f.payload);
    if (body.ok) codes.add(body.code);
  }
  return codes;
}

/** The server's frames after the 101 head; throws when they do not decode as a server's frames. */
function serverFrames(bytes: Buffer, allowPartialTail: boolean): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // Section 5.1: a server never masks.
    const result = decodeFrame(bytes, offset, { requireMask: false });
    if (!result) {
      if (allowPartialTail) break;
      throw new Error(`server frames end in half a frame at ${offset}`);
    }
    frames.push(result.frame);
    offset += result.bytesUsed;
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------------

async function healthz(): Promise<number> {
  const outcome = await converse(
    [Buffer.from(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`)],
    'open',
    () => false,
  );
  return statusOf(outcome.received);
}

async function serverIsWell(): Promise<void> {
  expect(await healthz()).toBe(200);
  expect(echo.open).toBe(true);
  expect(echo.inOrder()).toBe(true);
}

describe('hostile input never crashes the server or costs other clients their data', () => {
  it('(a) random and mutated HTTP/1.1 heads end in an allowed status or a TCP close', async () => {
    await fc.assert(
      fc.asyncProperty(httpCases(server.port), async (c) => {
        const outcome = await converse(c.chunks, c.ending, (bytes) => firstHeadComplete(bytes));
        const story = describeCase(c, outcome);
        expect(outcome.timedOut, `hung past ${CONNECTION_DEADLINE_MS} ms: ${story}`).toBe(false);
        if (c.ending !== 'reset' && outcome.received.length > 0) {
          let parsed;
          try {
            parsed = responses(outcome.received, c.methods, outcome.closedByServer);
          } catch (error) {
            throw new Error(`responses do not parse (${String(error)}): ${story}`, { cause: error });
          }
          expect(parsed.statuses.length, `no status line: ${story}`).toBeGreaterThan(0);
          for (const status of parsed.statuses) expect(ALLOWED_STATUSES.has(status), story).toBe(true);
        }
        await serverIsWell();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    await echo.settled();
    expect(echo.inOrder()).toBe(true);
  });

  it('(b) random frames after a valid upgrade end in an allowed close code or a TCP close', async () => {
    await fc.assert(
      fc.asyncProperty(wsCases, async (c) => {
        const chunks = c.frames.map(buildFrame);
        if (c.ending === 'close') chunks.push(buildFrame(masked(8, closeBody(1000))));
        const outcome = await converse(
          chunks,
          c.ending === 'close' ? 'open' : c.ending,
          () => false,
          Buffer.from(upgradeRequest('/ws/echo', server.port)),
          (bytes) => headEnd(bytes) >= 0,
        );
        const story = `frames ${JSON.stringify(c.frames.map((f) => ({ ...f, payload: f.payload.length })))}, ending ${c.ending}`;
        expect(statusOf(outcome.received), story).toBe(101);
        expect(outcome.timedOut, `hung past ${CONNECTION_DEADLINE_MS} ms: ${story}`).toBe(false);
        let frames: Frame[];
        try {
          frames = serverFrames(
            outcome.received.subarray(headEnd(outcome.received) + 4),
            c.ending === 'reset',
          );
        } catch (error) {
          throw new Error(`server frames do not decode (${String(error)}): ${story}`, { cause: error });
        }
        const closes = frames.filter((f) => f.opcode === 8);
        expect(closes.length, story).toBeLessThanOrEqual(1);
        // Section 5.5.1: after a close frame an endpoint sends no more data frames.
        if (closes.length === 1) expect(frames.at(-1)?.opcode, story).toBe(8);
        const close = closes[0];
        if (close) {
          const body = parseCloseBody(close.payload);
          expect(body.ok, story).toBe(true);
          const code = body.ok ? body.code : -1;
          const allowed =
            SERVER_CLOSE_CODES.has(code ?? -1) ||
            echoableCodes([...c.frames, ...(c.ending === 'close' ? [masked(8, closeBody(1000))] : [])]).has(
              code,
            );
          expect(allowed, `close code ${code}: ${story}`).toBe(true);
        }
        await serverIsWell();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    await echo.settled();
    expect(echo.inOrder()).toBe(true);
  });

  it('releases every hostile connection: only the steady echo client is left', async () => {
    await waitFor(() => server.ctx.sockets.size === 1 && server.ctx.polls.size === 0, CONNECTION_DEADLINE_MS);
    const stats = (await (await fetch(`${server.url}/api/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ websockets: 1, pendingPolls: 0, sessions: 0 });
  });
});
