/**
 * Every knob of the demo server, with its default. Each limit is explicit so that nothing a client
 * sends can make the server hold unbounded memory or time (RFC 6455 section 10.4, RFC 9112 section 2.3).
 */

export interface ServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /**
   * Names and addresses (a LAN address, a host name) that students use to reach this server, besides the
   * loopback names: the Host and Origin checks accept exactly these and loopback (server/guard.ts).
   */
  publicHosts: string[];
  /** Directory of the built app (`vite build` output); served with an index.html fallback. */
  staticDir: string | undefined;
  /** Append every trace event to this file as JSON lines. */
  record: string | undefined;
  /** Capture bytes at all (off: no session ever sees traffic; for comparison in the benchmark). */
  tap: boolean;
  /** redis:// URL of the Redis this node shares with the other nodes of a cluster; none: one process. */
  backplane: string | undefined;
  /** This node's name in the cluster (default HOSTNAME-PORT). */
  node: string | undefined;

  /** Largest WebSocket message (and frame payload); beyond it the connection fails with 1009. */
  maxMessageBytes: number;
  /** Most frames one fragmented message may use; beyond it the connection fails with 1008. */
  maxFragments: number;
  /**
   * /ws/deflate: the largest LZ77 window (2^N bytes, 9-15) the server compresses with and asks the
   * client to use (RFC 7692 section 7.1.2). Below 15 it is announced in every answer.
   */
  deflateWindowBits: number;
  /** /ws/deflate: zlib's memory level (1-9) for the server's compressor, the bulk of its memory per connection. */
  deflateMemLevel: number;
  /** node:http maxHeaderSize: bytes of the request line plus header fields (431 beyond). */
  maxHeaderBytes: number;
  /** node:http maxHeadersCount. */
  maxHeadersCount: number;
  /** node:http headersTimeout: time allowed for the whole request head. */
  headersTimeoutMs: number;
  /** node:http requestTimeout: time allowed for the whole request (long polls are held longer, see below). */
  requestTimeoutMs: number;
  /** node:http keepAliveTimeout. */
  keepAliveTimeoutMs: number;
  /** Largest request body the API reads (JSON controls). */
  maxBodyBytes: number;
  /** TCP connections held at once; past it a request is answered 503 (server/admission.ts). */
  maxConnections: number;
  /** TCP connections from one address at once (0: no limit); past it, 503. */
  maxConnectionsPerClient: number;
  /** Long polls held at once; past it 503 with Retry-After. */
  maxPendingPolls: number;
  /** Default and largest `wait` of a long poll. */
  pollWaitMs: number;
  maxPollWaitMs: number;
  /** Trace events buffered per tap session while its page reads slowly; the oldest are dropped. */
  tapBufferEvents: number;
  /** Tap sessions at once. */
  maxSessions: number;
  /** Ping every WebSocket this often; a peer that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  /** Stream events kept per session for short polls, long polls and SSE Last-Event-ID resends. */
  streamHistory: number;
  /**
   * Bytes a stream subscriber (WebSocket or SSE) may have queued unsent; past it the subscriber is
   * too slow for the stream and is closed (it resumes from the history with since= or Last-Event-ID).
   */
  streamMaxBufferedBytes: number;
  /** Upper bounds of the lab's event generator. */
  maxStreamRate: number;
  maxStreamPayloadBytes: number;
  /** On SIGINT/SIGTERM: how long to wait for closing handshakes before cutting what is left. */
  shutdownGraceMs: number;

  /**
   * Inspect mode: an http:// URL. wirescope then stands in front of that app as a reverse proxy, and its
   * own page and endpoints move under /__wirescope/.
   */
  target: string | undefined;
  /** In inspect mode, serve /__wirescope/ to clients that are not on this machine (off: loopback only). */
  inspectRemote: boolean;
  /** Time allowed to open a connection to the target; past it the client gets 502. */
  targetConnectTimeoutMs: number;
  /** A proxied connection with no bytes either way for this long is closed (0: never). */
  proxyIdleTimeoutMs: number;
  /** Proxied events kept for a page that opens the tap later: at most this many, and tapBacklogBytes. */
  tapBacklogEvents: number;
  tapBacklogBytes: number;
  /** Serve the security lesson's attacker page on a second port of 127.0.0.1. */
  attacker: boolean;
  /** Its port; undefined: the main port + 1, or any free port if that one is taken. */
  attackerPort: number | undefined;
}

export const DEFAULT_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  port: 8080,
  publicHosts: [],
  staticDir: undefined,
  record: undefined,
  tap: true,
  backplane: undefined,
  node: undefined,
  maxMessageBytes: 64 * 1024,
  maxFragments: 128,
  deflateWindowBits: 15,
  deflateMemLevel: 8,
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxBodyBytes: 64 * 1024,
  // Sized for a class of about 100 students, each racing the lab (a tap, four contenders, the page's own
  // connections) while a lesson's live run opens a second tap: see README, Classroom.
  maxConnections: 4_000,
  maxConnectionsPerClient: 256,
  maxPendingPolls: 500,
  pollWaitMs: 25_000,
  maxPollWaitMs: 60_000,
  tapBufferEvents: 10_000,
  maxSessions: 256,
  heartbeatMs: 30_000,
  streamHistory: 1_000,
  streamMaxBufferedBytes: 1024 * 1024,
  maxStreamRate: 1_000,
  maxStreamPayloadBytes: 64 * 1024,
  shutdownGraceMs: 2_000,
  target: undefined,
  inspectRemote: false,
  targetConnectTimeoutMs: 5_000,
  proxyIdleTimeoutMs: 600_000,
  tapBacklogEvents: 5_000,
  tapBacklogBytes: 8 * 1024 * 1024,
  attacker: true,
  attackerPort: undefined,
};

export function withDefaults(partial: Partial<ServerOptions> = {}): ServerOptions {
  const merged = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
