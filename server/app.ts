/**
 * Assembles the demo server. `attachDemo` wires the handlers onto any node:http server (ours, or Vite's
 * dev server); `startServer` creates, listens and returns { url, port, close }.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { errorResponse, serializeResponse } from '../src/lib/protocol/index.ts';
import { Admission, ANSWERED_OVERFLOW, RETRY_AFTER_SECONDS } from './admission.ts';
import { SESSION_PARAM } from '../src/lib/trace/index.ts';
import { createUnitParser } from '../src/lib/trace/units.ts';
import { type ServerContext, requestUrl } from './context.ts';
import { checkHost, checkOrigin, ownAuthorities } from './guard.ts';
import { OWN_PREFIX } from '../src/lib/trace/index.ts';
import type { ProxyStats } from './proxy/connection.ts';
import { startFrontDoor, type FrontDoor } from './proxy/frontDoor.ts';
import { parseTarget, type TargetAddress } from './proxy/route.ts';
import { sendText } from './http-util.ts';
import { type ServerOptions, withDefaults } from './options.ts';
import type { Backplane } from './cluster/backplane.ts';
import { Recorder } from './record.ts';
import { handleApi, nodeStats } from './routes/api.ts';
import { LessonAccounts } from './security/accounts.ts';
import { startAttackerPage, type AttackerPage } from './security/attacker.ts';
import { PendingPolls } from './routes/poll.ts';
import { SessionRegistry } from './sessions.ts';
import { createStaticHandler } from './static.ts';
import { StreamHub } from './stream.ts';
import { TapHub } from './tap.ts';
import { SocketRegistry } from './ws/registry.ts';
import { createWebSocketServer, handleUpgrade, refuseWithoutUpgrade, WEBSOCKET_PATHS } from './ws/upgrade.ts';

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../dist', import.meta.url));

export interface DemoHandle {
  ctx: ServerContext;
  /** The request handler; with `next`, requests that are not ours go on to it (Vite's middlewares). */
  onRequest(req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void>;
  /** Ends every WebSocket with 1001, answers held polls, ends SSE; resolves when all connections closed. */
  close(): Promise<void>;
  /** Resolves once the attacker page listens (at once when it is off); rejects if it cannot. */
  attackerReady(): Promise<void>;
}

export interface AttachOptions {
  /** Inside Vite: leave requests and upgrades that are not ours to the next handler. */
  passUnknown?: boolean;
  /** Serve everything under this path (OWN_PREFIX in front of an app). */
  prefix?: string;
}

