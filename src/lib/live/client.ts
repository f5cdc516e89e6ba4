/**
 * "Run it for real": what a scenario's live runner uses to make the same exchange as its simulation
 * against the demo server (fetch, WebSocket), every request tagged with the tap session, and to read
 * the real trace back from the tap. Loaded lazily, only when the learner asks for a live run.
 */
import type { LiveOutcome, Observation } from '../machines/scenario';
import type { NoteKey, NoteParams, NoteParamRecord } from '../i18n/notes';
import { endpoint, wsUrl } from './endpoint';
import { openTap, TAPPED_REQUEST, type TapSession } from './tap';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function get(tap: TapSession, path: string): Promise<Response> {
  const response = await fetch(endpoint(tap.withSession(path)), TAPPED_REQUEST);
  await response.arrayBuffer();
  return response;
}

export async function post(tap: TapSession, path: string, body: unknown = {}): Promise<Response> {
  const response = await fetch(endpoint(tap.withSession(path)), {
    ...TAPPED_REQUEST,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response;
}

export interface Socket {
  ws: WebSocket;
  name: string;
  messages: unknown[];
  closed: Promise<CloseEvent>;
  next(): Promise<unknown>;
}

export function openSocket(
  tap: TapSession,
  path: string,
  params: Record<string, string> = {},
): Promise<Socket> {
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

export async function closeAndWait(socket: Socket, code?: number, reason?: string): Promise<CloseEvent> {
  if (code === undefined) socket.ws.close();
  else socket.ws.close(code, reason);
  return socket.closed;
}

/** Notes what the page itself saw (a status, a close event), to set beside the wire. */
export type Observe = <K extends NoteKey>(key: K, params: NoteParams<K>) => void;

/** Opens a tap session, runs `exchange` in it and returns the trace the server's tap saw. */
export async function withTap(
  exchange: (tap: TapSession, observe: Observe) => Promise<void>,
): Promise<LiveOutcome> {
  const tap = await openTap();
  const observed: Observation[] = [];
  const observe: Observe = (key, params) =>
    observed.push({ key, ...(params ? { params: params as NoteParamRecord } : {}) });
  try {
    await exchange(tap, observe);
    await tap.settle();
  } finally {
    tap.close();
  }
  return { startedAt: tap.startedAt, events: tap.events, observed };
}
