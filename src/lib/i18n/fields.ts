/**
 * The byte inspector's words in the page's language: field names (Korean with the RFC's own term beside
 * it), the meaning of each header bit, and the protocol's faults by their stable codes. The protocol code
 * labels its fields in English and knows nothing of languages; this table renders them by field id, so an
 * id this table does not know keeps its English label.
 */
import type { Lang } from './lang';
import { eventStreamLabelKo, eventStreamNoteKo, type EventStreamFieldFacts } from './eventStreamFields';

/** What the inspector knows of a field, as the protocol annotated it. */
export interface FieldFacts {
  id: string;
  label: string;
  note?: string | undefined;
  value?: string | number | boolean;
  compressed?: boolean;
  inflatedLength?: number;
  compressedLength?: number;
  /** For a field cut short: what is missing, as the protocol names it. */
  missing?: { part: string; have?: number; of?: number };
  error?: { code: string; section?: string; closeCode?: number; status?: number; rfc?: number };
  /** For a field of an event-stream unit: what it is (src/lib/protocol/eventStream.ts). */
  sse?: EventStreamFieldFacts;
}

/** Korean names, each with the RFC's term beside it (RFC 6455 section 5.2, RFC 9112). */
const FIELD_KO: Record<string, string> = {
  'fin-rsv-opcode': '첫 바이트: FIN, RSV1-3, 옵코드(opcode)',
  'mask-len': '둘째 바이트: MASK, 페이로드 길이(7비트)',
  'mask-key': '마스킹 키(Masking-key)',
  'close-code': '종료 상태 코드(status code)',
  'close-reason': '종료 이유(reason, UTF-8)',
  rest: '이 단위 다음의 바이트',
  fault: '프로토콜 오류',
  truncated: '불완전',
  raw: '바이트',
  'request-line': '요청 줄(request-line)',
  'status-line': '상태 줄(status-line)',
  'head-end': '헤더 끝(빈 줄)',
  body: '본문(body)',
  'last-chunk': '마지막 청크(크기 0)',
  'trailers-end': '청크 본문의 끝(빈 줄)',
};

const BIT_KO: Record<string, string> = {
  fin: 'FIN',
  rsv1: 'RSV1',
  rsv2: 'RSV2',
  rsv3: 'RSV3',
  opcode: '옵코드(opcode)',
  mask: 'MASK',
  'payload-len': '페이로드 길이',
};

/** Korean for each WebSocket fault (ProtocolError's codes, src/lib/protocol/errors.ts). */
export const PROTOCOL_ERROR_KO: Record<string, string> = {
  RSV_SET: '확장을 협상하지 않았는데 RSV 비트가 켜져 있어요',
  RESERVED_OPCODE: '예약된 옵코드예요',
  CONTROL_TOO_LONG: '제어 프레임의 페이로드가 125바이트를 넘어요',
  CONTROL_FRAGMENTED: '제어 프레임은 조각낼 수 없어요(FIN이 0)',
  LENGTH_MSB_SET: '64비트 길이의 최상위 비트가 켜져 있어요',
  NON_MINIMAL_LENGTH: '길이를 필요한 것보다 긴 형식으로 적었어요',
  INVALID_UTF8: '텍스트가 올바른 UTF-8이 아니에요',
  MESSAGE_TOO_BIG: '메시지가 허용된 크기를 넘어요',
  UNEXPECTED_CONTINUATION: '이어지는 메시지가 없는데 연속(continuation) 프레임이 왔어요',
  EXPECTED_CONTINUATION: '조각난 메시지가 끝나기 전에 새 데이터 프레임이 왔어요',
  UNMASKED_CLIENT_FRAME: '클라이언트 프레임이 마스킹되지 않았어요',
  MASKED_SERVER_FRAME: '서버 프레임이 마스킹돼 있어요',
  BAD_CLOSE_BODY: 'Close 본문이 1바이트예요(코드는 2바이트)',
  INVALID_CLOSE_CODE: '보낼 수 없는 종료 코드예요',
  CLOSE_REASON_TOO_LONG: '종료 이유가 너무 길어요(최대 123바이트)',
  FRAME_AFTER_CLOSE: 'Close 다음에 또 프레임이 왔어요',
  COMPRESSED_CONTROL: '제어 프레임에 압축 비트(RSV1)가 켜져 있어요',
  COMPRESSED_CONTINUATION: '연속 프레임에 압축 비트(RSV1)가 켜져 있어요',
  INVALID_COMPRESSED_DATA: 'DEFLATE 데이터가 손상됐어요',
};

