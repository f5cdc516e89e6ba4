/** Field names in Korean follow what the protocol's field says, numbered chunks included. */
import { describe, expect, it } from 'vitest';
import { annotateEventStream, annotateHttp } from '../../../src/lib/protocol/index.ts';
import { fieldLabel } from '../../../src/lib/i18n/fields.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('chunk field names in Korean', () => {
  it("numbers a chunked body's chunks as the English does", () => {
    const fields = annotateHttp(
      ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n3\r\nyou\r\n0\r\n\r\n'),
    );
    const chunks = fields.filter((f) => f.id.startsWith('chunk-'));
    expect(chunks.map((f) => fieldLabel(f, 'en'))).toEqual([
      'Chunk 0 size',
      'Chunk 0 data',
      'Chunk 0 end (CRLF)',
      'Chunk 1 size',
      'Chunk 1 data',
      'Chunk 1 end (CRLF)',
    ]);
    expect(chunks.map((f) => fieldLabel(f, 'ko'))).toEqual([
      '청크 0 크기(chunk-size)',
      '청크 0 데이터(chunk-data)',
      '청크 0 끝(CRLF)',
      '청크 1 크기(chunk-size)',
      '청크 1 데이터(chunk-data)',
      '청크 1 끝(CRLF)',
    ]);
  });

  it("gives an event stream's one chunk no number, in either language", () => {
    const fields = annotateEventStream(ascii('d\r\nretry: 1000\n\n\r\n'), { chunked: true });
    const chunks = fields.filter((f) => f.id.startsWith('chunk-'));
    expect(chunks.map((f) => fieldLabel(f, 'en'))).toEqual(['Chunk size', 'Chunk end (CRLF)']);
    expect(chunks.map((f) => fieldLabel(f, 'ko'))).toEqual(['청크 크기(chunk-size)', '청크 끝(CRLF)']);
  });
});
