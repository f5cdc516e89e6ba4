/**
 * A guess for the paste box: is this an HTTP/1.x message or a WebSocket frame? HTTP heads are ASCII
 * text starting with a method token or 'HTTP/'; a frame starts with a binary header whose opcode and
 * length fields must make sense (RFC 6455 section 5.2).
 */
import { decodeFrame } from './frame.ts';
import { ProtocolError } from './errors.ts';
import { TCHAR } from './http/index.ts';

export type ByteKind = 'empty' | 'http-request' | 'http-response' | 'websocket-frame' | 'unknown';

/** RFC 9112 section 3: method (a token) SP request-target SP HTTP-version. */
const REQUEST_START = new RegExp(`^[${TCHAR}]+ \\S+ HTTP/\\d\\.\\d\\r?$`);

export function classify(bytes: Uint8Array): ByteKind {
  if (bytes.length === 0) return 'empty';
  let firstLine = '';
  for (let i = 0; i < bytes.length && i < 8192; i++) {
    const b = bytes[i]!;
    if (b === 10) break;
    if (b > 126 || (b < 32 && b !== 13 && b !== 9)) {
      firstLine = '';
      break;
    }
    firstLine += String.fromCharCode(b);
  }
  if (firstLine.startsWith('HTTP/')) return 'http-response';
  if (REQUEST_START.test(firstLine) || /^[A-Z]+ \S+ HTTP\/\d\.\d/.test(firstLine)) return 'http-request';
  try {
    // A frame, or the beginning of one: decodeFrame either gives a frame or asks for more.
    decodeFrame(bytes, 0);
    return 'websocket-frame';
  } catch (e) {
    if (e instanceof ProtocolError) return 'unknown';
    throw e;
  }
}
