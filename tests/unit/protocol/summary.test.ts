/**
 * summarizeUnit: what a unit says, as data in no language, from hex fixtures (RFC 6455 section 5.7's
 * frames, HTTP/1.1 messages, a chunked event stream).
 */
import { describe, expect, it } from 'vitest';
import { summarizeUnit, type UnitSummary } from '../../../src/lib/protocol/index.ts';
import { hex } from './helpers.ts';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('summarizeUnit: WebSocket frames (RFC 6455 section 5.7)', () => {
  const frame = (fields: Partial<Extract<UnitSummary, { kind: 'ws-frame' }>>) => ({
    kind: 'ws-frame',
    fin: true,
    rsv: 0,
    masked: false,
    ...fields,
  });
  const cases: Array<[string, string, object]> = [
    [
      'a single-frame unmasked text message',
      '81 05 48 65 6c 6c 6f',
      frame({ opcode: 1, opcodeName: 'text', payloadLength: 5, text: { text: 'Hello', more: false } }),
    ],
    [
      'a single-frame masked text message',
      '81 85 37 fa 21 3d 7f 9f 4d 51 58',
      frame({
        opcode: 1,
        opcodeName: 'text',
        masked: true,
        payloadLength: 5,
        text: { text: 'Hello', more: false },
      }),
    ],
    [
      'the first fragment of a text message',
      '01 03 48 65 6c',
      frame({
        opcode: 1,
        opcodeName: 'text',
        fin: false,
        payloadLength: 3,
        text: { text: 'Hel', more: false },
      }),
    ],
    [
      'the last fragment',
      '80 02 6c 6f',
      frame({ opcode: 0, opcodeName: 'continuation', payloadLength: 2, text: { text: 'lo', more: false } }),
    ],
    [
      'an unmasked ping',
      '89 05 48 65 6c 6c 6f',
      frame({ opcode: 9, opcodeName: 'ping', payloadLength: 5, text: { text: 'Hello', more: false } }),
    ],
    ['an empty pong', '8a 00', frame({ opcode: 10, opcodeName: 'pong', payloadLength: 0 })],
    [
      '256 bytes of binary, 16-bit length',
      `82 7e 01 00 ${'00 '.repeat(256)}`,
      frame({ opcode: 2, opcodeName: 'binary', payloadLength: 256 }),
    ],
    [
      'a close with code 1000 and a reason',
      '88 05 03 e8 62 79 65',
      frame({ opcode: 8, opcodeName: 'close', payloadLength: 5, close: { code: 1000, reason: 'bye' } }),
    ],
    [
      'a close with no status (1005)',
      '88 00',
      frame({ opcode: 8, opcodeName: 'close', payloadLength: 0, close: { code: undefined, reason: '' } }),
    ],
    [
      'a compressed text frame: RSV1 is shown, not judged, and DEFLATE data is not text (RFC 7692)',
      'c1 03 f2 48 05',
      frame({ opcode: 1, opcodeName: 'text', rsv: 4, payloadLength: 3 }),
    ],
  ];
  it.each(cases)('%s', (_name, bytes, summary) => {
    expect(summarizeUnit('ws-frame', hex(bytes))).toEqual(summary);
  });

  it('previews what a compressed message inflated to, where it is known (RFC 7692 section 7.2.3.1)', () => {
    const hello = new TextEncoder().encode('Hello');
    expect(summarizeUnit('ws-frame', hex('c1 07 f2 48 cd c9 c9 07 00'), hello)).toEqual(
      frame({
        opcode: 1,
        opcodeName: 'text',
        rsv: 4,
        payloadLength: 7,
        decodedLength: 5,
        text: { text: 'Hello', more: false },
      }),
    );
  });

  it('previews the first 32 characters of a long text', () => {
    const summary = summarizeUnit('ws-frame', hex(`81 28 ${'61 '.repeat(40)}`));
    expect(summary).toMatchObject({ text: { text: 'a'.repeat(32), more: true }, payloadLength: 40 });
  });

  it('names the fault of a frame that breaks the rules, with the close code', () => {
    expect(summarizeUnit('ws-frame', hex('83 00'))).toEqual({
      kind: 'fault',
      protocol: 'websocket',
      code: 'RESERVED_OPCODE',
      section: '5.2',
      closeCode: 1002,
    });
    expect(summarizeUnit('ws-frame', hex('81 05 48 65'))).toEqual({ kind: 'raw', length: 4 });
  });
});

describe('summarizeUnit: HTTP/1.1 messages', () => {
  it('a request: method, target, version', () => {
    const bytes = ascii('GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\n\r\n');
    expect(summarizeUnit('http-request', bytes)).toEqual({
      kind: 'http-request',
      method: 'GET',
      target: '/chat?room=1',
      version: 'HTTP/1.1',
      bodyLength: 0,
    });
  });

  it('a response: status, reason and a preview of a text body', () => {
    const bytes = ascii('HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{"now":123456}');
    expect(summarizeUnit('http-response', bytes)).toEqual({
      kind: 'http-response',
      version: 'HTTP/1.1',
      status: 200,
      reason: 'OK',
      bodyLength: 14,
      body: { text: '{"now":123456}', more: false },
    });
  });

  it('a response without a body preview when the body is not UTF-8, and a head whose body is not here', () => {
    expect(
      summarizeUnit(
        'http-response',
        hex(
          '48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f 4b 0d 0a 43 6f 6e 74 65 6e 74 2d 4c 65 6e 67 74 68 3a 20 32 0d 0a 0d 0a ff fe',
        ),
      ),
    ).toEqual({
      kind: 'http-response',
      version: 'HTTP/1.1',
      status: 200,
      reason: 'OK',
      bodyLength: 2,
    });
    const head = ascii(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    expect(summarizeUnit('http-response', head)).toMatchObject({ status: 200, bodyLength: 0 });
  });

  it('names the fault of a malformed head, with the status a server answers', () => {
    expect(summarizeUnit('http-request', ascii('GET / HTTP/1.1\r\nHost : x\r\n\r\n'))).toEqual({
      kind: 'fault',
      protocol: 'http',
      code: 'WHITESPACE_BEFORE_COLON',
      section: 'RFC 9112 5.1',
      status: 400,
    });
  });
});

describe('summarizeUnit: event streams', () => {
  it('the events in the chunks that carried them (id, event, data preview, retry, comment)', () => {
    // 0x1b = 27 bytes: "id: 7\nevent: tick\ndata: a\n\n", then 0xd = 13 bytes: "retry: 1000\n\n".
    const bytes = ascii('1b\r\nid: 7\nevent: tick\ndata: a\n\n\r\nd\r\nretry: 1000\n\n\r\n');
    expect(summarizeUnit('sse-event', bytes)).toEqual({
      kind: 'sse-event',
      events: [{ id: '7', event: 'tick', data: { text: 'a', more: false } }, { retry: '1000' }],
    });
    expect(summarizeUnit('sse-event', ascii(': keep-alive\n\n'))).toEqual({
      kind: 'sse-event',
      events: [{ comment: ': keep-alive' }],
    });
  });

  it('the last chunk that ends a chunked body, and bytes that are nothing in particular', () => {
    expect(summarizeUnit('raw', hex('30 0d 0a 0d 0a'))).toEqual({ kind: 'last-chunk' });
    expect(summarizeUnit('raw', hex('30 0d 0a 58 3a 20 31 0d 0a 0d 0a'))).toEqual({ kind: 'last-chunk' });
    expect(summarizeUnit('raw', hex('de ad be ef'))).toEqual({ kind: 'raw', length: 4 });
  });
});
