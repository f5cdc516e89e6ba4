/**
 * HTTP/1.1 (RFC 9112) bytes in, structures out, and back, by concern: lexical rules (syntax), the head
 * (head), body framing and the chunked coding (framing), one whole message (message), the incremental
 * reader (parser) and the writers (serialize).
 */
export type {
  HttpHeader,
  HttpChunk,
  HttpRequest,
  HttpResponse,
  HttpMessage,
  HttpParseOptions,
  HttpParseResult,
  HttpSpan,
} from './types.ts';
export { TCHAR, isToken, latin1, latin1Bytes } from './syntax.ts';
export { getHeader, headerTokens, hasHeaderToken, headLength, findHeadEnd, parseHead } from './head.ts';
export { bodyFraming, isUpgrade, readChunkSize, readChunkEnd, readTrailer, trailerSpan } from './framing.ts';
export type { Framing, ChunkSize } from './framing.ts';
export { parseHttpMessage } from './message.ts';
export { HttpParser } from './parser.ts';
export type { HttpPart, HttpParserOptions } from './parser.ts';
export { HttpFramer } from './framer.ts';
export type { FramerEvent, FramerOptions } from './framer.ts';
export {
  serializeRequest,
  serializeResponse,
  serializeResponseHead,
  serializeMessage,
  errorResponse,
  encodeChunk,
  LAST_CHUNK,
} from './serialize.ts';
export type { RequestInit, ResponseInit } from './serialize.ts';
