/**
 * The HTTP API under /api: plain request/response, polling, SSE, the lab's stream controls and faults,
 * and the control API that lets a lesson make the server act on a named echo socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServerContext, sessionKey, streamFor } from '../context.ts';
import { BodyError, readJsonObject, sendJson } from '../http-util.ts';
import type { EventStream } from '../stream.ts';
import { SOCKET_ACTIONS, type SocketAction } from '../ws/controls.ts';
import type { NodeStats } from '../cluster/types.ts';

import { SECURITY_ROUTES } from '../security/routes.ts';
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
    handle: withStream(async (_ctx, _req, res, _url, stream) => {
      await stream.control({ op: action });
      sendJson(res, 200, stream.status());
    }),
  };
}

/**
 * The control API: the server acts on one of the session's named echo sockets, on this node or, in a
 * cluster, on whichever node holds it.
 */
function socketControl(action: SocketAction): Route {
  return {
    method: 'POST',
    handle: async (ctx, req, res, url) => {
      const session = sessionKey(ctx, url);
      const name = url.searchParams.get('name');
      if (session === undefined || !name) return sendJson(res, 404, { error: NO_SUCH_SOCKET });
      const ws = ctx.sockets.find(session, name);
      if (!ws && !ctx.cluster) return sendJson(res, 404, { error: NO_SUCH_SOCKET });
      const body = await readJsonObject(req, ctx.options.maxBodyBytes);
      const outcome = ws
        ? { found: true, problem: SOCKET_ACTIONS[action](ws, body, url) }
        : await ctx.cluster?.controlSocket({ session, name, action, body, search: url.search });
      if (!outcome?.found) return sendJson(res, 404, { error: NO_SUCH_SOCKET });
      if (outcome.problem) return sendJson(res, 400, { error: outcome.problem });
      sendJson(res, 200, { ok: true });
    },
  };
}

const NO_SUCH_SOCKET = 'no open socket with that name in this session';

function text(body: Record<string, unknown>, url: URL, key: string): string {
  const value = body[key] ?? url.searchParams.get(key);
  return typeof value === 'string' ? value : '';
}

/** This node's figures (in a cluster, /api/stats adds every node's). */
export function nodeStats(ctx: ServerContext): NodeStats {
  return {
    websockets: ctx.sockets.size,
    pendingPolls: ctx.polls.size,
    sessions: ctx.sessions.size,
    connections: ctx.admission.connections,
    rssBytes: process.memoryUsage.rss(),
  };
}

const ROUTES: Record<string, Route> = {
  ...SECURITY_ROUTES,
  '/api/time': {
    method: 'GET',
    handle: (_ctx, _req, res) => {
      const now = Date.now();
      sendJson(res, 200, { now, iso: new Date(now).toISOString() });
    },
  },
  '/api/stats': {
    method: 'GET',
    handle: async (ctx, _req, res) => {
      const here = nodeStats(ctx);
      sendJson(res, 200, ctx.cluster ? { ...here, ...(await ctx.cluster.stats(here)) } : here);
    },
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
    handle: withStream((ctx, req, res, url, stream) =>
      handleSse(req, res, url, stream, ctx.onShutdown, ctx.options.streamMaxBufferedBytes),
    ),
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
      await stream.control({ op: 'start', settings: { rate, payloadBytes } });
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
      sendJson(res, 200, await stream.publish(text(body, url, 'payload')));
    }),
  },
  '/api/faults': {
    method: 'POST',
    handle: withStream(async (ctx, req, res, _url, stream) => {
      const body = await readJsonObject(req, ctx.options.maxBodyBytes);
      await stream.control({
        op: 'faults',
        ...(body.addLatencyMs === undefined ? {} : { addLatencyMs: number(body.addLatencyMs, 0, 0, 10_000) }),
        cutAll: body.cutAll === true,
      });
      sendJson(res, 200, stream.status());
    }),
  },
  '/api/ws/push': socketControl('push'),
  '/api/ws/ping': socketControl('ping'),
  '/api/ws/close': socketControl('close'),
  '/api/ws/cut': socketControl('cut'),
};

/**
 * `/healthz`: 200 while this node serves (a node cut off from the backplane still serves its own
 * clients, so a balancer keeps it). In a cluster it names the node and the backplane's state: as text
 * lines after `ok`, or as JSON when asked for (`Accept: application/json`).
 */
function sendHealth(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const cluster = ctx.cluster?.status();
  // The page asks this with its credentials, in the pool its own files use: like them (static.ts) it
  // leaves no kept-alive connection there for an EventSource's request to ride past the tap. In front of
  // an app the connection is the app's too, so it stays open there.
  const headers = { 'cache-control': 'no-store', ...(ctx.prefix === '' ? { connection: 'close' } : {}) };
  if ((req.headers.accept ?? '').includes('application/json')) {
    return sendJson(res, 200, { status: 'ok', ...cluster }, headers);
  }
  const lines = cluster ? `ok\nnode: ${cluster.node}\nbackplane: ${cluster.backplane}\n` : 'ok\n';
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(lines);
}

/** Handles /api/* and /healthz; returns false for paths that are not API paths. */
export async function handleApi(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname === '/healthz') {
    sendHealth(ctx, req, res);
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
