/**
 * One whole HTTP/1.1 message from bytes (RFC 9112): the head, then the body as its framing says. The
 * one-shot parser behind annotateHttp, the handshake validators and the inspector; HttpParser reads
 * the same parts incrementally.
 */
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from '../constants.ts';
import { bodyFraming, bodyTooLarge, isUpgrade, parseChunked } from './framing.ts';
import { parseHead } from './head.ts';
import type { HttpParseOptions, HttpParseResult, HttpSpan } from './types.ts';

/**
 * Parse one HTTP/1.x message starting at `offset`. null: more bytes are needed. Throws HttpError.
 * `spans`, when given, receives the byte span of each part as it is recognised (also on error, up to
 * the fault).
 */
export function parseHttpMessage(
  bytes: Uint8Array,
  offset = 0,
  options: HttpParseOptions = {},
  spans?: HttpSpan[],
): HttpParseResult | null {
  const head = parseHead(bytes, offset, options, spans);
  if (!head) return null;
  const { message } = head;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let pos = head.end;
  const framing = bodyFraming(message, options, pos);
  if (framing.kind === 'length') {
    if (framing.length > maxBody) throw bodyTooLarge(maxBody, pos, framing.length);
    if (bytes.length - pos < framing.length) return null;
    message.body = bytes.slice(pos, pos + framing.length);
    if (framing.length > 0) {
      spans?.push({
        id: 'body',
        label: 'Body',
        start: pos,
        end: pos + framing.length,
        value: framing.length,
        note: `Content-Length: ${framing.length}`,
      });
    }
    pos += framing.length;
  } else if (framing.kind === 'close') {
    if (!options.eof) return null;
    if (bytes.length - pos > maxBody) throw bodyTooLarge(maxBody, pos);
    message.body = bytes.slice(pos);
    if (bytes.length > pos) {
      spans?.push({
        id: 'body',
        label: 'Body (until the connection closes)',
        start: pos,
        end: bytes.length,
        value: bytes.length - pos,
      });
    }
    pos = bytes.length;
  } else if (framing.kind === 'chunked') {
    const maxLine = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    const end = parseChunked(bytes, pos, message, maxBody, maxLine, spans);
    if (end < 0) return null;
    pos = end;
  }
  return { message, bytesUsed: pos - offset, upgrade: isUpgrade(message, options) };
}
