/**
 * The browser side of the tap (contract in src/lib/trace/tap.ts): open /ws/tap, wait for `hello`, then
 * collect this session's trace events as they stream in.
 */
import { ALL_PARAM, readTapMessage, SESSION_PARAM, type TapMessage, type TapRefusal } from '../trace/tap';
import type { TraceEvent } from '../trace/types';
import { wsUrl } from './endpoint';

/**
 * Options for every request the tap must see. The tap gives a TCP connection to the session named by
 * its first request, and the page's own asset loads have already opened keep-alive connections that
 * belong to no session. Uncredentialed requests use a separate connection pool in browsers, so
 * `credentials: 'omit'` makes such requests open (and reuse) connections of their own.
 */
export const TAPPED_REQUEST: RequestInit = { cache: 'no-store', credentials: 'omit' };

/**
 * The server turned this page away (every tap session in use). The refusal is data: each page words it
 * in its own language (the lab's and the live panel's string tables).
 */
export class TapRefusedError extends Error {
  override name = 'TapRefusedError';
  constructor(readonly refusal: TapRefusal) {
    super(`the server is full: ${refusal.inUse} of ${refusal.max} sessions in use`);
  }
}

export interface TapSession {
  id: string;
  startedAt: number;
  /** In front of an app (`--target`), with `all`: the app's origin. */
  target?: string;
  events: TraceEvent[];
  dropped: number;
  /** `url` with `?session=<id>` added. */
  withSession(url: string): string;
  /** Resolves once no event has arrived for `quietMs` since the call (or after `maxMs`). */
  settle(quietMs?: number, maxMs?: number): Promise<void>;
  close(): void;
}

export interface TapWatch {
  /** Watch every proxied connection (`?all=1`, only in front of an app) rather than the page's own. */
  all?: boolean;
  /** Called with each batch of events as it arrives (after it was added to `events`). */
  onevents?: (added: TraceEvent[]) => void;
  /** The tap closed after it opened (the server stopped, say). */
  onclose?: () => void;
  /** false: events go to `onevents` only, not into `events` (a long watch bounds its own memory). */
  keep?: boolean;
}

export function openTap(timeoutMs = 10_000, watch: TapWatch = {}): Promise<TapSession> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(watch.all ? `/ws/tap?${ALL_PARAM}=1` : '/ws/tap'));
    const events: TraceEvent[] = [];
    let last = Date.now();
    let session: TapSession | undefined;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('the tap did not answer'));
    }, timeoutMs);
    socket.onerror = () => {
      clearTimeout(timer);
      if (!session) reject(new Error('could not open the tap'));
    };
    // Closed before hello: say so now rather than at the timeout (a refusal has already rejected).
    socket.onclose = (close) => {
      clearTimeout(timer);
      if (!session)
        reject(new Error(`the tap closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`));
      else watch.onclose?.();
    };
    // Event batches are binary (src/lib/trace/batch.ts); read them whole, as one ArrayBuffer each.
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (message: MessageEvent<string | ArrayBuffer>) => {
      let data: TapMessage;
      try {
        const raw = message.data;
        data = readTapMessage(typeof raw === 'string' ? raw : new Uint8Array(raw));
      } catch {
        // A message that cannot be read at all is skipped; what came before and after still shows.
        return;
      }
      if (data.type === 'refused' && !session) {
        clearTimeout(timer);
        reject(new TapRefusedError(data));
      } else if (data.type === 'hello' && !session) {
        clearTimeout(timer);
        const id = data.session;
        session = {
          id,
          startedAt: data.startedAt,
          ...(data.target ? { target: data.target } : {}),
          events,
          dropped: 0,
          withSession(url: string): string {
            return `${url}${url.includes('?') ? '&' : '?'}${SESSION_PARAM}=${encodeURIComponent(id)}`;
          },
          async settle(quietMs = 300, maxMs = 3000): Promise<void> {
            // Quiet is counted from now at the earliest: bytes the page has just read may still be on
            // their way from the tap (it sends a batch every 10 ms).
            const start = Date.now();
            while (Date.now() - Math.max(last, start) < quietMs && Date.now() - start < maxMs) {
              await new Promise((r) => setTimeout(r, 50));
            }
          },
          close: () => socket.close(1000),
        };
        resolve(session);
      } else if (data.type === 'events') {
        // A malformed event was skipped (the rest of the batch still shows) and counts as lost.
        if (session) session.dropped += data.skipped;
        const added = data.events;
        if (watch.keep !== false) events.push(...added);
        last = Date.now();
        watch.onevents?.(added);
      } else if (data.type === 'dropped' && session) {
        session.dropped += data.count;
      }
    };
  });
}
