/**
 * What the control API (`/api/ws/push|ping|close|cut?name=N`) does to a named echo socket. Kept apart
 * from the routes so that, in a cluster, the node that holds the socket runs the same action for a
 * request another node received. Each returns a problem to answer 400 with, or nothing.
 */
import type { WebSocket } from 'ws';
import { isValidCloseCode } from '../../src/lib/protocol/close.ts';

export type SocketAction = 'push' | 'ping' | 'close' | 'cut';

type Act = (ws: WebSocket, body: Record<string, unknown>, url: URL) => string | undefined;

function text(body: Record<string, unknown>, url: URL, key: string): string {
  const value = body[key] ?? url.searchParams.get(key);
  return typeof value === 'string' ? value : '';
}

function closeCode(body: Record<string, unknown>, url: URL): number {
  const raw = body.code ?? url.searchParams.get('code');
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(n) ? Math.min(65535, Math.max(0, Math.trunc(n))) : 1000;
}

export const SOCKET_ACTIONS: Record<SocketAction, Act> = {
  push: (ws, body, url) => {
    ws.send(text(body, url, 'text'));
    return undefined;
  },
  ping: (ws, body, url) => {
    const payload = Buffer.from(text(body, url, 'payload'));
    // RFC 6455 section 5.5: control frames carry at most 125 bytes.
    if (payload.length > 125) return 'a ping payload is at most 125 bytes';
    ws.ping(payload);
    return undefined;
  },
  close: (ws, body, url) => {
    const code = closeCode(body, url);
    const reason = text(body, url, 'reason');
    if (!isValidCloseCode(code)) return `close code ${code} may not be sent (RFC 6455 section 7.4)`;
    if (Buffer.byteLength(reason) > 123)
      return 'a close reason is at most 123 bytes (RFC 6455 section 5.5.1)';
    ws.close(code, reason);
    return undefined;
  },
  cut: (ws) => {
    // The server closes TCP with no closing handshake: the client reports 1006 (section 7.1.5).
    ws.terminate();
    return undefined;
  },
};

export function isSocketAction(value: unknown): value is SocketAction {
  return typeof value === 'string' && Object.hasOwn(SOCKET_ACTIONS, value);
}
