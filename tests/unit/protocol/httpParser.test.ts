/**
 * The incremental HttpParser: linear work however the bytes are cut, parts with their exact bytes and
 * stream offsets, streamed bodies, responses matched to their requests, upgrades declined, errors.
 */
import { describe, expect, it } from 'vitest';
import { HttpParser, type HttpPart, latin1, latin1Bytes } from '../../../src/lib/protocol/index.ts';
import { concat } from './helpers.ts';

const crlf = (s: string): Uint8Array => latin1Bytes(s.replace(/\n/g, '\r\n'));

/** Feeds `bytes` to the parser `size` bytes at a time; returns every part. */
function feed(parser: HttpParser, bytes: Uint8Array, size: number): HttpPart[] {
  const parts: HttpPart[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(...parser.read(bytes.subarray(i, i + size)));
  return parts;
}

function chunkedBody(chunks: number, size: number): string {
  let body = '';
  for (let i = 0; i < chunks; i++) body += `${size.toString(16)}\r\n${'c'.repeat(size)}\r\n`;
  return `${body}0\r\n\r\n`;
}

describe('HttpParser work is linear in the bytes, however they are cut', () => {
  const messages: Array<[string, (n: number) => Uint8Array]> = [
    ['a Content-Length body', (n) => crlf(`POST /up HTTP/1.1\nContent-Length: ${n}\n\n${'b'.repeat(n)}`)],
    [
      'a chunked body',
      (n) => latin1Bytes(`POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody(n / 10, 10)}`),
    ],
    ['a long head', (n) => crlf(`GET / HTTP/1.1\nX-Long: ${'h'.repeat(n)}\n\n`)],
  ];
  it.each(messages)('%s trickling in one byte at a time', (_name, make) => {
    // Copying the whole buffer per byte, or parsing the head again per byte, costs n^2 / 2: for 12,000
    // bytes some 72 million, against at most six times 12,000 here.
    for (const n of [1_200, 12_000]) {
      const bytes = make(n);
      const parser = new HttpParser({ kind: 'request', maxHeaderBytes: 64 * 1024 });
      const parts = feed(parser, bytes, 1);
      expect(parts.map((p) => p.type)).toEqual(['message']);
      expect(parser.bytesUsed).toBe(bytes.length);
      expect(parser.work).toBeLessThanOrEqual(6 * bytes.length);
    }
  });

  it('gives the same work per byte for a body ten times larger', () => {
    const work = (n: number) => {
      const parser = new HttpParser({ kind: 'response' });
      feed(parser, crlf(`HTTP/1.1 200 OK\nContent-Length: ${n}\n\n${'x'.repeat(n)}`), 1);
      return parser.work / n;
    };
    expect(work(50_000)).toBeCloseTo(work(5_000), 0);
  });
});

describe('HttpParser parts', () => {
  const pipeline = crlf(
    'GET /a HTTP/1.1\nHost: x\n\nPOST /b HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\nGET /c HTTP/1.1\n\n',
  );

  it.each([1, 2, 7, pipeline.length])('carry exactly their bytes and offsets (chunks of %i)', (size) => {
    const parser = new HttpParser({ kind: 'request' });
    const parts = feed(parser, pipeline, size);
    expect(
      parts.map((p) => (p.type === 'message' && p.message.kind === 'request' ? p.message.target : p.type)),
    ).toEqual(['/a', '/b', '/c']);
    expect(concat(...parts.map((p) => p.bytes))).toEqual(pipeline);
    expect(parts.map((p) => [p.start, p.end])).toEqual([
      [0, 28],
      [28, 97],
      [97, pipeline.length],
    ]);
  });

  it('stream a chunked body chunk by chunk, each with its size line and CRLF', () => {
    const parser = new HttpParser({
      kind: 'response',
      stream: (head) => head.kind === 'response' && head.status === 200,
    });
    const wire = crlf(
      'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n1;x=y\nd\n0\nT: 1\n\nHTTP/1.1 204 No Content\n\n',
    );
    const parts = feed(parser, wire, 3);
    expect(parts.map((p) => [p.type, latin1(p.bytes)])).toEqual([
      ['head', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'],
      ['chunk', '3\r\nabc\r\n'],
      ['chunk', '1;x=y\r\nd\r\n'],
      ['end', '0\r\nT: 1\r\n\r\n'],
      ['message', 'HTTP/1.1 204 No Content\r\n\r\n'],
    ]);
    const chunk = parts[2]!;
    expect(
      chunk.type === 'chunk' && [chunk.chunk.size, chunk.chunk.extensions, latin1(chunk.chunk.data)],
    ).toEqual([1, ';x=y', 'd']);
    const end = parts[3]!;
    expect(end.type === 'end' && end.trailers).toEqual([{ name: 'T', value: '1' }]);
  });

  it('stream a body that runs until the connection closes', () => {
    const parser = new HttpParser({ kind: 'response', stream: () => true });
    const parts = [
      ...parser.read(crlf('HTTP/1.0 200 OK\n\nda')),
      ...parser.read(latin1Bytes('ta')),
      ...parser.finish(),
    ];
    expect(parts.map((p) => [p.type, latin1(p.bytes)])).toEqual([
      ['head', 'HTTP/1.0 200 OK\r\n\r\n'],
      ['data', 'da'],
      ['data', 'ta'],
      ['end', ''],
    ]);
    expect(parser.error).toBeUndefined();
  });
});

describe('HttpParser on a connection', () => {
  it('reads each response with the method of the request it answers (HEAD has no body)', () => {
    const parser = new HttpParser({ kind: 'response' });
    parser.expectResponseTo('HEAD');
    parser.expectResponseTo('GET');
    const parts = parser.read(
      crlf(
        'HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 5\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      ),
    );
    expect(
      parts.map(
        (p) =>
          p.type === 'message' && p.message.kind === 'response' && [p.message.status, latin1(p.message.body)],
      ),
    ).toEqual([
      [100, ''],
      [200, ''],
      [200, 'ok'],
    ]);
  });

  it('stops after a request asking to upgrade, and resumes when the server declines', () => {
    const parser = new HttpParser({ kind: 'request' });
    const upgrade = crlf('GET /chat HTTP/1.1\nUpgrade: websocket\nConnection: Upgrade\n\n');
    const next = crlf('GET /again HTTP/1.1\n\n');
    const parts = parser.read(concat(upgrade, next));
    expect(parts.map((p) => p.type === 'message' && p.upgrade)).toEqual([true]);
    expect(parser.upgraded).toBe(true);
    expect(parser.remainder).toEqual(next);
    const resumed = parser.resume();
    expect(
      resumed.map((p) => p.type === 'message' && p.message.kind === 'request' && p.message.target),
    ).toEqual(['/again']);
    expect(parser.upgraded).toBe(false);
  });

  it('reports bad bytes once, as an error with the bytes from the faulty message on', () => {
    const parser = new HttpParser({ kind: 'request' });
    const good = crlf('GET /a HTTP/1.1\n\n');
    const parts = parser.read(concat(good, crlf('GET /b HTTP/1.1\nBad Name: x\n\n')));
    expect(parts).toHaveLength(1);
    expect(parser.error).toMatchObject({ code: 'BAD_HEADER', status: 400 });
    // Offsets count from the first byte pushed.
    expect(parser.error!.offset).toBeGreaterThan(good.length);
    expect(latin1(parser.remainder)).toBe('GET /b HTTP/1.1\r\nBad Name: x\r\n\r\n');
    expect(parser.read(latin1Bytes('more'))).toEqual([]);
    expect(() => parser.push(latin1Bytes('more'))).toThrow(/not a valid field name/);
  });

  it('says a message was cut short when the connection closes inside it', () => {
    const parser = new HttpParser({ kind: 'response' });
    parser.read(crlf('HTTP/1.1 200 OK\nContent-Length: 9\n\nhalf'));
    expect(parser.finish()).toEqual([]);
    expect(parser.error).toMatchObject({ code: 'BAD_REQUEST_LINE', status: 400 });
  });

  it('answers 431 for a head that does not end within the limit', () => {
    const parser = new HttpParser({ kind: 'request', maxHeaderBytes: 64 });
    parser.read(latin1Bytes(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}`));
    expect(parser.error).toMatchObject({ code: 'HEADERS_TOO_LARGE', status: 431 });
  });
});
