/**
 * Diagram notes: short captions on the sequence diagram, not lesson prose (that lives in lessons/). A
 * trace carries a note as a message key with parameters (`{ key: 'held', params: { seconds: 25 } }`), so
 * a trace file holds no language at all; the page renders it in its own language with `renderNote`.
 * Technical names stay as they are in both languages: TCP, FIN, TIME-WAIT, Close, readyState values,
 * header names.
 */
import type { Lang } from './lang';

/** What a note's parameters may hold: JSON scalars, so a trace file round-trips them unchanged. */
export type NoteParamValue = string | number | boolean;
export type NoteParamRecord = Record<string, NoteParamValue>;

type Side = 'client' | 'server';

/** What the server checks in an upgrade request (RFC 6455 section 4.2.1), as named in the note. */
const SERVER_CHECKS: Record<Lang, string[]> = {
  en: ['method GET', 'Host', 'Upgrade: websocket', 'Connection: Upgrade', 'key', 'version 13', 'Origin'],
  ko: ['GET 메서드', 'Host', 'Upgrade: websocket', 'Connection: Upgrade', '키', '버전 13', 'Origin'],
};

/**
 * Korean for each way an upgrade request can fail the server's checks (section 4.2.1), by the protocol
 * validator's stable failure code. The English is the validator's own `reason`, passed as a parameter.
 */
export const REQUEST_FAILURE_KO: Record<string, string> = {
  BAD_HTTP: 'HTTP 요청 형식이 잘못됐어요',
  NOT_GET: 'GET 요청이 아니에요',
  BAD_HTTP_VERSION: 'HTTP/1.1 요청이 아니에요',
  BAD_TARGET: '요청 대상이 리소스 이름이나 http(s) URI가 아니에요',
  MISSING_HOST: 'Host 헤더가 없어요',
  BAD_HOST: 'Host가 잘못됐거나 이 서버가 맡은 호스트가 아니에요',
  MISSING_UPGRADE: 'Upgrade 헤더에 "websocket"이 없어요',
  MISSING_CONNECTION: 'Connection 헤더에 "Upgrade"가 없어요',
  MISSING_KEY: 'Sec-WebSocket-Key가 없어요',
  BAD_KEY: 'Sec-WebSocket-Key가 16바이트를 base64로 인코딩한 값이 아니에요',
  MISSING_VERSION: 'Sec-WebSocket-Version이 없어요',
  UNSUPPORTED_VERSION: '지원하지 않는 WebSocket 버전이에요',
  ORIGIN_REJECTED: '허용되지 않은 Origin이에요',
  BAD_PROTOCOL: 'Sec-WebSocket-Protocol에는 서로 다른 토큰만 나열해야 해요',
};

/** Korean for each way a 101 answer can fail the client's checks (section 4.1). */
export const RESPONSE_FAILURE_KO: Record<string, string> = {
  BAD_HTTP: 'HTTP 응답 형식이 잘못됐어요',
  NOT_101: '상태 코드가 101 Switching Protocols가 아니에요',
  MISSING_UPGRADE: '응답에 "Upgrade: websocket"이 없어요',
  MISSING_CONNECTION: '응답에 "Connection: Upgrade"가 없어요',
  MISSING_ACCEPT: '응답에 Sec-WebSocket-Accept가 없어요',
  BAD_ACCEPT: 'Sec-WebSocket-Accept가 클라이언트가 계산한 값과 달라요',
  UNREQUESTED_EXTENSION: '클라이언트가 제안하지 않은 확장을 서버가 골랐어요',
  UNREQUESTED_PROTOCOL: '클라이언트가 제안하지 않은 서브프로토콜을 서버가 골랐어요',
};

const SIDE_KO: Record<Side, string> = { client: '클라이언트', server: '서버' };

