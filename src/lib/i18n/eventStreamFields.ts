/**
 * The byte inspector's Korean for an event-stream unit: each line of the stream named by what it is,
 * and explained by what the browser's parser does with it (HTML Living Standard 9.2.6), and the chunk
 * framing around it (RFC 9112 section 7.1). The protocol annotates with English words and its facts as
 * data (src/lib/protocol/eventStream.ts, `Field.sse`); this renders those facts again. i18n sits below
 * protocol, so it states the shape it reads; the inspector passes the protocol's facts in, and the
 * compiler keeps the two one.
 */

export type EventStreamFieldFacts =
  | { part: 'chunk-size'; size: number }
  | { part: 'chunk-end' | 'last-chunk' | 'trailers-end' | 'truncated' }
  | { part: 'data'; line: number; value: string }
  | { part: 'id'; value: string; ignored: boolean }
  | { part: 'event'; value: string }
  | { part: 'retry'; value: string; ignored: boolean }
  | { part: 'comment'; value: string }
  | { part: 'field'; name: string; value: string }
  | { part: 'dispatch'; type: string | undefined }
  | { part: 'partial'; value: string };

/** A line's Korean name, with the field's own name beside it; undefined for chunk framing (named by id). */
export function eventStreamLabelKo(facts: EventStreamFieldFacts, continued: boolean): string | undefined {
  const name = ((): string | undefined => {
    switch (facts.part) {
      case 'data':
        return 'data 필드(데이터)';
      case 'id':
        return facts.ignored ? 'id 필드(무시됨)' : 'id 필드(이벤트 ID)';
      case 'event':
        return 'event 필드(이벤트 타입)';
      case 'retry':
        return facts.ignored ? 'retry 필드(무시됨)' : 'retry 필드(재연결 대기 시간)';
      case 'comment':
        return '주석(comment)';
      case 'field':
        return `${facts.name} 필드(알 수 없음)`;
      case 'dispatch':
        return '빈 줄(이벤트의 끝)';
      case 'partial':
        return '줄(아직 끝나지 않음)';
      default:
        return undefined;
    }
  })();
  return name === undefined ? undefined : continued ? `${name} (이어짐)` : name;
}

/** What the field does, in Korean. */
export function eventStreamNoteKo(facts: EventStreamFieldFacts): string | undefined {
  switch (facts.part) {
    case 'chunk-size':
      return `16진수 ${facts.size.toString(16)} = 이벤트 스트림 ${facts.size}바이트가 이어져요(RFC 9112 7.1절)`;
    case 'chunk-end':
      return '청크를 끝내는 CRLF예요. 이벤트 스트림은 다음 청크에서 이어져요';
    case 'last-chunk':
      return '응답 본문이 여기서 끝나요. 이벤트 스트림도 끝이에요(RFC 9112 7.1절)';
    case 'trailers-end':
      return undefined;
    case 'truncated':
      return '청크가 이 바이트 뒤로 이어져요';
    case 'data':
      return facts.line === 1
        ? '데이터 버퍼에 덧붙어요. 빈 줄에서 이벤트의 데이터가 돼요'
        : `data ${facts.line}번째 줄: 줄바꿈(LF) 뒤에 덧붙어서, 이벤트의 데이터는 ${facts.line}줄이 돼요`;
    case 'id':
      if (facts.ignored) return 'U+0000(NULL)이 든 id는 무시돼요';
      return facts.value === ''
        ? '빈 id: 마지막 이벤트 ID를 지워요. 다시 연결할 때 Last-Event-ID를 보내지 않아요'
        : `마지막 이벤트 ID가 "${facts.value}"(으)로 바뀌어요. 다시 연결하는 브라우저는 Last-Event-ID: ${facts.value}를 보내요`;
    case 'event':
      return `이벤트 타입: '${facts.value}' 이벤트로 전달돼서 onmessage에는 오지 않아요`;
    case 'retry':
      return facts.ignored
        ? '무시돼요. retry 값은 ASCII 숫자로만 써야 해요'
        : `재연결 대기 시간: 스트림이 끊기면 브라우저는 ${Number(facts.value)}ms 기다렸다가 다시 연결해요`;
    case 'comment':
      return '주석: 파서는 무시해요. 가끔 보내면 조용한 스트림을 프록시가 끊지 않아요(HTML 9.2.7절)';
    case 'field':
      return '이벤트 스트림 형식의 필드가 아니라서 파서가 무시해요';
    case 'dispatch':
      if (facts.type === undefined) return '빈 줄: 블록이 끝나요. 데이터가 없으니 이벤트는 전달되지 않아요';
      return facts.type === 'message'
        ? "빈 줄: 이벤트를 'message'로 전달해요"
        : `빈 줄: 이벤트를 '${facts.type}'(으)로 전달해요(addEventListener('${facts.type}')로만 받아요)`;
    case 'partial':
      return '아직 줄 끝이 없어요. 파서는 이 줄의 나머지를 기다려요';
  }
}
