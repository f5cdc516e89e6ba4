import { describe, expect, it } from 'vitest';
import {
  HttpError,
  HttpParser,
  getHeader,
  parseHttpMessage,
  serializeRequest,
  serializeResponse,
  type HttpParseOptions,
} from '../../../src/lib/protocol/index.ts';
import { ascii, hex, text, thrown } from './helpers.ts';

const crlf = (s: string): Uint8Array => ascii(s.replace(/\n/g, '\r\n'));

describe('parseHttpMessage (RFC 9112)', () => {
  it('parses a request with a Content-Length body', () => {
    const r = parseHttpMessage(crlf('POST /echo HTTP/1.1\nHost: a\nContent-Length: 5\n\nhello'))!;
    expect(r.message).toMatchObject({
      kind: 'request',
      method: 'POST',
      target: '/echo',
      version: 'HTTP/1.1',
    });
    expect(text(r.message.body)).toBe('hello');
    expect(r.bytesUsed).toBe(crlf('POST /echo HTTP/1.1\nHost: a\nContent-Length: 5\n\nhello').length);
    expect(r.upgrade).toBe(false);
  });

  it('parses a response with a chunked body, extensions and trailers', () => {
    const bytes = crlf(
      'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5;name=value\nHello\n7\n, world\n0\nX-Checksum: 42\n\n',
    );
    const r = parseHttpMessage(bytes)!;
    expect(r.message.kind).toBe('response');
    expect(text(r.message.body)).toBe('Hello, world');
    expect(r.message.chunks!.map((c) => [c.size, c.extensions])).toEqual([
      [5, ';name=value'],
      [7, ''],
      [0, ''],
    ]);
    expect(r.message.trailers).toEqual([{ name: 'X-Checksum', value: '42' }]);
    expect(r.bytesUsed).toBe(bytes.length);
  });

  it('trims optional whitespace around field values and accepts bare LF line ends', () => {
    const r = parseHttpMessage(ascii('GET / HTTP/1.1\nHost:   example.com \t\n\n'))!;
    expect(getHeader(r.message.headers, 'HOST')).toBe('example.com');
  });

  it('knows which responses have no body (HEAD, 1xx, 204, 304) and reads others until close', () => {
    const head = crlf('HTTP/1.1 200 OK\nContent-Length: 10\n\n');
    expect(parseHttpMessage(head, 0, { requestMethod: 'HEAD' })!.bytesUsed).toBe(head.length);
    const noContent = crlf('HTTP/1.1 204 No Content\n\n');
    expect(parseHttpMessage(noContent)!.message.body.length).toBe(0);
    const untilClose = crlf('HTTP/1.1 200 OK\n\nabc');
    expect(parseHttpMessage(untilClose)).toBeNull();
    expect(text(parseHttpMessage(untilClose, 0, { eof: true })!.message.body)).toBe('abc');
  });

  it('returns null until the message is complete', () => {
    const bytes = crlf('POST / HTTP/1.1\nContent-Length: 3\n\nabc');
    for (let n = 0; n < bytes.length; n++) expect(parseHttpMessage(bytes.subarray(0, n))).toBeNull();
  });

  const errors: Array<[string, string, string, number, HttpParseOptions?]> = [
    ['obs-fold', 'GET / HTTP/1.1\nHost: a\n  folded\n\n', 'OBS_FOLD', 400],
    ['space before colon', 'GET / HTTP/1.1\nHost : a\n\n', 'WHITESPACE_BEFORE_COLON', 400],
    ['no colon', 'GET / HTTP/1.1\nHost a\n\n', 'BAD_HEADER', 400],
    ['bad field name', 'GET / HTTP/1.1\nHo(st: a\n\n', 'BAD_HEADER', 400],
    ['bad request line', 'GET /\n\n', 'BAD_REQUEST_LINE', 400],
    ['two spaces', 'GET  / HTTP/1.1\n\n', 'BAD_REQUEST_LINE', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\n\n', 'UNSUPPORTED_VERSION', 505],
    ['bad version', 'GET / HTTX/1.1\n\n', 'BAD_REQUEST_LINE', 400],
    ['bad status line', 'HTTP/1.1 20 OK\n\n', 'BAD_STATUS_LINE', 400],
    [
      'CL and TE together',
      'POST / HTTP/1.1\nContent-Length: 3\nTransfer-Encoding: chunked\n\n',
      'CONFLICTING_FRAMING',
      400,
    ],
    ['differing Content-Length list', 'POST / HTTP/1.1\nContent-Length: 3, 4\n\n', 'BAD_CONTENT_LENGTH', 400],
    ['negative Content-Length', 'POST / HTTP/1.1\nContent-Length: -1\n\n', 'BAD_CONTENT_LENGTH', 400],
    [
      'gzip transfer coding',
      'HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\n',
      'UNSUPPORTED_TRANSFER_CODING',
      501,
    ],
    ['bad chunk size', 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\nzz\n', 'BAD_CHUNK', 400],
    ['chunk without CRLF', 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nabX', 'BAD_CHUNK', 400],
    ['too many headers', 'GET / HTTP/1.1\na: 1\nb: 2\nc: 3\n\n', 'TOO_MANY_HEADERS', 431, { maxHeaders: 2 }],
    [
      'head too large',
      'GET / HTTP/1.1\nX-Long: ' + 'a'.repeat(200) + '\n\n',
      'HEADERS_TOO_LARGE',
      431,
      { maxHeaderBytes: 100 },
    ],
    [
      'body too large',
      'POST / HTTP/1.1\nContent-Length: 100\n\n',
      'BODY_TOO_LARGE',
      413,
      { maxBodyBytes: 10 },
    ],
    [
      'target too long',
      'GET /' + 'a'.repeat(50) + ' HTTP/1.1\n\n',
      'URI_TOO_LONG',
      414,
      { maxTargetLength: 20 },
    ],
  ];

  it.each(errors)('%s -> %s (%i)', (_name, message, code, status, options) => {
    const e = thrown(() => parseHttpMessage(crlf(message), 0, options)) as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.name).toBe('HttpError');
    expect([e.code, e.status]).toEqual([code, status]);
    expect(e.section).toMatch(/^RFC (9110|9112|6585)/);
  });

  it('rejects a bare CR inside a line', () => {
    expect(
      (thrown(() => parseHttpMessage(ascii('GET / HTTP/1.1\r\nA: b\rc\r\n\r\n'))) as HttpError).code,
    ).toBe('BARE_CR');
  });
});

describe('HttpParser (incremental)', () => {
  const pipeline = crlf(
    'GET /a HTTP/1.1\nHost: x\n\nPOST /b HTTP/1.1\nHost: x\nContent-Length: 2\n\nhiGET /c HTTP/1.1\n\n',
  );

  it.each([1, 3, 17, pipeline.length])('yields the same messages for chunks of %i bytes', (size) => {
    const parser = new HttpParser();
    const targets: string[] = [];
    for (let i = 0; i < pipeline.length; i += size) {
      for (const m of parser.push(pipeline.subarray(i, i + size)))
        targets.push(m.kind === 'request' ? m.target : '');
    }
    expect(targets).toEqual(['/a', '/b', '/c']);
    expect(parser.bytesUsed).toBe(pipeline.length);
  });

  it('stops after a 101 and keeps the WebSocket bytes that follow', () => {
    const head = crlf('HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n\n');
    const parser = new HttpParser({ kind: 'response' });
    const messages = parser.push(new Uint8Array([...head, ...hex('81 02 68 69')]));
    expect(messages).toHaveLength(1);
    expect(parser.upgraded).toBe(true);
    expect(parser.bytesUsed).toBe(head.length);
    parser.push(hex('88 00'));
    expect(parser.remainder).toEqual(hex('81 02 68 69 88 00'));
  });

  it('finishes a close-delimited body at end()', () => {
    const parser = new HttpParser({ kind: 'response' });
    expect(parser.push(crlf('HTTP/1.0 200 OK\n\nstream'))).toEqual([]);
    const [m] = parser.end();
    expect(text(m!.body)).toBe('stream');
  });
});

describe('serialise', () => {
  it('writes exactly the given headers, in order', () => {
    expect(
      text(
        serializeRequest({
          method: 'GET',
          target: '/poll?since=3',
          headers: [{ name: 'Host', value: 'localhost' }],
        }),
      ),
    ).toBe('GET /poll?since=3 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(text(serializeResponse({ status: 204, headers: [] }))).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });

  it('frames a chunked body', () => {
    const bytes = serializeResponse({
      status: 200,
      headers: [{ name: 'Transfer-Encoding', value: 'chunked' }],
      body: 'Hello',
    });
    expect(text(bytes)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n0\r\n\r\n');
    expect(text(parseHttpMessage(bytes)!.message.body)).toBe('Hello');
  });
});
