/**
 * "Run it for real": the same exchange as each scenario, made by the browser against the demo server
 * (fetch, WebSocket), every request tagged with the tap session, and the real trace read back from the
 * tap. Loaded lazily, only when the learner asks for a live run.
 */
import type { ScenarioId } from '../machines/catalog';
import type { TraceEvent } from '../trace/types';
import { openTap, TAPPED_REQUEST, wsUrl, type TapSession } from './tap';

export interface LiveOptions {
  /** The learner's choices in the simulation (which side closes, and so on). */
  choice?: string;
  /** The learner's own message in the frames flow. */
  typed?: string;
  closeCode?: number;
  closeReason?: string;
}

export interface LiveResult {
  session: string;
  startedAt: number;
  events: TraceEvent[];
  dropped: number;
  /** What the page itself saw (close codes, messages), to set beside the wire. */
  observed: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function get(tap: TapSession, path: string): Promise<Response> {
  const response = await fetch(tap.withSession(path), TAPPED_REQUEST);
  await response.arrayBuffer();
  return response;
}

async function post(tap: TapSession, path: string, body: unknown = {}): Promise<Response> {
  const response = await fetch(tap.withSession(path), {
    ...TAPPED_REQUEST,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response;
}

interface Socket {
  ws: WebSocket;
  name: string;
  messages: unknown[];
  closed: Promise<CloseEvent>;
  next(): Promise<unknown>;
}

function openSocket(tap: TapSession, path: string, params: Record<string, string> = {}): Promise<Socket> {
  const name = `live-${Math.random().toString(36).slice(2, 8)}`;
  const query = new URLSearchParams({ name, ...params }).toString();
  const ws = new WebSocket(wsUrl(tap.withSession(`${path}?${query}`)));
  ws.binaryType = 'arraybuffer';
  const messages: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  ws.onmessage = (e) => {
    const resolve = waiting.shift();
    if (resolve) resolve(e.data);
    else messages.push(e.data);
  };
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  return new Promise((resolve, reject) => {
    ws.onopen = () =>
      resolve({
        ws,
        name,
        messages,
        closed,
        next: () =>
          messages.length > 0
            ? Promise.resolve(messages.shift())
            : new Promise((r, j) => {
                waiting.push(r);
                setTimeout(() => j(new Error('no message from the server')), 8000);
              }),
      });
    ws.onerror = () => reject(new Error(`could not open ${path}`));
  });
}

async function closeAndWait(socket: Socket, code?: number, reason?: string): Promise<CloseEvent> {
  if (code === undefined) socket.ws.close();
  else socket.ws.close(code, reason);
  return socket.closed;
}

type Runner = (tap: TapSession, options: LiveOptions, observed: string[]) => Promise<void>;

const RUNNERS: Record<ScenarioId, Runner> = {
  'request-response': async (tap) => {
    await get(tap, '/api/time');
    await get(tap, '/api/stream/poll?since=0');
    await post(tap, '/api/stream/publish', { payload: 'hello' });
    await get(tap, '/api/stream/poll?since=0');
  },
  'long-polling': async (tap, _options, observed) => {
    const first = get(tap, '/api/poll?since=0&wait=3000');
    await sleep(300);
    await post(tap, '/api/stream/publish', { payload: 'hello' });
    const answer = await first;
    observed.push(`first poll: ${answer.status}`);
    const second = await get(tap, '/api/poll?since=1&wait=600');
    observed.push(`second poll: ${second.status}`);
  },
  'opening-handshake': async (tap, _options, observed) => {
    const socket = await openSocket(tap, '/ws/echo');
    observed.push(`readyState OPEN, protocol "${socket.ws.protocol}", extensions "${socket.ws.extensions}"`);
    const close = await closeAndWait(socket, 1000, 'done');
    observed.push(`close event ${close.code}`);
  },
  frames: async (tap, options, observed) => {
    const socket = await openSocket(tap, '/ws/echo');
    socket.ws.send('Hello');
    await socket.next();
    socket.ws.send(Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0xfe, 0xff));
    await socket.next();
    socket.ws.send('The quick brown fox jumps over the lazy dog. '.repeat(7).slice(0, 300));
    await socket.next();
    // The 64-bit length form starts at 65 536 bytes, which is also the server's message limit.
    socket.ws.send(Uint8Array.from({ length: 65_536 }, (_, i) => i & 0xff));
    await socket.next();
    // A browser cannot send pings or fragments itself: the server pings, the browser answers.
    await post(tap, `/api/ws/ping?name=${socket.name}`, { payload: 'hb-1' });
    await sleep(100);
    socket.ws.send(options.typed ?? 'Hi from me');
    observed.push(`echo of your message: ${String(await socket.next())}`);
    await closeAndWait(socket, 1000, 'done');
  },
  'closing-handshake': async (tap, options, observed) => {
    const socket = await openSocket(tap, '/ws/echo');
    const choice = options.choice?.split('-then-').at(-1) ?? 'client';
    const code = options.closeCode ?? 1000;
    const reason = options.closeReason ?? 'done';
    let close: CloseEvent;
    if (choice === 'server') {
      await post(tap, `/api/ws/close?name=${socket.name}`, { code, reason });
      close = await socket.closed;
    } else if (choice === 'tcp-cut') {
      await post(tap, `/api/ws/cut?name=${socket.name}`);
      close = await socket.closed;
    } else if (choice === 'no-status') {
      close = await closeAndWait(socket);
    } else {
      close = await closeAndWait(socket, code, reason);
    }
    observed.push(`close event: code ${close.code}, reason "${close.reason}", wasClean ${close.wasClean}`);
  },
  'http-vs-websocket': async (tap) => {
    await get(tap, '/api/stream/poll?since=0');
    const socket = await openSocket(tap, '/ws/echo', { greet: '{"id":2}' });
    await socket.next();
    await get(tap, '/api/stream/poll?since=0');
    socket.ws.send('{"ack":2}');
    await socket.next();
    await closeAndWait(socket, 1000, 'done');
  },
};

/** Run the scenario for real and return the trace the server's tap saw. */
export async function runLive(scenario: ScenarioId, options: LiveOptions = {}): Promise<LiveResult> {
  const tap = await openTap();
  const observed: string[] = [];
  try {
    await RUNNERS[scenario](tap, options, observed);
    await tap.settle();
  } finally {
    tap.close();
  }
  return { session: tap.id, startedAt: tap.startedAt, events: tap.events, dropped: tap.dropped, observed };
}
