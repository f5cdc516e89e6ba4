import { describe, expect, it } from 'vitest';
import {
  acceptSteps,
  buildServerHandshake,
  buildUpgradeRequest,
  buildUpgradeResponse,
  computeAccept,
  decodeBase64,
  encodeBase64,
  generateKey,
  parseHttpMessage,
  serializeRequest,
  upgradeRequest,
  validateUpgradeRequest,
  validateUpgradeResponse,
  type HttpHeader,
  type HttpRequest,
} from '../../../src/lib/protocol/index.ts';
import { ascii, hex, text } from './helpers.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('Sec-WebSocket-Accept (section 1.3, 4.2.2)', () => {
  it.each([
    [KEY, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
    ['q4xkcO32u266gldTuKaSOw==', 'fA9dggdnMPU79lJgAE3W4TRnyDM='],
  ])('%s -> %s', async (key, accept) => {
    expect(await computeAccept(key)).toBe(accept);
  });

  it('explains its steps', async () => {
    const steps = await acceptSteps(KEY);
    expect(steps.concatenated).toBe(KEY + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
    // RFC 6455 section 1.3 prints the SHA-1 as these bytes.
    expect(steps.sha1Hex).toBe('b37a4f2cc0624f1690f64606cf385945b2bec4ea');
    expect(steps.accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('generates the key from 16 injected bytes', () => {
    expect(generateKey(ascii('the sample nonce'))).toBe(KEY);
    expect(() => generateKey(new Uint8Array(15))).toThrow(RangeError);
  });

  it('base64 round-trips and rejects malformed input', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
      expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    }
    expect(encodeBase64(ascii('foobar'))).toBe('Zm9vYmFy');
    for (const bad of ['abc', 'ab=c', 'a=bc', '@@@@', 'Zm9v YmFy', 'é==='])
      expect(decodeBase64(bad)).toBeNull();
  });

  it('base64 agrees with Node on large inputs (trace files and HAR bodies use the same codec)', () => {
    for (const n of [100_000, 100_001, 100_002]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
      const text = Buffer.from(bytes).toString('base64');
      expect(encodeBase64(bytes)).toBe(text);
      expect(Buffer.from(decodeBase64(text)!).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});

describe('client request (section 4.1)', () => {
  it('builds the request of section 1.2', () => {
    const bytes = buildUpgradeRequest({
      path: '/chat',
      host: 'server.example.com',
      key: KEY,
      origin: 'http://example.com',
      protocols: ['chat', 'superchat'],
    });
    expect(text(bytes)).toBe(
      [
        'GET /chat HTTP/1.1',
        'Host: server.example.com',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${KEY}`,
        'Sec-WebSocket-Version: 13',
        'Origin: http://example.com',
        'Sec-WebSocket-Protocol: chat, superchat',
        '',
        '',
      ].join('\r\n'),
    );
  });
});

function request(edit: (r: HttpRequest) => void = () => {}): HttpRequest {
  const r = upgradeRequest({
    path: '/chat',
    host: 'localhost:8080',
    key: KEY,
    origin: 'http://localhost:8080',
    protocols: ['chat'],
  });
  edit(r);
  return r;
}

const setHeader = (headers: HttpHeader[], name: string, value: string | undefined): void => {
  const i = headers.findIndex((h) => h.name.toLowerCase() === name.toLowerCase());
  if (value === undefined) headers.splice(i, 1);
  else if (i >= 0) headers[i] = { name, value };
  else headers.push({ name, value });
};

describe('server validation (section 4.2.1)', () => {
  it('accepts a valid request, from bytes or as a message', () => {
    for (const input of [request(), serializeRequest(request())]) {
      const result = validateUpgradeRequest(input, { supportedProtocols: ['superchat', 'chat'] });
      expect(result).toMatchObject({
        ok: true,
        key: KEY,
        host: 'localhost:8080',
        path: '/chat',
        origin: 'http://localhost:8080',
        protocols: ['chat'],
        protocol: 'chat',
      });
    }
  });

  it('takes the resource name from an absolute http(s) request target (section 4.1)', () => {
    const r = request((r) => (r.target = 'http://localhost:8080/chat?room=1'));
    expect(validateUpgradeRequest(r)).toMatchObject({ ok: true, path: '/chat?room=1' });
    const bare = request((r) => (r.target = 'https://localhost:8080'));
    expect(validateUpgradeRequest(bare)).toMatchObject({ ok: true, path: '/' });
  });

  it('accepts case-insensitive tokens and Connection as a list', () => {
    const r = request((r) => {
      setHeader(r.headers, 'Upgrade', 'WebSocket');
      setHeader(r.headers, 'Connection', 'keep-alive, UPGRADE');
    });
    expect(validateUpgradeRequest(r).ok).toBe(true);
  });

  const bad: Array<[string, (r: HttpRequest) => void, number, string]> = [
    ['POST instead of GET', (r) => (r.method = 'POST'), 405, 'NOT_GET'],
    ['HTTP/1.0', (r) => (r.version = 'HTTP/1.0'), 400, 'BAD_HTTP_VERSION'],
    ['missing Host', (r) => setHeader(r.headers, 'Host', undefined), 400, 'MISSING_HOST'],
    ['malformed Host', (r) => setHeader(r.headers, 'Host', 'bad host/x'), 400, 'BAD_HOST'],
    ['two Host fields', (r) => r.headers.push({ name: 'Host', value: 'evil.example' }), 400, 'BAD_HOST'],
    ['missing Upgrade', (r) => setHeader(r.headers, 'Upgrade', undefined), 400, 'MISSING_UPGRADE'],
    ['Upgrade: h2c', (r) => setHeader(r.headers, 'Upgrade', 'h2c'), 400, 'MISSING_UPGRADE'],
    ['missing Connection', (r) => setHeader(r.headers, 'Connection', undefined), 400, 'MISSING_CONNECTION'],
    [
      'Connection: keep-alive only',
      (r) => setHeader(r.headers, 'Connection', 'keep-alive'),
      400,
      'MISSING_CONNECTION',
    ],
    ['missing key', (r) => setHeader(r.headers, 'Sec-WebSocket-Key', undefined), 400, 'MISSING_KEY'],
    [
      'key of 15 bytes',
      (r) => setHeader(r.headers, 'Sec-WebSocket-Key', encodeBase64(new Uint8Array(15))),
      400,
      'BAD_KEY',
    ],
    [
      'key not base64',
      (r) => setHeader(r.headers, 'Sec-WebSocket-Key', 'not base64 at all!!!!!!'),
      400,
      'BAD_KEY',
    ],
    [
      'missing version',
      (r) => setHeader(r.headers, 'Sec-WebSocket-Version', undefined),
      400,
      'MISSING_VERSION',
    ],
    ['version 8', (r) => setHeader(r.headers, 'Sec-WebSocket-Version', '8'), 426, 'UNSUPPORTED_VERSION'],
    // The reference note's mistake: a ws:// URI is for the API, never the request line (section 4.1).
    ['absolute ws:// target', (r) => (r.target = 'ws://localhost:8080/chat'), 400, 'BAD_TARGET'],
    ['asterisk target', (r) => (r.target = '*'), 400, 'BAD_TARGET'],
    [
      'duplicate subprotocol',
      (r) => setHeader(r.headers, 'Sec-WebSocket-Protocol', 'chat, chat'),
      400,
      'BAD_PROTOCOL',
    ],
  ];

  it.each(bad)('%s -> %i', (_name, edit, status, code) => {
    const result = validateUpgradeRequest(request(edit));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(status);
      expect(result.code).toBe(code);
      expect(result.response.status).toBe(status);
      expect(result.section).toMatch(/^4\./);
    }
  });

  it('426 tells the client which version to use and 405 lists the allowed method', () => {
    const r426 = validateUpgradeRequest(request((r) => setHeader(r.headers, 'Sec-WebSocket-Version', '8')));
    expect(!r426.ok && r426.response.headers).toContainEqual({ name: 'Sec-WebSocket-Version', value: '13' });
    const r405 = validateUpgradeRequest(request((r) => (r.method = 'PUT')));
    expect(!r405.ok && r405.response.headers).toContainEqual({ name: 'Allow', value: 'GET' });
  });

  it('applies host and origin policies', () => {
    const wrongHost = validateUpgradeRequest(request(), { allowedHosts: ['example.com'] });
    expect(!wrongHost.ok && wrongHost.code).toBe('BAD_HOST');
    const wrongOrigin = validateUpgradeRequest(request(), { allowedOrigins: ['http://example.com'] });
    expect(!wrongOrigin.ok && [wrongOrigin.status, wrongOrigin.code]).toEqual([403, 'ORIGIN_REJECTED']);
    expect(
      validateUpgradeRequest(request(), { allowedOrigins: (o) => o === 'http://localhost:8080' }).ok,
    ).toBe(true);
  });

  it('answers 400 for bytes that are not an HTTP request', () => {
    const result = validateUpgradeRequest(ascii('GET /chat\r\n\r\n'));
    expect(!result.ok && [result.status, result.code]).toEqual([400, 'BAD_HTTP']);
  });
});

describe('server response and client validation (section 4.1)', () => {
  it('builds the 101 of section 1.3', async () => {
    const bytes = await buildServerHandshake(KEY, { protocol: 'chat' });
    expect(text(bytes)).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n',
    );
    expect(await validateUpgradeResponse(bytes, { key: KEY, protocols: ['chat'] })).toMatchObject({
      ok: true,
      protocol: 'chat',
    });
  });

  const accept = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
  const response = (lines: string[]): Uint8Array => ascii(lines.join('\r\n') + '\r\n\r\n');
  const good = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${accept}`,
  ];

  it.each([
    ['status 200', ['HTTP/1.1 200 OK', ...good.slice(1), 'Content-Length: 0'], 'NOT_101'],
    ['wrong Accept', [...good.slice(0, 3), 'Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=='], 'BAD_ACCEPT'],
    ['missing Accept', good.slice(0, 3), 'MISSING_ACCEPT'],
    ['missing Upgrade', [good[0]!, ...good.slice(2)], 'MISSING_UPGRADE'],
    ['missing Connection', [...good.slice(0, 2), good[3]!], 'MISSING_CONNECTION'],
    ['unrequested subprotocol', [...good, 'Sec-WebSocket-Protocol: chat'], 'UNREQUESTED_PROTOCOL'],
    [
      'unrequested extension',
      [...good, 'Sec-WebSocket-Extensions: permessage-deflate'],
      'UNREQUESTED_EXTENSION',
    ],
  ])('rejects %s', async (_name, lines, code) => {
    const result = await validateUpgradeResponse(response(lines as string[]), { key: KEY });
    expect(result).toMatchObject({ ok: false, code, section: '4.1' });
  });

  it('accepts an offered extension and keeps frames after the 101', async () => {
    const bytes = buildUpgradeResponse({ accept, extensions: ['permessage-deflate'] });
    const withFrame = new Uint8Array([...bytes, ...hex('81 02 68 69')]);
    const parsed = parseHttpMessage(withFrame)!;
    expect(parsed.upgrade).toBe(true);
    expect(withFrame.subarray(parsed.bytesUsed)).toEqual(hex('81 02 68 69'));
    const result = await validateUpgradeResponse(
      parsed.message.kind === 'response' ? parsed.message : bytes,
      {
        key: KEY,
        extensions: ['permessage-deflate; client_max_window_bits'],
      },
    );
    expect(result).toMatchObject({ ok: true, extensions: ['permessage-deflate'] });
  });
});