/** Korean for each HTTP/1.1 fault (HttpError's codes). */
export const HTTP_ERROR_KO: Record<string, string> = {
  BAD_REQUEST_LINE: '요청 줄의 형식이 잘못됐어요',
  BAD_STATUS_LINE: '상태 줄의 형식이 잘못됐어요',
  UNSUPPORTED_VERSION: '지원하지 않는 HTTP 버전이에요',
  URI_TOO_LONG: '요청 대상이 너무 길어요',
  BAD_HEADER: '헤더 필드의 형식이 잘못됐어요',
  OBS_FOLD: '헤더 값을 여러 줄로 접었어요(obs-fold)',
  WHITESPACE_BEFORE_COLON: '헤더 이름과 콜론 사이에 공백이 있어요',
  HEADERS_TOO_LARGE: '헤더가 너무 커요',
  TOO_MANY_HEADERS: '헤더가 너무 많아요',
  BAD_CONTENT_LENGTH: 'Content-Length 값이 잘못됐어요',
  CONFLICTING_FRAMING: 'Content-Length와 Transfer-Encoding이 함께 있어요',
  UNSUPPORTED_TRANSFER_CODING: '지원하지 않는 전송 코딩이에요',
  BAD_CHUNK: '청크의 형식이 잘못됐어요',
  BODY_TOO_LARGE: '본문이 너무 커요',
  BARE_CR: 'LF 없이 CR만 있어요',
};

/** Korean names of the close codes (RFC 6455 section 7.4.1 and the IANA registry). */
const CLOSE_NAME_KO: Record<string, string> = {
  'Normal Closure': '정상 종료',
  'Going Away': '떠남',
  'Protocol Error': '프로토콜 오류',
  'Unsupported Data': '지원하지 않는 데이터',
  Reserved: '예약됨',
  'No Status Received': '상태 코드 없음',
  'Abnormal Closure': '비정상 종료',
  'Invalid Frame Payload Data': '잘못된 페이로드 데이터',
  'Policy Violation': '정책 위반',
  'Message Too Big': '메시지가 너무 큼',
  'Mandatory Extension': '필수 확장 없음',
  'Internal Error': '서버 내부 오류',
  'Service Restart': '서비스 재시작',
  'Try Again Later': '나중에 다시 시도',
  'Bad Gateway': '잘못된 게이트웨이',
  'TLS Handshake': 'TLS 핸드셰이크 실패',
  'Registered (libraries, frameworks)': '등록된 코드(라이브러리, 프레임워크)',
  'Private use': '애플리케이션 전용',
  'Reserved for the protocol': '프로토콜용 예약',
  Unused: '쓰지 않음',
};

/** What a cut-short frame is missing, by the protocol's part names. */
const MISSING_KO: Record<string, (have?: number, of?: number) => string> = {
  'second-byte': () => '둘째 헤더 바이트(MASK와 페이로드 길이)가 없어요',
  'extended-length': (_have, of) => `${of ?? ''}바이트 확장 길이가 다 오지 않았어요`,
  'mask-key': () => '4바이트 마스킹 키가 다 오지 않았어요',
  payload: (have, of) => `페이로드가 ${of ?? '?'}바이트 중 ${have ?? 0}바이트만 왔어요`,
  message: () => '메시지가 이 바이트 뒤로 이어져요',
};

function headerLabel(id: string, label: string): string | undefined {
  const chunk = /^chunk-(size|data|end):\d+$/.exec(id);
  if (chunk) {
    // A chunked body numbers its chunks ("Chunk 2 size"); an event stream's unit is one chunk of a
    // longer response and its label carries no number, so neither does the Korean.
    const n = /^Chunk (\d+)/.exec(label)?.[1];
    const chunkName = n === undefined ? '청크' : `청크 ${n}`;
    return {
      size: `${chunkName} 크기(chunk-size)`,
      data: `${chunkName} 데이터(chunk-data)`,
      end: `${chunkName} 끝(CRLF)`,
    }[chunk[1] as 'size' | 'data' | 'end'];
  }
  if (id.startsWith('header:')) return `헤더 필드 ${label}`;
  if (id.startsWith('trailer:')) return `트레일러 필드 ${label.replace(/ \(trailer\)$/, '')}`;
  return undefined;
}

/** A field's name in `lang`. */
export function fieldLabel(field: FieldFacts, lang: Lang): string {
  if (lang === 'en') return field.label;
  if (field.id === 'payload') {
    const masked = field.label.includes('masked');
    if (field.compressed) return masked ? '페이로드(마스킹, 압축됨)' : '페이로드(압축됨)';
    return masked ? '페이로드(마스킹됨)' : '페이로드(payload)';
  }
  if (field.id === 'ext-len') return `확장 페이로드 길이(${/\d+/.exec(field.label)?.[0] ?? ''}비트)`;
  if (field.id === 'rest' && /switch/.test(field.label)) return '전환 뒤의 바이트(새 프로토콜)';
  const line = field.sse && eventStreamLabelKo(field.sse, /\(continued\)$/.test(field.label));
  if (line) return line;
  return FIELD_KO[field.id] ?? headerLabel(field.id, field.label) ?? field.label;
}