export function attachDemo(server: Server, options: ServerOptions, attach: AttachOptions = {}): DemoHandle {
  const recorder = options.record ? new Recorder(options.record) : undefined;
  const sessions = new SessionRegistry(options.maxSessions, options.tapBufferEvents);
  const ctx: ServerContext = {
    options,
    sessions,
    tap: new TapHub(
      sessions,
      recorder,
      options.tap,
      (conn) =>
        createUnitParser(conn, {
          maxPayload: options.maxMessageBytes,
          maxHeaderBytes: options.maxHeaderBytes,
        }),
      {
        // The app's limits are its own: the inspector reads messages up to the unit parser's defaults.
        makeParser: (conn) => createUnitParser(conn, { maxHeaderBytes: options.maxHeaderBytes }),
        backlogEvents: Math.min(options.tapBacklogEvents, options.tapBufferEvents),
        backlogBytes: options.tapBacklogBytes,
      },
    ),
    streams: new StreamHub(options.streamHistory),
    polls: new PendingPolls(options.maxPendingPolls, options.pollWaitMs, options.maxPollWaitMs),
    sockets: new SocketRegistry(),
    admission: new Admission(options.maxConnections, options.maxConnectionsPerClient),
    onShutdown: new Set(),
    accounts: new LessonAccounts(),
    attackerPort: undefined,
    authorities: new Set(),
    closing: false,
    prefix: attach.prefix ?? '',
  };
  const refreshAuthorities = () => {
    const address = server.address();
    if (address && typeof address === 'object')
      ctx.authorities = ownAuthorities(options.host, address.port, options.publicHosts);
  };
  refreshAuthorities();
  server.on('listening', refreshAuthorities);

  // The security lesson's attacker page: another origin on this machine, started next to this port.
  let attacker: Promise<AttackerPage | undefined> = Promise.resolve(undefined);
  server.on('listening', () => {
    const address = server.address();
    // In front of another app (--target) the lesson's endpoints are not this origin's: no attacker page.
    if (!options.attacker || options.target || !address || typeof address !== 'object') return;
    attacker = startAttackerPage({
      port: options.attackerPort,
      mainPort: address.port,
      targets: () => ctx.authorities,
    }).then((page) => {
      ctx.attackerPort = page.port;
      return page;
    });
    attacker.catch(() => undefined); // reported through attackerReady()
  });

  const wss = createWebSocketServer(ctx);
  const serveStatic = attach.passUnknown
    ? undefined
    : createStaticHandler(options.staticDir ?? DEFAULT_STATIC_DIR);
  const open = new Set<Socket>();
  ctx.sockets.startHeartbeat(options.heartbeatMs);

  server.on('connection', (socket: Socket) => {
    ctx.tap.attach(socket);
    ctx.admission.admit(socket);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // A malformed request line or head, or a request too slow to arrive: node:http reports it here. Answer
  // with the status that names the fault and go on.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // RFC 9112 section 9.3: responses go out in request order, so once a response to an earlier
    // (pipelined) request has begun, anything we add would land inside it; close instead.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) return socket.destroy();
    // No body: the request did not parse, so it may have been a HEAD, whose answer has none (RFC 9110
    // section 9.3.2); Content-Length: 0 reads the same either way.
    socket.end(serializeResponse(errorResponse(clientErrorStatus(error.code), '')));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const cluster = ctx.cluster;
    if (!cluster) return void handleUpgrade(ctx, wss, req, socket, head, attach.passUnknown);
    // The socket does not flow until ws takes it, so nothing is read while the cluster is asked.
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req, ctx.prefix);
    if (!url) return void handleUpgrade(ctx, wss, req, socket, head, attach.passUnknown);
    void cluster
      .prepare(url)
      .catch(() => undefined)
      .then(() => handleUpgrade(ctx, wss, req, socket, head, attach.passUnknown));
  });

  const onRequest = async (req: IncomingMessage, res: ServerResponse, next?: () => void) => {
    const url = requestUrl(req, ctx.prefix);
    if (!url) {
      // In front of an app only paths under the prefix reach us; the prefix alone needs its slash, since
      // the page's URLs are relative to it.
      const raw = new URL(req.url ?? '/', 'http://wirescope.invalid');
      if (raw.pathname === ctx.prefix) {
        return sendText(res, 301, `see ${ctx.prefix}/\n`, { location: `${ctx.prefix}/${raw.search}` });
      }
      return sendText(res, 404, 'not found\n');
    }
    const socketPath = WEBSOCKET_PATHS.has(url.pathname);
    const ours = url.pathname === '/healthz' || url.pathname.startsWith('/api/') || socketPath;
    if (next && !ours) return next();
    await ctx.cluster?.prepare(url).catch(() => undefined);
    ctx.tap.assign(req.socket, url.searchParams.get(SESSION_PARAM));
    const refused = ctx.admission.refusal(req.socket);
    if (refused) {
      return sendText(res, 503, `${refused}\n`, {
        'retry-after': String(RETRY_AFTER_SECONDS),
        connection: 'close',
      });
    }
    // A WebSocket endpoint asked without an upgrade gets the handshake's own refusal (RFC 6455 4.2.1).
    if (socketPath) return refuseWithoutUpgrade(ctx, req);
    const host = checkHost(req, ctx.authorities);
    if (!host.ok) return sendText(res, host.status, `${host.reason}\n`);
    if (ours) {
      const origin = checkOrigin(req, ctx.authorities, ctx.cluster?.peerOrigins());
      if (!origin.ok) return sendText(res, origin.status, `${origin.reason}\n`);
      if (ctx.closing)
        return sendText(res, 503, 'shutting down\n', { 'retry-after': '1', connection: 'close' });
      await handleApi(ctx, req, res, url);
      return;
    }
    await serveStatic?.(req, res, url);
  };

  const close = async () => {
    if (ctx.closing) return;
    ctx.closing = true;
    ctx.polls.answerAll();
    for (const end of [...ctx.onShutdown]) end();
    ctx.streams.dispose();
    ctx.sockets.closeAll(1001, 'server shutting down');
    server.closeIdleConnections();
    const deadline = Date.now() + options.shutdownGraceMs;
    while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ctx.sockets.terminateAll();
    for (const socket of open) socket.destroy();
    ctx.tap.drain();
    await ctx.cluster?.close();
    await recorder?.close();
    await (await attacker.catch(() => undefined))?.close();
  };

  return { ctx, close, onRequest, attackerReady: async () => void (await attacker) };
}

/** The status for a client error node:http reports (the same choice as its own default handler). */
function clientErrorStatus(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431; // RFC 6585 section 5
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413; // RFC 9110 section 15.5.14
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408; // RFC 9110 section 15.5.9: headersTimeout or requestTimeout ran out
    default:
      return 400; // RFC 9112 section 2.2: a message that does not parse
  }
}