/** "1 connection", "2 connections". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

interface Tally {
  httpConnections: number;
  httpRequests: number;
  httpBytes: number;
  wsConnections: number;
  wsRequests: number;
  wsBytes: number;
}

const en = {
  // Short polling (request-response)
  pollElapsed: () => 'Poll interval elapsed: ask again',
  eventHappened: (p: { secondsAgo: number }) => `An event happened at the server ${p.secondsAgo} s ago`,
  shortPollSummary: (p: { requests: number; delivered: number; headerBytes: number }) =>
    `${p.requests} requests, ${p.delivered} answers with news, ${p.headerBytes} header bytes`,

  // Long polling
  held: (p: { seconds: number }) =>
    `The server holds the request (up to ${p.seconds} s): 1 connection tied up`,
  eventHappens: () => 'An event happens at the server',
  waitExpires: (p: { seconds: number }) => `${p.seconds} s passed with no event: the wait expires`,
  longPollSummary: (p: {
    requests: number;
    delivered: number;
    headerBytes: number;
    per: number;
    held: number;
  }) =>
    `${plural(p.requests, 'request')} for ${plural(p.delivered, 'message')}: ${p.headerBytes} header bytes, ${p.per} per delivered message; at most ${plural(p.held, 'connection')} held`,

  // Opening handshake
  serverChecksPass: () => `Server checks pass: ${SERVER_CHECKS.en.join(', ')}`,
  serverCheckFails: (p: { code: string; reason: string; section: string; status: number }) =>
    `Server check fails: ${p.reason} (RFC 6455 ${p.section}) → ${p.status}`,
  accept: (p: { accept: string }) => `Accept = base64(SHA-1(key + GUID)) = ${p.accept}`,
  brokenAccept: (p: { answered: string }) => `A broken server answers ${p.answered} instead`,
  clientChecksPass: (p: { accept: string }) =>
    `Client checks: 101, Upgrade, Connection and Sec-WebSocket-Accept ${p.accept} all match`,
  clientCheckFails: (p: { code: string; reason: string; section: string }) =>
    `Client checks: ${p.reason} (RFC 6455 ${p.section})`,
  bothOpen: () => 'Both sides OPEN: frames may flow either way on this TCP connection',
  clientFails: () => 'The client fails the WebSocket connection: error, then close event 1006',

  // Frames
  afterHandshake: () => 'After the handshake: one TCP connection, frames either way',
  unmask: () => 'The server unmasks: payload[i] XOR key[i mod 4]',
  messageComplete: () => "Message complete: 'Hello!' from two fragments",

  // Closing handshake
  closing: (p: { peer: Side }) => `The ${p.peer} is CLOSING: it sends no more data, but still reads`,
  noStatus: () => 'The Close had no body: the server reports code 1005, which is never sent',
  serverClosesTcp: () => 'The server closes TCP first, so the TIME-WAIT state stays on the server (7.1.1)',
  closeEvent: (p: { code: number; reason: string }) =>
    `close event: code ${p.code}${p.reason ? ` '${p.reason}'` : ''}, wasClean true`,
  connectionDrops: () => 'The connection drops: no Close frame either way',
  abnormal: () => 'close event: code 1006, wasClean false; 1006 never appears on the wire',

  // HTTP versus WebSocket
  twoClients: () => 'Two clients want updates from the same server: one over HTTP, one over WebSocket',
  pushed: () => 'Event 2 happens at the server: the WebSocket client gets it at once',
  nextPoll: (p: { ms: number }) => `The HTTP client's next poll, ${p.ms} ms after event 2 happened`,
  tally: (p: Tally) =>
    `HTTP: ${plural(p.httpConnections, 'connection')}, ${plural(p.httpRequests, 'request')}, ${p.httpBytes} bytes. ` +
    `WebSocket: ${plural(p.wsConnections, 'connection')}, ${plural(p.wsRequests, 'request')}, ${p.wsBytes} bytes`,

  // --- Lesson 9, compression (RFC 7692) ---
  deflateAgreed: (p: { response: string }) => `Agreed: ${p.response}. RSV1 now marks a compressed message`,
  deflateDeclined: () => 'No Sec-WebSocket-Extensions in the 101: no compression, and RSV1 stays an error',
  deflateInflated: (p: { bytes: number; text: string }) =>
    `The server adds 00 00 ff ff to the ${p.bytes} bytes and inflates them: '${p.text}'`,
  deflateFragments: () =>
    'RSV1 on the first frame only; the ping and pong are not compressed. The server inflates both fragments as one message',
  deflateMemory: (p: { plain: string; compressed: string }) =>
    `Server memory per connection: ${p.plain} KiB plain, ${p.compressed} KiB compressed (npm run bench)`,
  deflateEavesdropper: (p: { guess: string; bytes: number }) =>
    `Eve guessed tok_${p.guess}. On wss:// an eavesdropper cannot read the frame, but sees its size: ${p.bytes} bytes`,
  deflateOracleLeaks: (p: { right: number; wrong: number }) =>
    `The right guess makes a ${p.right}-byte frame, a wrong one ${p.wrong}: the size gives the secret away`,
  deflateOracleSilent: (p: { bytes: number }) =>
    `Every guess makes a ${p.bytes}-byte frame: without context takeover, eve's message cannot refer back to the secret`,
  // --- end of lesson 9 ---
  // Scaling out (a balancer, two nodes, one Redis)
  roundRobin: (p: { node: string }) =>
    `The balancer picks node ${p.node} (round robin) and opens its own connection`,
  connectionCost: (p: { sockets: number; kib: number }) =>
    `Idle, but open: ${p.sockets} sockets (2 at the balancer, 1 at the node), up to ${p.kib} KiB of the node's memory`,
  aloneMissed: (p: { id: number }) =>
    `Sharing nothing, node b would keep event ${p.id} to itself: node a's subscriber would never get it`,
  stickyPinned: () =>
    "Sticky: this browser's requests all go to node a, but another publisher's still reach node b",
  backplaneLinks: () => "Each node keeps one connection to Redis, subscribed to the stream's channel",
  redisPublish: (p: { node: string; id: number }) =>
    `Node ${p.node} → Redis, one script: INCR gives id ${p.id}, XADD keeps it in the history, PUBLISH hands it on`,
  redisMessage: (p: { id: number; nodes: number }) =>
    `Redis → every node: event ${p.id}, ${plural(p.nodes, 'message')} (one per subscribed node)`,
  fanOut: (p: { subscribers: number; nodes: number }) =>
    `One event, ${plural(p.nodes, 'message')} on the backplane, then ${p.subscribers} WebSocket frames written by the nodes (one per subscriber)`,
  goingAway: (p: { node: string }) => `Node ${p.node} is drained for a deploy: Close 1001 Going Away`,
  nodeCrashed: (p: { node: string }) =>
    `Node ${p.node}'s process dies: its kernel closes the sockets, no Close frame; the browser reports 1006`,
  publishedMeanwhile: (p: { id: number; node: string }) =>
    `Meanwhile event ${p.id} is published on node ${p.node}: it is kept in the shared history`,
  jitter: (p: { ms: number }) => `The page waits ${p.ms} ms (random jitter) before reconnecting`,
  resumeFromHistory: (p: { after: number; node: string }) =>
    `Node ${p.node} resends from the shared history: every event after ${p.after}`,
  scalingSummary: (p: { connections: number; relayed: number; backplane: number; delivered: number }) =>
    `${plural(p.connections, 'TCP connection')}, ${plural(p.relayed, 'message')} through the balancer, ${p.backplane} on the backplane; ${plural(p.delivered, 'event')} delivered, none missed`,
  // ---- Server-sent events (lesson 7: scenarios/server-sent-events) ----
  sseOpen: () => '200 and text/event-stream: readyState OPEN, the open event fires',
  sseRetry: (p: { ms: number }) => `retry: the reconnection time is now ${p.ms} ms; no event is dispatched`,
  sseDispatched: (p: { type: string; lastEventId: string }) =>
    `Blank line: a '${p.type}' event is dispatched, lastEventId "${p.lastEventId}"`,
  sseComment: () => 'A comment: the parser ignores it; the bytes keep a quiet stream alive',
  sseOneWay: () => 'The stream goes one way: the page sends in a request of its own, on another connection',
  sseCut: () => 'The connection drops in the middle of the stream: no last chunk',
  sseEnded: () => 'The server ends the response with the last chunk; the connection stays open',
  sseReconnecting: (p: { ms: number }) =>
    `error event, readyState CONNECTING: the browser asks again in ${p.ms} ms`,
  sseMissed: (p: { id: string }) =>
    `Event ${p.id} happens while nobody is connected: it waits in the server's history`,
  sseResent: (p: { since: string; id: string }) =>
    `Last-Event-ID ${p.since}: the server resends what came after it, event ${p.id}`,
  sseStopped: () => '204 No Content: the EventSource fails the connection (CLOSED) and never reconnects',
  sseSummary: (p: {
    events: number;
    requests: number;
    posts: number;
    connections: number;
    chunkBytes: number;
    dataBytes: number;
  }) =>
    `${plural(p.events, 'event')} from ${plural(p.requests, 'stream request')} (and ${plural(p.posts, 'POST')} beside them) on ${plural(p.connections, 'connection')}: ${p.chunkBytes} bytes of event chunks carried ${p.dataBytes} bytes of data`,
  observedSseOpen: () => 'open event: readyState OPEN',
  observedSseMessage: (p: { type: string; lastEventId: string; payload: string }) =>
    `${p.type} event, lastEventId "${p.lastEventId}": ${p.payload}`,
  observedSseError: (p: { readyState: string }) =>
    `error event, readyState ${p.readyState}: reconnecting on its own`,
  observedSseUntapped: () =>
    "The tap did not see every EventSource request: the browser sent it on a kept-alive connection it had opened for the page's files",
  // ---- end of server-sent events ----

  // ---- Staying connected (lesson 8: scenarios/staying-connected) ----
  streamOpen: () => 'OPEN on /ws/stream?since=0: every event carries an id, and the page keeps the last one',
  serverHeartbeat: (p: { seconds: number }) =>
    `The server pings every ${p.seconds} s and drops a peer whose pong has not come by the next ping`,
  autoPong: () => "The browser answered by itself: the page's script sees neither the ping nor the pong",
  appHeartbeat: (p: { seconds: number }) =>
    `The page's own heartbeat, every ${p.seconds} s: no answer within ${p.seconds} s means the connection is dead`,
  outbox: (p: { id: string }) => `The page keeps ${p.id} in its outbox until the server acknowledges it`,
  applied: (p: { id: string }) => `The server applies ${p.id} and remembers its id`,
  vanished: () => 'The network vanishes: no FIN, no RST. Both sides still show OPEN',
  lostInFlight: () => 'Lost: TCP keeps retransmitting these bytes, and they never arrive',
  silence: (p: { seconds: number }) => `${p.seconds} s without a byte, and readyState is still OPEN`,
  noAnswer: (p: { seconds: number; total: number }) =>
    `No answer within ${p.seconds} s: the page gives up on this connection, ${p.total} s after the network went`,
  serverGivesUp: (p: { from: number; to: number }) =>
    `The server's next ping gets no pong: it drops the connection ${p.from}–${p.to} s after the network went`,
  ackFirst: () => 'The ack arrives before the Close (TCP keeps order): the outbox is empty',
  backoffWait: (p: { attempt: number; ms: number; ceiling: number }) =>
    `Attempt ${p.attempt} in ${p.ms} ms: a random wait below ${p.ceiling} ms`,
  retryFails: (p: { why: string }): string =>
    p.why === 'network'
      ? 'Attempt 1 fails: the network is not back yet (the SYN goes unanswered)'
      : 'Attempt 1 fails: the restarting server is not listening yet (RST, connection refused)',
  resumeFrom: (p: { since: number }) => `since=${p.since}: send me every event after id ${p.since}`,
  resumed: (p: { ids: string }) => `Resent from the server's history: ids ${p.ids}. Nothing was lost`,
  duplicate: (p: { id: string }) => `${p.id} was applied already: acknowledged again, not applied twice`,
  nothingToResend: () => 'Nothing to resend: every message the page sent was acknowledged',
  deliverySummary: (p: { before: string; after: string; applied: number }) =>
    `Event ids before the break: ${p.before}; after it: ${p.after}. Each event once; c1 applied ${p.applied === 1 ? 'once' : `${p.applied} times`}`,

  // ---- Security (lesson 10: scenarios/security) ----
  signedIn: () => 'Signed in: the cookie is HttpOnly (no script can read it) and SameSite=Lax',
  ownChecks: () => 'Server checks: Origin is its own, and the cookie names a signed-in account',
  sameSiteAttacker: (p: { origin: string }) =>
    `Another tab, a page from ${p.origin}: the same site as 127.0.0.1:8080 (same scheme and host), another origin (another port)`,
  crossSiteAttacker: (p: { origin: string }) =>
    `Another tab, a page from ${p.origin}: another host, so another site and another origin`,
  cookieRides: (p: { rides: boolean }): string =>
    p.rides
      ? 'The browser adds your cookie: cookies follow the site, whoever asks (and ports do not count)'
      : 'SameSite=Lax: the browser sends no cookie on a cross-site handshake',
  attackerSeesOnly: () => "The attacker's script sees only an error and close 1006, not even the 403",
  noCookieRefused: () => 'No cookie, so no account: 403 before any upgrade',
  hijacked: () => "No Origin check: the attacker's page reads your code, and could send messages as you",
  ticketUsed: () => 'The ticket is good once, for 30 s: a copy in a log opens nothing later',
  tokenFirst: () =>
    'The first message authenticates; a socket that stays silent is closed with 1008 after a few seconds',
  mixedContent: () =>
    "From an https:// page, new WebSocket('ws://…') throws a SecurityError: nothing is sent",
  wss: () => 'wss://: TLS first, then the same handshake and frames, unreadable on the wire',
  tooBig: (p: { size: number; limit: number }) =>
    `The header announces ${p.size.toLocaleString('en')} bytes, over the ${p.limit.toLocaleString('en')}-byte limit: Close 1009 before the payload is read`,
  securitySummary: () =>
    'Check Origin on every handshake, use wss://, and bound sizes, rates and connections',

  // What the page itself saw during a live run
  observedPoll: (p: { n: number; status: number }) => `poll ${p.n}: ${p.status}`,
  observedOpen: (p: { protocol: string; extensions: string }) =>
    `readyState OPEN, protocol "${p.protocol}", extensions "${p.extensions}"`,
  observedClose: (p: { code: number; reason: string; wasClean: boolean }) =>
    `close event: code ${p.code}, reason "${p.reason}", wasClean ${p.wasClean}`,
  observedEcho: (p: { text: string }) => `echo of your message: ${p.text}`,
  observedPublished: (p: { node: string; id: number }) => `published event ${p.id} on node ${p.node}`,
  observedCrossNode: (p: { node: string; id: number }) =>
    `event ${p.id} arrived on the WebSocket of node ${p.node}`,

  // Staying connected (lesson 8)
  observedIds: (p: { phase: string; ids: string }) =>
    `${p.phase === 'before' ? 'ids before the cut' : 'ids after reconnecting'}: ${p.ids}`,
  observedReconnect: (p: { since: number; ms: number }) =>
    `reconnected after ${p.ms} ms with since=${p.since}`,
  observedDelivery: (p: { missed: number; duplicates: number }) =>
    `missed ${p.missed}, duplicates ${p.duplicates}`,
  // Security (lesson 10)
  observedOwnRead: (p: { text: string }) => `your page read ${p.text}`,
  observedAttack: (p: { origin: string; path: string; read: string; code: number }): string =>
    p.read
      ? `the page at ${p.origin} opened ${p.path} and read ${p.read}`
      : `the page at ${p.origin} was refused ${p.path} (close ${p.code})`,
  observedNoAttacker: (p: { reason: string }) => `no attacker page: ${p.reason}`,

  // In front of an app (--target): how the two legs of a proxied connection relate
  proxyCarried: (p: { conn: string }) => `Carried on to the app as ${p.conn}`,
  proxyOwnEarlier: (p: { count: number }) =>
    `${p.count} earlier request(s) on this connection went to wirescope's own page and are not shown`,

  // Capture import (src/lib/trace/capture): what could not be read as it was
  captureLeftOut: (p: { record: number; offset: number; why: string }) =>
    `Record ${p.record} at byte ${p.offset} was left out: ${p.why}`,
  captureMidStream: (p: { dir: string }) =>
    `The capture starts after this connection's SYN (${p.dir}): its bytes begin mid-stream`,
  captureHole: (p: { length: number; dir: string; offset: number }) =>
    `${p.length} bytes ${p.dir} at stream offset ${p.offset} are not in the capture; the units of this direction stop here`,
  captureSummary: (p: {
    records: number;
    segments: number;
    connections: number;
    skipped: number;
    missing: number;
  }) =>
    `Capture: ${p.records} packets, ${p.segments} TCP segments in ${p.connections} connections; ${p.skipped} packets not TCP over IP were left out; ${p.missing} stream bytes were not in the capture`,

  /** A note read from a version 1 trace file, which carried its text in each language. */
  said: (p: { en: string; ko?: string }) => p.en,
};

