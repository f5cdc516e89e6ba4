/**
 * The HTTP API under /api: plain request/response, polling, SSE, the lab's stream controls and faults,
 * and the control API that lets a lesson make the server act on a named echo socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidCloseCode } from '../../src/lib/protocol/close.ts';
import { type ServerContext, sessionKey, streamFor } from '../context.ts';
import { BodyError, readJsonObject, sendJson } from '../http-util.ts';
import type { EventStream } from '../stream.ts';
import { handleSse } from './sse.ts';

type Handler = (
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void> | void;

interface Route {
  method: 'GET' | 'POST';
  handle: Handler;
}

function number(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : fallback;
}

/** Wraps a handler that needs the session's stream: 404 for a session that does not exist. */
function withStream(
  fn: (
    ctx: ServerContext,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    stream: EventStream,
  ) => unknown,
): Handler {
  return async (ctx, req, res, url) => {
    const stream = streamFor(ctx, url);
    if (!stream) return sendJson(res, 404, { error: 'unknown session' });
    await fn(ctx, req, res, url, stream);
  };
}

function streamControl(action: 'pause' | 'resume' | 'stop'): Route {
  return {
    method: 'POST',
    handle: withStream((_ctx, _req, res, _url, stream) => {
      stream[action]();
      sendJson(res, 200, stream.status());
    }),
  };
}

/** The control API: the server acts on one of the session's named echo sockets. */
function socketControl(
  act: (ws: import('ws').WebSocket, body: Record<string, unknown>, url: URL) => string | void,
): Route {
  return {
    method: 'POST',
    handle: async (ctx, req, res, url) => {
      const session = sessionKey(ctx, url);
      const name = url.searchParams.get('name');
      const ws = session === undefined || !name ? undefined : ctx.sockets.find(session, name);
      if (!ws) return sendJson(res, 404, { error: 'no open socket with that name in this session' });
      const problem = act(ws, await readJsonObject(req, ctx.options.maxBodyBytes), url);
      if (problem) return sendJson(res, 400, { error: problem });
      sendJson(res, 200, { ok: true });
    },
  };
}

function text(body: Record<string, unknown>, url: URL, key: string): string {
  const value = body[key] ?? url.searchParams.get(key);
  return typeof value === 'string' ? value : '';
}

const ROUTES: Record<string, Route> = {
  '/api/time': {
    method: 'GET',
    handle: (_ctx, _req, res) => {
      const now = Date.now();
      sendJson(res, 200, { now, iso: new Date(now).toISOString() });
    },
  },
  '/api/stats': {
    method: 'GET',
    handle: (ctx, _req, res) =>
      sendJson(res, 200, {
        websockets: ctx.sockets.size,
        pendingPolls: ctx.polls.size,
        sessions: ctx.sessions.size,
        connections: ctx.admission.connections,
        rssBytes: process.memoryUsage.rss(),
      }),
  },
  '/api/poll': {
    method: 'GET',
    handle: withStream((ctx, req, res, url, s) => ctx.polls.handle(req, res, url, s)),
  },
  '/api/stream/poll': {
    method: 'GET',
    handle: withStream((_ctx, _req, res, url, stream) => {
      const since = number(url.searchParams.get('since'), 0, 0, Number.MAX_SAFE_INTEGER);
      const events = stream.since(since);
      stream.delayed(() => sendJson(res, 200, { events, next: events.at(-1)?.id ?? since }));
    }),
  },
  '/api/stream/sse': {
    method: 'GET',
    handle: withStream((ctx, req, res, url, stream) => handleSse(req, res, url, stream, ctx.onShutdown)),
  },
  '/api/stream/status': {
    method: 'GET',
    handle: withStream((_ctx, _req, res, _url, stream) => sendJson(res, 200, stream.status())),
  },
  '/api/stream/start': {
    method: 'POST',
    handle: withStream(async (ctx, req, res, url, stream) => {
      const body = await readJsonObject(req, ctx.options.maxBodyBytes);
      const rate = number(body.rate ?? url.searchParams.get('rate'), 1, 1, ctx.options.maxStreamRate);
      const payloadBytes = number(
        body.payloadBytes ?? url.searchParams.get('payloadBytes'),
        16,
        0,
        ctx.options.maxStreamPayloadBytes,
      );
      stream.start({ rate, payloadBytes });
      sendJson(res, 200, stream.status());
    }),
  },
  '/api/stream/pause': streamControl('pause'),
  '/api/stream/resume': streamControl('resume'),
  '/api/stream/stop': streamControl('stop'),
  '/api/stream/publish': {
    method: 'POST',
    handle: withStream(async (ctx, req, res, url, stream) => {
      const body = await readJsonObject(req, ctx.options.maxBodyBytes);
      sendJson(res, 200, stream.publish(text(body, url, 'payload')));
    }),
  },
  '/api/faults': {
    method: 'POST',
    handle: withStream(async (ctx, req, res, _url, stream) => {
      const body = await readJsonObject(req, ctx.options.maxBodyBytes);
      stream.applyFaults({
        ...(body.addLatencyMs === undefined ? {} : { addLatencyMs: number(body.addLatencyMs, 0, 0, 10_000) }),
        cutAll: body.cutAll === true,
      });
      sendJson(res, 200, stream.status());
    }),
  },
  '/api/ws/push': socketControl((ws, body, url) => {
    ws.send(text(body, url, 'text'));
  }),
  '/api/ws/ping': socketControl((ws, body, url) => {
    const payload = Buffer.from(text(body, url, 'payload'));
    // RFC 6455 section 5.5: control frames carry at most 125 bytes.
    if (payload.length > 125) return 'a ping payload is at most 125 bytes';
    ws.ping(payload);
  }),
  '/api/ws/close': socketControl((ws, body, url) => {
    const code = number(body.code ?? url.searchParams.get('code'), 1000, 0, 65535);
    const reason = text(body, url, 'reason');
    if (!isValidCloseCode(code)) return `close code ${code} may not be sent (RFC 6455 section 7.4)`;
    if (Buffer.byteLength(reason) > 123)
      return 'a close reason is at most 123 bytes (RFC 6455 section 5.5.1)';
    ws.close(code, reason);
  }),
  '/api/ws/cut': socketControl((ws) => {
    // The server closes TCP with no closing handshake: the client reports 1006 (section 7.1.5).
    ws.terminate();
  }),
};

/** Handles /api/* and /healthz; returns false for paths that are not API paths. */
export async function handleApi(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname === '/healthz') {
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      .end('ok\n');
    return true;
  }
  if (!url.pathname.startsWith('/api/')) return false;
  const route = ROUTES[url.pathname];
  if (!route) {
    sendJson(res, 404, { error: 'no such endpoint' });
    return true;
  }
  if (req.method !== route.method) {
    sendJson(res, 405, { error: `use ${route.method}` }, { allow: route.method });
    return true;
  }
  try {
    await route.handle(ctx, req, res, url);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else if (error instanceof BodyError) sendJson(res, error.status, { error: error.message });
    else sendJson(res, 500, { error: 'internal error' });
  }
  return true;
}
