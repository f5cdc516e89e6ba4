/** Unit labels in Korean: the same facts as the English line, with the page's words around protocol text. */
import { describe, expect, it } from 'vitest';
import { parseHex, summarizeUnit } from '../../../src/lib/protocol/index.ts';
import { describeUnit } from '../../../src/lib/i18n/units.ts';
import type { UnitKind } from '../../../src/lib/trace/index.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('describeUnit in Korean', () => {
  const cases: Array<[UnitKind, Uint8Array, string]> = [
    ['ws-frame', parseHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), "Text 'Hello' (마스킹됨)"],
    ['ws-frame', parseHex(`82 7e 01 00 ${'00 '.repeat(256)}`), 'Binary 256바이트'],
    ['ws-frame', parseHex('88 00'), 'Close (상태 코드 없음)'],
    ['ws-frame', parseHex('83 00'), '프로토콜 오류: RESERVED_OPCODE'],
    ['http-request', ascii('GET / HTTP/1.1\r\nHost : x\r\n\r\n'), 'HTTP 오류: WHITESPACE_BEFORE_COLON'],
    ['sse-event', ascii('d\r\nretry: 1000\n\n\r\n'), '재시도 1000ms'],
    // An event's own type is a value as sent: quoted beside the Korean word, not made an English title.
    ['sse-event', ascii('id: 2\nevent: price\ndata: 1\n\n'), "이벤트 'price' id 2 '1'"],
    ['sse-event', ascii('id: 1\ndata: hi\n\n'), "이벤트 id 1 'hi'"],
    ['raw', ascii('0\r\n\r\n'), '마지막 청크 (이벤트 스트림의 끝)'],
    ['raw', ascii('xyz'), '3바이트'],
  ];
  it.each(cases)('%s: %s', (kind, bytes, line) => {
    expect(describeUnit(summarizeUnit(kind, bytes), 'ko')).toBe(line);
  });

  it('shows the start of a response body after the status line, in both languages alike', () => {
    const bytes = ascii(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"id":1}',
    );
    const summary = summarizeUnit('http-response', bytes);
    expect(describeUnit(summary, 'en')).toBe(`HTTP/1.1 200 OK '{"id":1}'`);
    expect(describeUnit(summary, 'ko')).toBe(describeUnit(summary, 'en'));
  });
});
