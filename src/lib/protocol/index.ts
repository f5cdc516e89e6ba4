/**
 * The protocol core: RFC 6455 frames, handshake and close codes, UTF-8, HTTP/1.1 messages, RFC 7692
 * permessage-deflate, and the text/event-stream format of server-sent events (HTML Living Standard).
 * Pure TypeScript on Uint8Array; runs unchanged in the browser, the demo server and tests.
 */
export * from './constants.ts';
export { ProtocolError, HttpError, HexParseError } from './errors.ts';
export type { ProtocolErrorCode, HttpErrorCode, ProtocolErrorInit, HttpErrorInit } from './errors.ts';
export {
  encodeFrame,
  decodeFrame,
  parseHeader,
  parseExtendedLength,
  parseMaskKey,
  parsePayload,
  unmaskCopy,
  applyMask,
  isKnownOpcode,
  isControlOpcode,
  opcodeName,
  frameHeaderSize,
  FRAME_PARSE_STEPS,
} from './frame.ts';
export type { Frame, FrameHeader, DecodeOptions, DecodeResult, EncodeFrameInput } from './frame.ts';
export { FrameReader } from './reader.ts';
export { ConnectionReader } from './connection.ts';
export type { ConnectionReaderOptions, FrameHooks, WireDirection, WireUnit } from './connection.ts';
export { permessageDeflateHooks } from './connectionDeflate.ts';
export type { DeflateHookLimits } from './connectionDeflate.ts';
export {
  summarizeUnit,
  summarizeHttp,
  summarizeFrame,
  summarizeEvents,
  summarizeFault,
  previewText,
  PREVIEW_CHARS,
} from './summary.ts';
export type { UnitSummary, SummaryUnitKind, TextPreview, StreamEventSummary } from './summary.ts';
export type { PositionedFrame } from './reader.ts';
export { MessageAssembler, MessageReader } from './reassembly.ts';
export type { WsEvent, AssemblerOptions, MessageReaderOptions } from './reassembly.ts';
export { Utf8Validator, isValidUtf8, encodeUtf8, decodeUtf8, decodeUtf8Strict } from './utf8.ts';
export {
  CLOSE_CODES,
  describeCloseCode,
  isValidCloseCode,
  encodeCloseBody,
  parseCloseBody,
} from './close.ts';
export type { CloseCodeInfo, CloseBody } from './close.ts';
export { encodeBase64, decodeBase64 } from './base64.ts';
export { concatBytes, ByteQueue } from './bytes.ts';
export { parseHex, toHex } from './hex.ts';
export {
  generateKey,
  computeAccept,
  acceptSteps,
  upgradeRequest,
  buildUpgradeRequest,
  validateUpgradeRequest,
  upgradeResponse,
  buildUpgradeResponse,
  buildServerHandshake,
  checkUpgradeResponse,
  validateUpgradeResponse,
} from './handshake.ts';
export type {
  AcceptSteps,
  UpgradeRequestOptions,
  UpgradeRequestCheck,
  UpgradeRequestAccepted,
  UpgradeRequestRejected,
  UpgradeRequestPolicy,
  HandshakeRequestFailure,
  UpgradeResponseOptions,
  UpgradeResponseCheck,
  HandshakeResponseFailure,
  ExpectedUpgrade,
} from './handshake.ts';
export {
  parseHttpMessage,
  parseHead,
  findHeadEnd,
  bodyFraming,
  isUpgrade,
  readChunkSize,
  readChunkEnd,
  readTrailer,
  HttpParser,
  HttpFramer,
  serializeRequest,
  serializeResponse,
  serializeMessage,
  errorResponse,
  getHeader,
  headerTokens,
  hasHeaderToken,
  headLength,
  isToken,
  TCHAR,
  latin1,
  latin1Bytes,
  encodeChunk,
  LAST_CHUNK,
  serializeResponseHead,
} from './http/index.ts';
export type {
  HttpHeader,
  HttpChunk,
  HttpRequest,
  HttpResponse,
  HttpMessage,
  HttpParseOptions,
  HttpParseResult,
  HttpSpan,
  HttpPart,
  HttpParserOptions,
  FramerEvent,
  FramerOptions,
  Framing,
  ChunkSize,
  RequestInit as HttpRequestInit,
  ResponseInit as HttpResponseInit,
} from './http/index.ts';
export { annotateFrame, annotateFrameAt, annotateFrames, frameHeaderBits } from './annotate.ts';
export type { AnnotateOptions, Field, FrameAnnotation, HeaderBit } from './annotate.ts';
export { RawDeflater, RawInflater, deflateRaw, inflateRaw } from './deflate.ts';
export type { DeflaterOptions, InflaterOptions, InflateFailure, InflateResult } from './deflate.ts';
export { parseExtensions, formatExtension, formatExtensions } from './extensions.ts';
export type { ExtensionElement, ExtensionParam } from './extensions.ts';
export {
  readDeflateParams,
  formatDeflateOffer,
  formatDeflateResponse,
  negotiateDeflate,
  acceptDeflateResponse,
  deflateDirections,
  MessageDeflater,
  MessageInflater,
  compressMessage,
  decompressMessage,
} from './permessageDeflate.ts';
export type {
  DeflateOffer,
  DeflateParams,
  DeflateDirection,
  DeflatePolicy,
  DeflateAgreement,
  DeclinedOffer,
  DeflateNegotiation,
  DeflateRefusal,
  DeflateResponseCheck,
  InflaterLimits,
  Role as DeflateRole,
} from './permessageDeflate.ts';
export { annotateHttp } from './annotateHttp.ts';
export {
  EVENT_STREAM_TYPE,
  isEventStream,
  splitLines,
  splitField,
  encodeEvent,
  EventStreamDecoder,
  decodeEventStream,
  parseStreamEvents,
  endsEvent,
  annotateEventStream,
} from './eventStream.ts';
export type {
  StreamLine,
  EventInit,
  EventStreamItem,
  StreamEvent,
  EventStreamFacts,
  AnnotateEventStreamOptions,
} from './eventStream.ts';
export { classify } from './classify.ts';
export type { ByteKind } from './classify.ts';
export { formatSetCookie, parseCookieHeader, cookieValue } from './cookie.ts';
export type { SetCookie, SameSite, CookiePair } from './cookie.ts';
