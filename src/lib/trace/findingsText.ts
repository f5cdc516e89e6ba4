/**
 * The words for each finding (findings.ts), in English and Korean: a title and an explanation with
 * `{name}` placeholders filled from the finding's params. Kept next to the module until the UI strings
 * move to one place.
 */
import type { Lang } from '../i18n/lang';
import type { Finding, FindingId } from './findings';

export type FindingLang = Lang;

interface Words {
  title: string;
  detail: string;
}

export const FINDING_TEXT: Record<FindingId, Record<FindingLang, Words>> = {
  'ws-masked-server-frame': {
    en: {
      title: 'The server masked a frame',
      detail:
        'A server must not mask the frames it sends. A browser fails the connection (1002) when it gets one.',
    },
    ko: {
      title: '서버가 프레임을 마스킹했어요',
      detail:
        '서버는 보내는 프레임을 마스킹하면 안 돼요. 브라우저는 이런 프레임을 받으면 연결을 실패시켜요(1002).',
    },
  },
  'ws-unmasked-client-frame': {
    en: {
      title: 'The client sent an unmasked frame',
      detail:
        'Every frame a client sends must be masked, so that caches and proxies on the way cannot be fooled by bytes a page chose. A server fails the connection (1002).',
    },
    ko: {
      title: '클라이언트가 마스킹하지 않은 프레임을 보냈어요',
      detail:
        '클라이언트가 보내는 모든 프레임은 마스킹해야 해요. 그래야 페이지가 고른 바이트로 중간의 캐시나 프록시를 속일 수 없어요. 서버는 연결을 실패시켜요(1002).',
    },
  },
  'ws-rsv-without-extension': {
    en: {
      title: 'Reserved bits set with no extension to define them',
      detail:
        'RSV bits {bits} are set, but the handshake negotiated no extension that gives them a meaning. The receiver must fail the connection (1002).',
    },
    ko: {
      title: '확장 없이 예약 비트가 켜져 있어요',
      detail:
        'RSV 비트 {bits}가 켜져 있지만, 핸드셰이크에서 이 비트에 뜻을 주는 확장을 협상하지 않았어요. 받는 쪽은 연결을 실패시켜야 해요(1002).',
    },
  },
  'ws-reserved-opcode': {
    en: {
      title: 'A reserved opcode',
      detail: 'Opcodes 3-7 and 11-15 are reserved. The receiver must fail the connection (1002).',
    },
    ko: {
      title: '예약된 opcode예요',
      detail: 'opcode 3~7과 11~15는 예약되어 있어요. 받는 쪽은 연결을 실패시켜야 해요(1002).',
    },
  },
  'ws-control-too-long': {
    en: {
      title: 'A control frame longer than 125 bytes',
      detail:
        'Ping, pong and close frames carry at most 125 bytes of payload, so they always fit in one small frame. The receiver fails the connection (1002).',
    },
    ko: {
      title: '125바이트보다 긴 제어 프레임이에요',
      detail:
        'ping, pong, close 프레임의 페이로드는 최대 125바이트라서 언제나 작은 프레임 하나에 들어가요. 받는 쪽은 연결을 실패시켜요(1002).',
    },
  },
  'ws-control-fragmented': {
    en: {
      title: 'A fragmented control frame',
      detail:
        'Control frames must have FIN set: they are never split, so they can arrive between the fragments of a message. The receiver fails the connection (1002).',
    },
    ko: {
      title: '조각난 제어 프레임이에요',
      detail:
        '제어 프레임은 FIN이 켜져 있어야 해요. 절대 나뉘지 않아서 메시지 조각 사이에 끼어 올 수 있어요. 받는 쪽은 연결을 실패시켜요(1002).',
    },
  },
  'ws-non-minimal-length': {
    en: {
      title: 'A payload length not in its shortest form',
      detail:
        'The length must use the fewest bytes that hold it: 7 bits up to 125, 16 bits up to 65535, 64 bits above.',
    },
    ko: {
      title: '가장 짧은 형태가 아닌 페이로드 길이예요',
      detail:
        '길이는 담을 수 있는 가장 적은 바이트로 써야 해요. 125까지는 7비트, 65535까지는 16비트, 그 위는 64비트예요.',
    },
  },
  'ws-length-msb-set': {
    en: {
      title: 'The top bit of a 64-bit length is set',
      detail: 'The most significant bit of the 64-bit payload length must be 0.',
    },
    ko: {
      title: '64비트 길이의 최상위 비트가 켜져 있어요',
      detail: '64비트 페이로드 길이의 최상위 비트는 0이어야 해요.',
    },
  },
  'ws-close-code-local-only': {
    en: {
      title: 'Close code {code} sent on the wire',
      detail:
        '1005, 1006 and 1015 are only for an endpoint to report locally (no status, cut without a close frame, TLS failure). They must never be sent in a close frame.',
    },
    ko: {
      title: '닫기 코드 {code}를 실제로 보냈어요',
      detail:
        '1005, 1006, 1015는 엔드포인트가 안에서만 알리는 코드예요(상태 없음, 닫기 프레임 없이 끊김, TLS 실패). 닫기 프레임에 담아 보내면 안 돼요.',
    },
  },
  'ws-close-code-invalid': {
    en: {
      title: 'Close code {code} is not a valid code',
      detail:
        'A close frame may carry 1000-1003, 1007-1014 or 3000-4999. Other codes are reserved or unused; the receiver fails the connection (1002).',
    },
    ko: {
      title: '닫기 코드 {code}는 쓸 수 없는 코드예요',
      detail:
        '닫기 프레임에는 1000~1003, 1007~1014, 3000~4999만 담을 수 있어요. 나머지는 예약되었거나 쓰이지 않아요. 받는 쪽은 연결을 실패시켜요(1002).',
    },
  },
  'ws-close-body-one-byte': {
    en: {
      title: 'A close frame with a 1-byte body',
      detail:
        'A close body is empty, or a 2-byte status code followed by a reason. One byte cannot hold a code.',
    },
    ko: {
      title: '본문이 1바이트인 닫기 프레임이에요',
      detail:
        '닫기 프레임 본문은 비어 있거나, 2바이트 상태 코드 뒤에 이유가 와요. 1바이트로는 코드를 담을 수 없어요.',
    },
  },
  'ws-close-reason-invalid-utf8': {
    en: {
      title: 'The close reason is not valid UTF-8',
      detail: 'The reason after the close code must be UTF-8 text; the receiver fails the connection (1007).',
    },
    ko: {
      title: '닫기 이유가 올바른 UTF-8이 아니에요',
      detail: '닫기 코드 뒤의 이유는 UTF-8 텍스트여야 해요. 받는 쪽은 연결을 실패시켜요(1007).',
    },
  },
  'ws-invalid-utf8': {
    en: {
      title: 'A text message that is not valid UTF-8',
      detail:
        'Text messages must be UTF-8 once whole; a character may be split across fragments, but not broken. The fault is in fragment {fragment}. The receiver fails the connection (1007); send binary for other bytes.',
    },
    ko: {
      title: '올바른 UTF-8이 아닌 텍스트 메시지예요',
      detail:
        '텍스트 메시지는 다 모였을 때 UTF-8이어야 해요. 문자 하나가 조각 사이에 나뉠 수는 있어도 깨지면 안 돼요. 문제는 {fragment}번째 조각에 있어요. 받는 쪽은 연결을 실패시켜요(1007). 다른 바이트는 바이너리로 보내세요.',
    },
  },
  'ws-unexpected-continuation': {
    en: {
      title: 'A continuation frame with no message to continue',
      detail: 'A continuation (opcode 0) must follow a text or binary frame sent with FIN clear.',
    },
    ko: {
      title: '이어 붙일 메시지가 없는 연속 프레임이에요',
      detail: '연속 프레임(opcode 0)은 FIN이 꺼진 텍스트나 바이너리 프레임 뒤에만 와야 해요.',
    },
  },
  'ws-expected-continuation': {
    en: {
      title: 'A new message before the last one finished',
      detail:
        'While a fragmented message is open, only its continuation frames (and control frames) may come; a new text or binary frame breaks the rule.',
    },
    ko: {
      title: '앞 메시지가 끝나기 전에 새 메시지가 시작됐어요',
      detail:
        '조각난 메시지가 열려 있는 동안에는 그 연속 프레임(과 제어 프레임)만 올 수 있어요. 새 텍스트나 바이너리 프레임은 규칙 위반이에요.',
    },
  },
  'ws-frame-after-close': {
    en: {
      title: 'A frame after the close frame',
      detail: 'After sending a close frame an endpoint sends nothing more on the connection.',
    },
    ko: {
      title: '닫기 프레임 뒤에 프레임이 왔어요',
      detail: '닫기 프레임을 보낸 엔드포인트는 그 연결에 더 이상 아무것도 보내지 않아요.',
    },
  },
  'ws-closed-without-close-frame': {
    en: {
      title: 'The TCP connection closed with no closing handshake',
      detail:
        'Neither side sent a close frame before the connection ended, so the other side reports 1006 (abnormal closure) and cannot tell a clean end from a crash. Close with a code first.',
    },
    ko: {
      title: '닫기 핸드셰이크 없이 TCP 연결이 닫혔어요',
      detail:
        '연결이 끝나기 전에 어느 쪽도 닫기 프레임을 보내지 않아서, 상대는 1006(비정상 종료)을 알리고 정상 종료와 장애를 구별할 수 없어요. 먼저 코드와 함께 닫으세요.',
    },
  },
  'ws-idle-no-heartbeat': {
    en: {
      title: 'Silent for {seconds} s with no ping or pong',
      detail:
        'The connection carried nothing for {seconds} s and never used ping/pong. Proxies and load balancers often cut connections quiet for about {limit} s, and a dead peer goes unnoticed. A periodic ping keeps it alive and proves the peer is there.',
    },
    ko: {
      title: 'ping이나 pong 없이 {seconds}초 동안 조용했어요',
      detail:
        '이 연결은 {seconds}초 동안 아무것도 보내지 않았고 ping/pong을 한 번도 쓰지 않았어요. 프록시와 로드 밸런서는 {limit}초쯤 조용한 연결을 자주 끊고, 죽은 상대도 알아채지 못해요. 주기적인 ping이 연결을 살려 두고 상대가 있는지 확인해 줘요.',
    },
  },
  'ws-accept-missing': {
    en: {
      title: 'The 101 has no Sec-WebSocket-Accept',
      detail:
        'The server proves it read the key by answering with Sec-WebSocket-Accept. Without it a browser fails the connection.',
    },
    ko: {
      title: '101 응답에 Sec-WebSocket-Accept가 없어요',
      detail:
        '서버는 Sec-WebSocket-Accept로 키를 읽었음을 증명해요. 이 헤더가 없으면 브라우저는 연결을 실패시켜요.',
    },
  },
  'ws-accept-wrong': {
    en: {
      title: 'Sec-WebSocket-Accept does not match the key',
      detail:
        'The value must be base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11)). A browser fails the connection. {rule}',
    },
    ko: {
      title: 'Sec-WebSocket-Accept가 키와 맞지 않아요',
      detail:
        '값은 base64(SHA-1(키 + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))여야 해요. 브라우저는 연결을 실패시켜요. {rule}',
    },
  },
  'ws-101-without-upgrade': {
    en: {
      title: 'The 101 lacks Upgrade: websocket or Connection: Upgrade',
      detail: 'Both fields must be in the 101, or the client fails the connection. {rule}',
    },
    ko: {
      title: '101 응답에 Upgrade: websocket이나 Connection: Upgrade가 없어요',
      detail: '두 필드가 모두 101 응답에 있어야 해요. 없으면 클라이언트가 연결을 실패시켜요. {rule}',
    },
  },
  'ws-extension-not-offered': {
    en: {
      title: 'The server chose an extension the client did not offer',
      detail:
        'A server may only accept extensions from the client’s list; the client fails the connection. {rule}',
    },
    ko: {
      title: '클라이언트가 제안하지 않은 확장을 서버가 골랐어요',
      detail:
        '서버는 클라이언트 목록에 있는 확장만 받아들일 수 있어요. 클라이언트는 연결을 실패시켜요. {rule}',
    },
  },
  'ws-protocol-not-offered': {
    en: {
      title: 'The server chose a subprotocol the client did not offer',
      detail:
        'Sec-WebSocket-Protocol in the 101 must be one of the client’s values; the client fails the connection. {rule}',
    },
    ko: {
      title: '클라이언트가 제안하지 않은 서브프로토콜을 서버가 골랐어요',
      detail:
        '101 응답의 Sec-WebSocket-Protocol은 클라이언트가 보낸 값 중 하나여야 해요. 클라이언트는 연결을 실패시켜요. {rule}',
    },
  },
  'ws-accepted-invalid-request': {
    en: {
      title: 'The server accepted an opening handshake it should refuse',
      detail: 'The request breaks a rule ({code}: {rule}), yet the server answered 101 instead of an error.',
    },
    ko: {
      title: '거절해야 할 여는 핸드셰이크를 서버가 받아들였어요',
      detail: '요청이 규칙을 어겼는데({code}: {rule}) 서버는 오류 대신 101로 답했어요.',
    },
  },
  'ws-foreign-origin-accepted': {
    en: {
      title: 'An upgrade from another origin was accepted',
      detail:
        'The page at {origin} opened a WebSocket to {host}, and the server said yes. Browsers send cookies with WebSocket handshakes, so unless the server checks Origin, any site the user visits can talk to it as the user (cross-site WebSocket hijacking).',
    },
    ko: {
      title: '다른 출처에서 온 업그레이드를 받아들였어요',
      detail:
        '{origin}의 페이지가 {host}로 WebSocket을 열었고 서버가 허락했어요. 브라우저는 WebSocket 핸드셰이크에도 쿠키를 보내서, 서버가 Origin을 확인하지 않으면 사용자가 방문한 아무 사이트나 사용자인 척 서버와 대화할 수 있어요(교차 사이트 WebSocket 하이재킹).',
    },
  },
  'http-426-without-upgrade': {
    en: {
      title: '426 Upgrade Required without an Upgrade header',
      detail:
        'A 426 must say which protocol to switch to in an Upgrade field; without it the client cannot know.',
    },
    ko: {
      title: 'Upgrade 헤더 없는 426 Upgrade Required예요',
      detail:
        '426 응답은 어떤 프로토콜로 바꿔야 하는지 Upgrade 필드로 알려야 해요. 없으면 클라이언트가 알 수 없어요.',
    },
  },
  'http-content-length-and-chunked': {
    en: {
      title: 'Content-Length together with Transfer-Encoding: chunked',
      detail:
        'A sender must not send both. Two readers can disagree on where the message ends, which is how request smuggling works; a recipient ought to reject it.',
    },
    ko: {
      title: 'Content-Length와 Transfer-Encoding: chunked를 함께 보냈어요',
      detail:
        '보내는 쪽은 둘을 함께 보내면 안 돼요. 두 수신자가 메시지 끝을 다르게 읽을 수 있고, 이것이 요청 스머글링의 원리예요. 받는 쪽은 거부해야 해요.',
    },
  },
  'http-malformed': {
    en: {
      title: 'A malformed HTTP message ({code})',
      detail: '{rule}. A recipient answers 400 or closes the connection.',
    },
    ko: {
      title: '형식이 잘못된 HTTP 메시지예요({code})',
      detail: '{rule}. 받는 쪽은 400으로 답하거나 연결을 닫아요.',
    },
  },
};

/** A finding's title and explanation in `lang`, its placeholders filled in. */
export function describeFinding(finding: Finding, lang: FindingLang): Words {
  const words = FINDING_TEXT[finding.id][lang];
  const fill = (text: string) =>
    text.replace(/\{(\w+)\}/g, (_, name: string) => String(finding.params[name] ?? '')).replace(/\s+$/, '');
  return { title: fill(words.title), detail: fill(words.detail) };
}