/**
 * How often node:http looks for requests past headersTimeout or requestTimeout. Its default (30 s) would
 * let a slow client hold a connection for up to 30 s beyond those limits; a quarter of the headers
 * timeout (at most 1 s) keeps the limits what they say.
 */
export function checkingIntervalMs(options: ServerOptions): number {
  return Math.max(50, Math.min(1000, Math.floor(options.headersTimeoutMs / 4)));
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  ctx: ServerContext;
  /** Inspect mode: the app wirescope stands in front of, and the proxy's figures. */
  proxy?: { target: string; ownUrl: string; stats: ProxyStats };
  close(): Promise<void>;
}

function createHttpServer(options: ServerOptions): Server {
  const server = createServer({
    maxHeaderSize: options.maxHeaderBytes,
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(options),
    keepAliveTimeout: options.keepAliveTimeoutMs,
    // Our own checks answer a missing Host with 400 and name the reason.
    requireHostHeader: false,
  });
  server.maxHeadersCount = options.maxHeadersCount;
  // Past --max-connections a connection is still answered (503, server/admission.ts); past this, dropped.
  server.maxConnections = options.maxConnections + ANSWERED_OVERFLOW;
  return server;
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startServer(partial: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const options = withDefaults(partial);
  if (options.target !== undefined) return startInspector(options, parseTarget(options.target));
  // Redis must answer before this node listens: a clear error and no half-joined node otherwise.
  const cluster = options.backplane ? await import('./cluster/index.ts') : undefined;
  const backplane: Backplane | undefined = await cluster?.Backplane.connect(options.backplane!);
  const server = createHttpServer(options);
  const demo = attachDemo(server, options);
  server.on('request', (req, res) => {
    demo.onRequest(req, res).catch(() => res.destroy());
  });
  if (cluster && backplane) {
    try {
      await cluster.joinCluster(demo.ctx, backplane, cluster.nodeName(options), () => nodeStats(demo.ctx));
    } catch (error) {
      await backplane.close();
      throw error;
    }
  }
  let port: number;
  try {
    port = await listen(server, options.port, options.host);
  } catch (error) {
    await demo.ctx.cluster?.close();
    throw error;
  }
  await demo.ctx.cluster?.listening();
  try {
    await demo.attackerReady();
  } catch (error) {
    await demo.close();
    server.close();
    throw new Error(`the attacker page could not listen: ${(error as Error).message}`, { cause: error });
  }
  return {
    url: urlOf(options.host, port),
    port,
    server,
    ctx: demo.ctx,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await demo.close();
      await closed;
    },
  };
}

/**
 * Inspect mode: the front door on the learner's port forwards everything to the target, except paths
 * under OWN_PREFIX, which go to wirescope's own server listening on a loopback port of its own. The own
 * server answers to the front door's names (its Host and Origin checks), since that is what the
 * browser sees.
 */
async function startInspector(options: ServerOptions, target: TargetAddress): Promise<RunningServer> {
  const server = createHttpServer(options);
  // Every connection to the own server comes from the front door's address, so a limit per client
  // address would be a limit on all of them together.
  const own = { ...options, maxConnectionsPerClient: options.maxConnections };
  const demo = attachDemo(server, own, { prefix: OWN_PREFIX });
  server.on('request', (req, res) => {
    demo.onRequest(req, res).catch(() => res.destroy());
  });
  const ownPort = await listen(server, 0, '127.0.0.1');
  let door: FrontDoor;
  try {
    door = await startFrontDoor(
      {
        target,
        own: { host: '127.0.0.1', port: ownPort },
        tap: demo.ctx.tap,
        maxHeaderBytes: options.maxHeaderBytes,
        headersTimeoutMs: options.headersTimeoutMs,
        connectTimeoutMs: options.targetConnectTimeoutMs,
        idleTimeoutMs: options.proxyIdleTimeoutMs,
        inspectRemote: options.inspectRemote,
      },
      { host: options.host, port: options.port, maxConnections: options.maxConnections },
    );
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    await demo.close();
    throw error;
  }
  demo.ctx.authorities = ownAuthorities(options.host, door.port, options.publicHosts);
  const url = urlOf(options.host, door.port);
  return {
    url,
    port: door.port,
    server,
    ctx: demo.ctx,
    proxy: { target: target.url, ownUrl: `${url}${OWN_PREFIX}/`, stats: door.stats },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([door.close(options.shutdownGraceMs), demo.close()]);
      await closed;
    },
  };
}