/**
 * A fault in `lang`: the rule broken (the protocol's English message, or the Korean for its code), where
 * it is written, and what a conforming peer answers (a close code, or an HTTP status).
 */
export function faultText(error: NonNullable<FieldFacts['error']>, english: string, lang: Lang): string {
  const ko = lang === 'ko';
  const what = ko ? (PROTOCOL_ERROR_KO[error.code] ?? HTTP_ERROR_KO[error.code] ?? english) : english;
  // WebSocket sections are numbers of `rfc` (6455 unless said); HTTP sections name their RFC already.
  const section = error.section ?? '';
  const where = /^RFC /.test(section)
    ? ko
      ? `${section}절`
      : section
    : section
      ? ko
        ? `RFC ${error.rfc ?? 6455} ${section}절`
        : `RFC ${error.rfc ?? 6455} section ${section}`
      : '';
  const answer =
    error.closeCode !== undefined
      ? ko
        ? `종료 코드 ${error.closeCode}로 끊어요`
        : `a conforming peer closes with ${error.closeCode}`
      : error.status !== undefined
        ? ko
          ? `서버는 ${error.status}로 응답해요`
          : `a server answers ${error.status}`
        : '';
  const details = [where, answer].filter(Boolean).join('; ');
  return details ? `${what} (${details})` : what;
}

/** A field's explanation in `lang` (the protocol's English note, rendered again from its facts). */
export function fieldNote(field: FieldFacts, lang: Lang): string | undefined {
  if (lang === 'en' || field.note === undefined) return field.note;
  if (field.error) return faultText(field.error, field.note, lang);
  if (field.sse) return eventStreamNoteKo(field.sse) ?? field.note;
  if (field.missing)
    return MISSING_KO[field.missing.part]?.(field.missing.have, field.missing.of) ?? field.note;
  if (field.id === 'close-code') return CLOSE_NAME_KO[field.note] ?? field.note;
  if (field.id === 'payload' && field.compressed) {
    return field.inflatedLength !== undefined
      ? `DEFLATE 데이터 ${field.compressedLength}바이트가 ${field.inflatedLength}바이트로 풀려요. 보낸 쪽이 끝의 00 00 ff ff를 떼었고 받는 쪽이 다시 붙여요(RFC 7692 7.2절)`
      : `DEFLATE 데이터 ${field.compressedLength}바이트: 앞 프레임들과 함께여야 풀 수 있어요`;
  }
  if (field.id === 'fin-rsv-opcode' && field.compressed)
    return field.note.replace('(RSV1: per-message compressed)', '(RSV1: 메시지 단위 압축)');
  if (field.id === 'payload' && field.note.startsWith('unmasked: '))
    return `마스킹을 풀면: ${field.note.slice('unmasked: '.length)}`;
  // Protocol tokens (FIN=1 RSV=000 opcode=0x1, GET /chat HTTP/1.1, Content-Length: 5) read the same in Korean.
  return field.note;
}

/** The meaning of one header bit in `lang` (RFC 6455 section 5.2, RFC 7692 section 6). */
export function bitMeaning(bit: { id: string; value: number; meaning: string }, lang: Lang): string {
  if (lang === 'en') return bit.meaning;
  switch (bit.id) {
    case 'fin':
      return bit.value ? '마지막 조각' : '조각이 더 이어짐';
    case 'rsv1':
      if (/compress/.test(bit.meaning)) return bit.value ? '메시지 단위 압축(RFC 7692)' : '압축 안 함';
      return bit.value ? '켜짐: 확장이 정의할 때만 유효' : '꺼짐';
    case 'rsv2':
    case 'rsv3':
      return bit.value ? '켜짐: 확장이 정의할 때만 유효' : '꺼짐';
    case 'mask':
      return bit.value ? '페이로드가 마스킹됨(클라이언트 → 서버)' : '페이로드가 마스킹되지 않음';
    case 'payload-len':
      if (bit.value === 126) return '다음 2바이트에 길이가 있어요';
      if (bit.value === 127) return '다음 8바이트에 길이가 있어요';
      return `${bit.value}바이트`;
    default:
      return bit.meaning; // the opcode's name (text, binary, close, ping, pong) is a protocol token
  }
}

export function bitLabel(bit: { id: string; label: string }, lang: Lang): string {
  return lang === 'en' ? bit.label : (BIT_KO[bit.id] ?? bit.label);
}