export type NoteTable = typeof en;
export type NoteKey = keyof NoteTable;
/** The parameters a note's message takes (`undefined` for a note without any). */
export type NoteParams<K extends NoteKey> = Parameters<NoteTable[K]>[0];

const ko: NoteTable = {
  pollElapsed: () => '폴링 간격이 지났어요: 다시 물어봐요',
  eventHappened: (p) => `${p.secondsAgo}초 전에 서버에서 이벤트가 일어났어요`,
  shortPollSummary: (p) =>
    `요청 ${p.requests}번, 새 소식이 담긴 응답 ${p.delivered}번, 헤더 ${p.headerBytes}바이트`,

  held: (p) => `서버가 요청을 붙잡고 있어요(최대 ${p.seconds}초): 연결 1개가 묶여 있어요`,
  eventHappens: () => '서버에서 이벤트가 일어나요',
  waitExpires: (p) => `${p.seconds}초 동안 이벤트가 없어요: 대기 시간이 끝나요`,
  longPollSummary: (p) =>
    `메시지 ${p.delivered}개에 요청 ${p.requests}번: 헤더 ${p.headerBytes}바이트, 전달된 메시지당 ${p.per}바이트. 붙잡힌 연결은 최대 ${p.held}개`,

  serverChecksPass: () => `서버 검사 통과: ${SERVER_CHECKS.ko.join(', ')}`,
  serverCheckFails: (p) =>
    `서버 검사 실패: ${REQUEST_FAILURE_KO[p.code] ?? p.reason} (RFC 6455 ${p.section}절) → ${p.status}`,
  accept: (p) => `Accept = base64(SHA-1(키 + GUID)) = ${p.accept}`,
  brokenAccept: (p) => `고장 난 서버는 대신 ${p.answered} 값을 보내요`,
  clientChecksPass: (p) =>
    `클라이언트 검사: 101, Upgrade, Connection, Sec-WebSocket-Accept ${p.accept} 모두 일치해요`,
  clientCheckFails: (p) =>
    `클라이언트 검사: ${RESPONSE_FAILURE_KO[p.code] ?? p.reason} (RFC 6455 ${p.section}절)`,
  bothOpen: () => '양쪽 모두 OPEN: 이제 이 TCP 연결로 프레임이 양방향으로 오갈 수 있어요',
  clientFails: () => '클라이언트가 WebSocket 연결을 실패로 끝내요: error 이벤트, 이어서 close 이벤트 1006',

  afterHandshake: () => '핸드셰이크 이후: TCP 연결 하나로 프레임이 양방향으로 오가요',
  unmask: () => '서버가 마스킹을 풀어요: payload[i] XOR key[i mod 4]',
  messageComplete: () => "메시지 완성: 두 조각으로 온 'Hello!'",

  closing: (p) => `${SIDE_KO[p.peer]}는 CLOSING: 더는 데이터를 보내지 않지만 계속 읽어요`,
  noStatus: () => 'Close 프레임에 본문이 없어요: 서버는 코드 1005를 보고해요. 1005는 절대 전송되지 않아요',
  serverClosesTcp: () => '서버가 TCP를 먼저 닫으므로 TIME-WAIT 상태는 서버에 남아요(7.1.1절)',
  closeEvent: (p) => `close 이벤트: 코드 ${p.code}${p.reason ? ` '${p.reason}'` : ''}, wasClean true`,
  connectionDrops: () => '연결이 끊겨요: 어느 쪽도 Close 프레임을 보내지 않았어요',
  abnormal: () => 'close 이벤트: 코드 1006, wasClean false. 1006은 실제로 전송되는 일이 없어요',

  twoClients: () =>
    '두 클라이언트가 같은 서버에서 업데이트를 받으려고 해요: 하나는 HTTP로, 하나는 WebSocket으로',
  pushed: () => '서버에서 이벤트 2가 일어나요: WebSocket 클라이언트는 바로 받아요',
  nextPoll: (p) => `HTTP 클라이언트의 다음 폴링: 이벤트 2가 일어나고 ${p.ms} ms 뒤`,
  tally: (p) =>
    `HTTP: 연결 ${p.httpConnections}개, 요청 ${p.httpRequests}번, ${p.httpBytes}바이트. ` +
    `WebSocket: 연결 ${p.wsConnections}개, 요청 ${p.wsRequests}번, ${p.wsBytes}바이트`,

  // --- 9강, 압축 (RFC 7692) ---
  deflateAgreed: (p) => `합의: ${p.response}. 이제 RSV1은 압축된 메시지를 뜻해요`,
  deflateDeclined: () => '101에 Sec-WebSocket-Extensions가 없어요: 압축하지 않고, RSV1은 여전히 오류예요',
  deflateInflated: (p) => `서버가 ${p.bytes}바이트 뒤에 00 00 ff ff를 붙여 압축을 풀어요: '${p.text}'`,
  deflateFragments: () =>
    'RSV1은 첫 프레임에만 있어요. 핑과 퐁은 압축하지 않아요. 서버는 두 조각을 메시지 하나로 모아 압축을 풀어요',
  deflateMemory: (p) =>
    `연결당 서버 메모리: 압축 없이 ${p.plain} KiB, 압축하면 ${p.compressed} KiB (벤치마크로 잰 값)`,
  deflateEavesdropper: (p) =>
    `이브의 추측은 tok_${p.guess}. wss://에서는 도청자가 프레임을 읽을 수 없지만 크기는 보여요: ${p.bytes}바이트`,
  deflateOracleLeaks: (p) =>
    `맞는 추측은 ${p.right}바이트, 틀린 추측은 ${p.wrong}바이트 프레임이 돼요: 크기가 비밀을 드러내요`,
  deflateOracleSilent: (p) =>
    `어떤 추측이든 ${p.bytes}바이트 프레임이에요: 컨텍스트를 유지하지 않으면 이브의 메시지가 비밀을 참조할 수 없어요`,
  // --- 9강 끝 ---
  roundRobin: (p) => `밸런서가 라운드 로빈으로 노드 ${p.node}를 고르고 자기 연결을 따로 열어요`,
  connectionCost: (p) =>
    `조용하지만 열려 있어요: 소켓 ${p.sockets}개(밸런서에 2개, 노드에 1개), 노드 메모리 최대 ${p.kib} KiB`,
  aloneMissed: (p) =>
    `아무것도 공유하지 않으면 노드 b는 이벤트 ${p.id}을(를) 혼자 가져요: 노드 a의 구독자는 절대 받지 못해요`,
  stickyPinned: () =>
    '스티키: 이 브라우저의 요청은 모두 노드 a로 가지만, 다른 발행자의 요청은 여전히 노드 b로 가요',
  backplaneLinks: () => '노드마다 Redis로 가는 연결을 하나씩 두고 스트림 채널을 구독해요',
  redisPublish: (p) =>
    `노드 ${p.node} → Redis, 스크립트 하나: INCR로 번호 ${p.id}, XADD로 기록에 보관, PUBLISH로 전달`,
  redisMessage: (p) => `Redis → 모든 노드: 이벤트 ${p.id}, 메시지 ${p.nodes}개(구독 중인 노드마다 하나)`,
  fanOut: (p) =>
    `이벤트 하나에 백플레인 메시지 ${p.nodes}개, 그다음 노드들이 WebSocket 프레임 ${p.subscribers}개를 써요(구독자마다 하나)`,
  goingAway: (p) => `배포를 위해 노드 ${p.node}의 트래픽을 빼고 Close 1001로 닫아요`,
  nodeCrashed: (p) =>
    `노드 ${p.node}의 프로세스가 죽어요: 커널이 소켓을 닫고 Close 프레임은 없어요. 브라우저는 1006을 알려요`,
  publishedMeanwhile: (p) => `그사이 노드 ${p.node}에서 이벤트 ${p.id}이(가) 발행돼 공유 기록에 남아요`,
  jitter: (p) => `페이지가 다시 연결하기 전에 ${p.ms} ms(무작위 지터) 기다려요`,
  resumeFromHistory: (p) => `노드 ${p.node}가 공유 기록에서 ${p.after}번 다음 이벤트를 모두 다시 보내요`,
  scalingSummary: (p) =>
    `TCP 연결 ${p.connections}개, 밸런서를 지나간 메시지 ${p.relayed}개, 백플레인 메시지 ${p.backplane}개. 이벤트 ${p.delivered}개 전달, 놓친 것 없음`,
  // ---- 서버 전송 이벤트 (레슨 7) ----
  sseOpen: () => '200과 text/event-stream: readyState OPEN, open 이벤트가 발생해요',
  sseRetry: (p) => `retry: 재연결 대기 시간이 이제 ${p.ms} ms예요. 이벤트는 발생하지 않아요`,
  sseDispatched: (p) => `빈 줄: '${p.type}' 이벤트가 발생해요, lastEventId "${p.lastEventId}"`,
  sseComment: () => '주석: 파서는 무시해요. 이 바이트가 조용한 스트림을 살려 둬요',
  sseOneWay: () => '스트림은 한 방향뿐이에요: 페이지는 다른 연결에서 따로 요청을 보내요',
  sseCut: () => '스트림 중간에 연결이 끊겨요: 마지막 청크가 없어요',
  sseEnded: () => '서버가 마지막 청크로 응답을 끝내요. 연결은 열려 있어요',
  sseReconnecting: (p) => `error 이벤트, readyState CONNECTING: 브라우저가 ${p.ms} ms 뒤에 다시 요청해요`,
  sseMissed: (p) => `아무도 연결돼 있지 않을 때 이벤트 ${p.id}가 생겨요: 서버의 기록에 남아 기다려요`,
  sseResent: (p) => `Last-Event-ID ${p.since}: 서버가 그 뒤의 것, 이벤트 ${p.id}를 다시 보내요`,
  sseStopped: () => '204 No Content: EventSource가 연결을 실패 처리하고(CLOSED) 다시 연결하지 않아요',
  sseSummary: (p) =>
    `스트림 요청 ${p.requests}번(그 옆에 POST ${p.posts}번), 연결 ${p.connections}개로 이벤트 ${p.events}개: 이벤트 청크 ${p.chunkBytes}바이트에 데이터 ${p.dataBytes}바이트`,
  observedSseOpen: () => 'open 이벤트: readyState OPEN',
  observedSseMessage: (p) => `${p.type} 이벤트, lastEventId "${p.lastEventId}": ${p.payload}`,
  observedSseError: (p) => `error 이벤트, readyState ${p.readyState}: 알아서 다시 연결하는 중`,
  observedSseUntapped: () =>
    '탭이 EventSource 요청을 다 보지 못했어요: 브라우저가 페이지 파일을 받으려고 열어 둔 연결로 보냈어요',
  // ---- 서버 전송 이벤트 끝 ----

  // ---- Staying connected (lesson 8: scenarios/staying-connected) ----
  streamOpen: () => '/ws/stream?since=0으로 OPEN: 이벤트마다 id가 있고, 페이지는 마지막 id를 기억해요',
  serverHeartbeat: (p) =>
    `서버는 ${p.seconds}초마다 ping을 보내고, 다음 ping 때까지 pong이 오지 않은 상대는 끊어요`,
  autoPong: () => '브라우저가 알아서 답했어요: 페이지의 스크립트에는 ping도 pong도 보이지 않아요',
  appHeartbeat: (p) =>
    `페이지의 자체 하트비트, ${p.seconds}초마다: ${p.seconds}초 안에 답이 없으면 연결이 죽었다고 봐요`,
  outbox: (p) => `페이지는 서버가 확인 응답을 보낼 때까지 ${p.id}를 보낼 목록(outbox)에 남겨 둬요`,
  applied: (p) => `서버가 ${p.id}를 반영하고 그 id를 기억해요`,
  vanished: () => '네트워크가 사라져요: FIN도 RST도 없어요. 양쪽 모두 여전히 OPEN이에요',
  lostInFlight: () => '유실: TCP가 이 바이트를 계속 재전송하지만 끝내 도착하지 않아요',
  silence: (p) => `${p.seconds}초 동안 한 바이트도 오지 않았는데 readyState는 여전히 OPEN이에요`,
  noAnswer: (p) =>
    `${p.seconds}초 안에 답이 없어요: 네트워크가 사라지고 ${p.total}초 뒤, 페이지가 이 연결을 포기해요`,
  serverGivesUp: (p) =>
    `서버의 다음 ping에 pong이 오지 않아요: 네트워크가 사라지고 ${p.from}~${p.to}초 사이에 서버가 연결을 끊어요`,
  ackFirst: () => '확인 응답이 Close보다 먼저 도착해요(TCP는 순서를 지켜요): outbox가 비었어요',
  backoffWait: (p) => `${p.attempt}번째 시도는 ${p.ms} ms 뒤: ${p.ceiling} ms 미만의 무작위 대기예요`,
  retryFails: (p) =>
    p.why === 'network'
      ? '1번째 시도 실패: 네트워크가 아직 돌아오지 않았어요(SYN에 답이 없어요)'
      : '1번째 시도 실패: 재시작 중인 서버가 아직 연결을 받지 않아요(RST, 연결 거부)',
  resumeFrom: (p) => `"since=${p.since}"는 id ${p.since} 다음의 이벤트를 모두 보내 달라는 뜻이에요`,
  resumed: (p) => `서버의 기록(history)에서 다시 보냈어요: id ${p.ids}. 잃어버린 게 없어요`,
  duplicate: (p) => `${p.id}는 이미 반영했어요: 확인 응답은 다시 보내지만 두 번 반영하지는 않아요`,
  nothingToResend: () => '다시 보낼 게 없어요: 페이지가 보낸 메시지는 모두 확인 응답을 받았어요',
  deliverySummary: (p) =>
    `끊기기 전 이벤트 id: ${p.before}, 다시 연결한 뒤: ${p.after}. 이벤트마다 한 번씩, c1은 ${p.applied}번 반영됐어요`,

  // ---- Security (lesson 10: scenarios/security) ----
  signedIn: () => '로그인했어요: 쿠키는 HttpOnly(스크립트가 읽을 수 없어요)이고 SameSite=Lax예요',
  ownChecks: () => '서버 검사: Origin이 서버 자신의 것이고, 쿠키가 로그인한 계정을 가리켜요',
  sameSiteAttacker: (p) =>
    `다른 탭, ${p.origin}에서 온 페이지: 127.0.0.1:8080과 같은 사이트(스킴과 호스트가 같아요), 다른 출처(포트가 달라요)`,
  crossSiteAttacker: (p) => `다른 탭, ${p.origin}에서 온 페이지: 호스트가 달라서 사이트도 출처도 달라요`,
  cookieRides: (p) =>
    p.rides
      ? '브라우저가 내 쿠키를 붙여요: 쿠키는 누가 요청하든 사이트를 따라가요(포트는 따지지 않아요)'
      : 'SameSite=Lax: 다른 사이트에서 시작한 핸드셰이크에는 쿠키를 보내지 않아요',
  attackerSeesOnly: () => '공격자의 스크립트에는 error와 close 1006만 보여요. 403조차 보이지 않아요',
  noCookieRefused: () => '쿠키가 없으니 계정도 없어요: 업그레이드 전에 403',
  hijacked: () => 'Origin 검사가 없어요: 공격자의 페이지가 내 코드를 읽고, 나인 척 메시지를 보낼 수도 있어요',
  ticketUsed: () =>
    '티켓은 30초 동안 한 번만 쓸 수 있어요: 로그에 남은 사본으로는 나중에 아무것도 열 수 없어요',
  tokenFirst: () => '첫 메시지로 인증해요. 조용히 있는 소켓은 몇 초 뒤 1008로 닫아요',
  mixedContent: () =>
    'https:// 페이지에서 ws:// 주소로 WebSocket을 만들면 생성자가 SecurityError를 던져요. 아무것도 보내지 않아요',
  wss: () => 'wss://: 먼저 TLS, 그다음 같은 핸드셰이크와 프레임이에요. 네트워크 위에서는 읽을 수 없어요',
  tooBig: (p) =>
    `헤더가 ${p.size.toLocaleString('ko')}바이트를 알려요. 한도 ${p.limit.toLocaleString('ko')}바이트를 넘으니 페이로드를 읽기 전에 Close 1009`,
  securitySummary: () => '핸드셰이크마다 Origin을 검사하고, wss://를 쓰고, 크기와 빈도와 연결 수를 제한해요',

  observedPoll: (p) => `폴링 ${p.n}: ${p.status}`,
  observedOpen: (p) => `readyState OPEN, 서브프로토콜 "${p.protocol}", 확장 "${p.extensions}"`,
  observedClose: (p) => `close 이벤트: 코드 ${p.code}, 이유 "${p.reason}", wasClean ${p.wasClean}`,
  observedEcho: (p) => `내 메시지의 에코: ${p.text}`,
  observedPublished: (p) => `노드 ${p.node}에서 이벤트 ${p.id} 발행`,
  observedCrossNode: (p) => `노드 ${p.node}의 WebSocket에 이벤트 ${p.id} 도착`,

  // Staying connected (lesson 8)
  observedIds: (p) => `${p.phase === 'before' ? '끊기기 전 받은 id' : '다시 연결한 뒤 받은 id'}: ${p.ids}`,
  observedReconnect: (p) => `${p.ms} ms 뒤 "since=${p.since}"로 다시 연결했어요`,
  observedDelivery: (p) => `빠진 것 ${p.missed}개, 중복 ${p.duplicates}개`,
  // Security (lesson 10)
  observedOwnRead: (p) => `내 페이지가 읽은 것: ${p.text}`,
  observedAttack: (p) =>
    p.read
      ? `${p.origin}의 페이지가 ${p.path}를 열고 ${p.read}를 읽었어요`
      : `${p.origin}의 페이지는 ${p.path}에서 거부됐어요(close ${p.code})`,
  observedNoAttacker: (p) => `공격자 페이지 없음: ${p.reason}`,

  proxyCarried: (p) => `앱으로 가는 연결 ${p.conn}로 이어져요`,
  proxyOwnEarlier: (p) => `이 연결의 앞선 요청 ${p.count}개는 wirescope 자체 페이지로 가서 보이지 않아요`,

  captureLeftOut: (p) => `레코드 ${p.record}(바이트 ${p.offset})는 뺐어요: ${p.why}`,
  captureMidStream: (p) => `이 연결은 SYN 뒤부터 캡처됐어요(${p.dir}): 바이트가 스트림 중간부터 시작해요`,
  captureHole: (p) =>
    `${p.dir} 방향 스트림 오프셋 ${p.offset}의 ${p.length}바이트가 캡처에 없어요. 이 방향의 단위 해석은 여기서 멈춰요`,
  captureSummary: (p) =>
    `캡처: 패킷 ${p.records}개, 연결 ${p.connections}개의 TCP 세그먼트 ${p.segments}개. IP 위 TCP가 아닌 패킷 ${p.skipped}개는 뺐고, 캡처에 없는 스트림 바이트는 ${p.missing}바이트예요`,

  said: (p) => p.ko ?? p.en,
};

const NOTES: Record<Lang, NoteTable> = { en, ko };

export function isNoteKey(key: string): key is NoteKey {
  return Object.hasOwn(en, key);
}

/**
 * A note in `lang`. A key this version does not know (a trace from a newer wirescope) falls back to the
 * English `text` the trace keeps beside it.
 */
export function renderNote(
  note: { key: string; params?: NoteParamRecord; text?: string },
  lang: Lang,
): string {
  if (!isNoteKey(note.key)) return note.text ?? note.key;
  const message = NOTES[lang][note.key] as (params: NoteParamRecord | undefined) => string;
  return message(note.params);
}
