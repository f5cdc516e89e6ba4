/**
 * A unit's one-line label in a language, from the protocol's language-free summary
 * (src/lib/protocol/summary.ts). i18n sits below protocol, so it states the shape it reads (UnitFacts);
 * the protocol's UnitSummary is passed in wherever a label is made, so the compiler keeps the two one.
 * Protocol text stays as sent (methods, targets, status lines, opcode names, quoted payloads, error
 * codes); the words around it are the page's. English is also what the tap writes in UnitEvent.summary.
 *
 *   GET /chat HTTP/1.1            HTTP/1.1 200 OK '{"id":1}'      Text 'Hello' (masked)
 *   Binary 300 bytes (FIN=0)      Close 1000 'bye'                Close (no status)
 *   Event id 3 '{"id":3,…'        Retry 1000 ms                   Last chunk (end of the event stream)
 */
import type { Lang } from './lang';

interface Preview {
  text: string;
  more: boolean;
}

interface StreamEventFacts {
  id?: string;
  event?: string;
  data?: Preview;
  retry?: string;
  comment?: string;
}

export type UnitFacts =
  | { kind: 'http-request'; method: string; target: string; version: string }
  | { kind: 'http-response'; version: string; status: number; reason: string; body?: Preview }
  | {
      kind: 'ws-frame';
      opcodeName: string;
      fin: boolean;
      rsv: number;
      masked: boolean;
      payloadLength: number;
      text?: Preview;
      close?: { code: number | undefined; reason: string };
    }
  | { kind: 'sse-event'; events: StreamEventFacts[] }
  | { kind: 'last-chunk' }
  | { kind: 'fault'; protocol: 'http' | 'websocket'; code: string }
  | { kind: 'raw'; length: number };

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

const WORDS = {
  en: {
    bytes: (n: number) => `${n} bytes`,
    masked: 'masked',
    noStatus: 'no status',
    event: 'Event',
    /** An event of another type than message: its type is the label's first word. */
    typed: (type: string) => capitalised(type),
    emptyEvent: 'Event (empty)',
    retry: (ms: string) => `Retry ${ms} ms`,
    comment: 'Comment',
    more: (n: number) => `+${n} more`,
    lastChunk: 'Last chunk (end of the event stream)',
    httpError: 'HTTP error',
    protocolError: 'Protocol error',
  },
  ko: {
    bytes: (n: number) => `${n}바이트`,
    masked: '마스킹됨',
    noStatus: '상태 코드 없음',
    event: '이벤트',
    /** The type is a value as sent, quoted, beside the Korean word. */
    typed: (type: string) => `이벤트 '${type}'`,
    emptyEvent: '이벤트 (비어 있음)',
    retry: (ms: string) => `재시도 ${ms}ms`,
    comment: '주석',
    more: (n: number) => `${n}개 더`,
    lastChunk: '마지막 청크 (이벤트 스트림의 끝)',
    httpError: 'HTTP 오류',
    protocolError: '프로토콜 오류',
  },
} satisfies Record<Lang, unknown>;

type Words = (typeof WORDS)['en'];

const quoted = ({ text, more }: Preview) => `'${text}${more ? '…' : ''}'`;

function eventText({ id, event, data, retry, comment }: StreamEventFacts, w: Words): string {
  if (data !== undefined)
    return `${event ? w.typed(event) : w.event}${id === undefined ? '' : ` id ${id}`} ${quoted(data)}`;
  if (retry !== undefined) return w.retry(retry);
  if (comment !== undefined) return `${w.comment} '${comment}'`;
  return w.emptyEvent;
}

function frameText(facts: Extract<UnitFacts, { kind: 'ws-frame' }>, w: Words): string {
  // Built by appending: the tap labels every frame it sees, so no arrays on the way.
  let flags = facts.fin ? '' : 'FIN=0';
  for (let i = 0; i < 3; i++) {
    if (facts.rsv & (4 >> i)) flags += `${flags ? ', ' : ''}RSV${i + 1}`;
  }
  if (facts.masked) flags += `${flags ? ', ' : ''}${w.masked}`;
  const tail = flags ? ` (${flags})` : '';
  if (facts.close) {
    const { code, reason } = facts.close;
    return code === undefined
      ? `Close (${w.noStatus})${tail}`
      : `Close ${code}${reason ? ` '${reason}'` : ''}${tail}`;
  }
  const name = capitalised(facts.opcodeName);
  if (facts.opcodeName === 'binary') return `${name} ${w.bytes(facts.payloadLength)}${tail}`;
  return facts.text ? `${name} ${quoted(facts.text)}${tail}` : `${name}${tail}`;
}

/** One line for an arrow's label or the inspector's heading. */
export function describeUnit(facts: UnitFacts, lang: Lang): string {
  const w = WORDS[lang];
  switch (facts.kind) {
    case 'http-request':
      return `${facts.method} ${facts.target} ${facts.version}`;
    case 'http-response': {
      const line = `${facts.version} ${facts.status}${facts.reason ? ` ${facts.reason}` : ''}`;
      return facts.body ? `${line} ${quoted(facts.body)}` : line;
    }
    case 'ws-frame':
      return frameText(facts, w);
    case 'sse-event': {
      const [first, ...rest] = facts.events.map((e) => eventText(e, w));
      if (first === undefined) return w.emptyEvent;
      return rest.length === 0 ? first : `${first} (${w.more(rest.length)})`;
    }
    case 'last-chunk':
      return w.lastChunk;
    case 'fault':
      return `${facts.protocol === 'http' ? w.httpError : w.protocolError}: ${facts.code}`;
    case 'raw':
      return w.bytes(facts.length);
  }
}
