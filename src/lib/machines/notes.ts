/**
 * The scenarios' diagram notes in English and Korean, side by side so each pair is reviewed together.
 * They are short captions on the sequence diagram, not lesson prose (that lives in lessons/). Technical
 * names stay as they are in both languages: TCP, FIN, TIME-WAIT, Close, readyState values, header names.
 *
 * The protocol's validators explain a failure in English; the Korean for each is keyed here by the
 * failure's stable `code`, so the protocol code stays free of UI text.
 */
import type { HandshakeRequestFailure, HandshakeResponseFailure } from '../protocol/handshake';
import type { Peer } from '../trace/types';
import { say, type Said } from './kit';

const PEER_KO: Record<Peer, string> = { client: '클라이언트', server: '서버' };

/** What the server checks in an upgrade request (RFC 6455 section 4.2.1), as named in the note. */
const SERVER_CHECKS = {
  en: ['method GET', 'Host', 'Upgrade: websocket', 'Connection: Upgrade', 'key', 'version 13', 'Origin'],
  ko: ['GET 메서드', 'Host', 'Upgrade: websocket', 'Connection: Upgrade', '키', '버전 13', 'Origin'],
};

/** Korean for each way an upgrade request can fail the server's checks (section 4.2.1). */
export const REQUEST_FAILURE_KO: Record<HandshakeRequestFailure, string> = {
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
export const RESPONSE_FAILURE_KO: Record<HandshakeResponseFailure, string> = {
  BAD_HTTP: 'HTTP 응답 형식이 잘못됐어요',
  NOT_101: '상태 코드가 101 Switching Protocols가 아니에요',
  MISSING_UPGRADE: '응답에 "Upgrade: websocket"이 없어요',
  MISSING_CONNECTION: '응답에 "Connection: Upgrade"가 없어요',
  MISSING_ACCEPT: '응답에 Sec-WebSocket-Accept가 없어요',
  BAD_ACCEPT: 'Sec-WebSocket-Accept가 클라이언트가 계산한 값과 달라요',
  UNREQUESTED_EXTENSION: '클라이언트가 제안하지 않은 확장을 서버가 골랐어요',
  UNREQUESTED_PROTOCOL: '클라이언트가 제안하지 않은 서브프로토콜을 서버가 골랐어요',
};

export const NOTES = {
  // Short polling (request-response)
  pollElapsed: say('Poll interval elapsed: ask again', '폴링 간격이 지났어요: 다시 물어봐요'),
  eventHappened: (secondsAgo: number) =>
    say(
      `An event happened at the server ${secondsAgo} s ago`,
      `${secondsAgo}초 전에 서버에서 이벤트가 일어났어요`,
    ),
  shortPollSummary: (requests: number, delivered: number, headerBytes: number) =>
    say(
      `${requests} requests, ${delivered} answers with news, ${headerBytes} header bytes`,
      `요청 ${requests}번, 새 소식이 담긴 응답 ${delivered}번, 헤더 ${headerBytes}바이트`,
    ),

  // Long polling
  held: (seconds: number) =>
    say(
      `The server holds the request (up to ${seconds} s): 1 connection tied up`,
      `서버가 요청을 붙잡고 있어요(최대 ${seconds}초): 연결 1개가 묶여 있어요`,
    ),
  eventHappens: say('An event happens at the server', '서버에서 이벤트가 일어나요'),
  waitExpires: (seconds: number) =>
    say(
      `${seconds} s passed with no event: the wait expires`,
      `${seconds}초 동안 이벤트가 없어요: 대기 시간이 끝나요`,
    ),
  longPollSummary: (requests: number, delivered: number, headerBytes: number, per: number, held: number) =>
    say(
      `${requests} requests for ${delivered} message(s): ${headerBytes} header bytes, ${per} per delivered message; at most ${held} connection(s) held`,
      `메시지 ${delivered}개에 요청 ${requests}번: 헤더 ${headerBytes}바이트, 전달된 메시지당 ${per}바이트. 붙잡힌 연결은 최대 ${held}개`,
    ),

  // Opening handshake
  serverChecksPass: say(
    `Server checks pass: ${SERVER_CHECKS.en.join(', ')}`,
    `서버 검사 통과: ${SERVER_CHECKS.ko.join(', ')}`,
  ),
  serverCheckFails: (check: {
    code: HandshakeRequestFailure;
    reason: string;
    section: string;
    status: number;
  }) =>
    say(
      `Server check fails: ${check.reason} (RFC 6455 ${check.section}) → ${check.status}`,
      `서버 검사 실패: ${REQUEST_FAILURE_KO[check.code]} (RFC 6455 ${check.section}절) → ${check.status}`,
    ),
  accept: (accept: string) =>
    say(`Accept = base64(SHA-1(key + GUID)) = ${accept}`, `Accept = base64(SHA-1(키 + GUID)) = ${accept}`),
  brokenAccept: (answered: string) =>
    say(`A broken server answers ${answered} instead`, `고장 난 서버는 대신 ${answered} 값을 보내요`),
  clientChecksPass: (accept: string) =>
    say(
      `Client checks: 101, Upgrade, Connection and Sec-WebSocket-Accept ${accept} all match`,
      `클라이언트 검사: 101, Upgrade, Connection, Sec-WebSocket-Accept ${accept} 모두 일치해요`,
    ),
  clientCheckFails: (check: { code: HandshakeResponseFailure; reason: string; section: string }) =>
    say(
      `Client checks: ${check.reason} (RFC 6455 ${check.section})`,
      `클라이언트 검사: ${RESPONSE_FAILURE_KO[check.code]} (RFC 6455 ${check.section}절)`,
    ),
  bothOpen: say(
    'Both sides OPEN: frames may flow either way on this TCP connection',
    '양쪽 모두 OPEN: 이제 이 TCP 연결로 프레임이 양방향으로 오갈 수 있어요',
  ),
  clientFails: say(
    'The client fails the WebSocket connection: error, then close event 1006',
    '클라이언트가 WebSocket 연결을 실패로 끝내요: error 이벤트, 이어서 close 이벤트 1006',
  ),

  // Frames
  afterHandshake: say(
    'After the handshake: one TCP connection, frames either way',
    '핸드셰이크 이후: TCP 연결 하나로 프레임이 양방향으로 오가요',
  ),
  unmask: say(
    'The server unmasks: payload[i] XOR key[i mod 4]',
    '서버가 마스킹을 풀어요: payload[i] XOR key[i mod 4]',
  ),
  messageComplete: say(
    "Message complete: 'Hello!' from two fragments",
    "메시지 완성: 두 조각으로 온 'Hello!'",
  ),

  // Closing handshake
  closing: (peer: Peer) =>
    say(
      `The ${peer} is CLOSING: it sends no more data, but still reads`,
      `${PEER_KO[peer]}는 CLOSING: 더는 데이터를 보내지 않지만 계속 읽어요`,
    ),
  noStatus: say(
    'The Close had no body: the server reports code 1005, which is never sent',
    'Close 프레임에 본문이 없어요: 서버는 코드 1005를 보고해요. 1005는 절대 전송되지 않아요',
  ),
  serverClosesTcp: say(
    'The server closes TCP first, so the TIME-WAIT state stays on the server (7.1.1)',
    '서버가 TCP를 먼저 닫으므로 TIME-WAIT 상태는 서버에 남아요(7.1.1절)',
  ),
  closeEvent: (code: number, reason: string) => {
    const quoted = reason ? ` '${reason}'` : '';
    return say(
      `close event: code ${code}${quoted}, wasClean true`,
      `close 이벤트: 코드 ${code}${quoted}, wasClean true`,
    );
  },
  connectionDrops: say(
    'The connection drops: no Close frame either way',
    '연결이 끊겨요: 어느 쪽도 Close 프레임을 보내지 않았어요',
  ),
  abnormal: say(
    'close event: code 1006, wasClean false; 1006 never appears on the wire',
    'close 이벤트: 코드 1006, wasClean false. 1006은 회선에 절대 나타나지 않아요',
  ),

  // HTTP versus WebSocket
  twoClients: say(
    'Two clients want updates from the same server: one over HTTP, one over WebSocket',
    '두 클라이언트가 같은 서버에서 업데이트를 받으려고 해요: 하나는 HTTP로, 하나는 WebSocket으로',
  ),
  pushed: say(
    'Event 2 happens at the server: the WebSocket client gets it at once',
    '서버에서 이벤트 2가 일어나요: WebSocket 클라이언트는 바로 받아요',
  ),
  nextPoll: (ms: number) =>
    say(
      `The HTTP client's next poll, ${ms} ms after event 2 happened`,
      `HTTP 클라이언트의 다음 폴링: 이벤트 2가 일어나고 ${ms} ms 뒤`,
    ),
  tally: (
    http: { connections: number; requests: number; bytes: number },
    ws: { connections: number; requests: number; bytes: number },
  ) =>
    say(
      `HTTP: ${http.connections} connections, ${http.requests} requests, ${http.bytes} bytes. ` +
        `WebSocket: ${ws.connections} connection, ${ws.requests} request, ${ws.bytes} bytes`,
      `HTTP: 연결 ${http.connections}개, 요청 ${http.requests}번, ${http.bytes}바이트. ` +
        `WebSocket: 연결 ${ws.connections}개, 요청 ${ws.requests}번, ${ws.bytes}바이트`,
    ),
} satisfies Record<string, Said | ((...args: never[]) => Said)>;
