/**
 * Every number and magic string the protocol code relies on, each with the section that defines it.
 * RFC 6455 (The WebSocket Protocol), RFC 9110 (HTTP Semantics), RFC 9112 (HTTP/1.1).
 */

/** RFC 6455 section 5.2: the opcodes defined by the base protocol. 3-7 and 11-15 are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Human names for the opcodes (used by annotations and the inspector). */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
};

/** RFC 6455 section 5.5: opcodes with the high bit set (0x8-0xF) are control frames. */
export const CONTROL_OPCODE_BIT = 0x8;

/** RFC 6455 section 5.5: "All control frames MUST have a payload length of 125 bytes or less". */
export const MAX_CONTROL_PAYLOAD = 125;

/** RFC 6455 section 5.2: a 7-bit length of 126 means "the next 2 bytes are the length". */
export const LENGTH_16_MARKER = 126;
/** RFC 6455 section 5.2: a 7-bit length of 127 means "the next 8 bytes are the length". */
export const LENGTH_64_MARKER = 127;
/** RFC 6455 section 5.2: the largest length that fits the 7-bit field directly. */
export const MAX_7BIT_LENGTH = 125;
/** RFC 6455 section 5.2: the largest length the 16-bit extended field can carry. */
export const MAX_16BIT_LENGTH = 0xffff;

/** RFC 6455 section 5.2 byte 0 bit masks. */
export const FIN_BIT = 0x80;
export const RSV_BITS = 0x70;
export const OPCODE_BITS = 0x0f;
/** RFC 7692 section 6: permessage-deflate calls RSV1 the "Per-Message Compressed" bit. */
export const RSV1_BIT = 0x40;
/** The same bit in the 3-bit `rsv` number of a decoded frame (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
export const RSV1 = 4;
/** RFC 6455 section 5.2 byte 1 bit masks. */
export const MASK_BIT = 0x80;
export const LENGTH_BITS = 0x7f;

/** RFC 6455 section 5.3: the masking key is 32 bits. */
export const MASK_KEY_LENGTH = 4;

/** RFC 6455 section 5.2: the longest frame header, 2 bytes + 8 of extended length + 4 of masking key. */
export const MAX_FRAME_HEADER_BYTES = 2 + 8 + MASK_KEY_LENGTH;

/** RFC 6455 section 1.3 / 4.2.2: appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 section 4.1: the nonce is 16 random bytes, base64-encoded (24 characters). */
export const KEY_NONCE_LENGTH = 16;

/** RFC 6455 section 4.1 / 4.4: the only protocol version this document defines. */
export const WEBSOCKET_VERSION = '13';

/** RFC 6455 section 5.5.1: a close reason must fit a control frame after the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

/** RFC 6455 section 7.4.1: close status codes. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  Reserved: 1004,
  NoStatusReceived: 1005,
  AbnormalClosure: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Default maximum message size for the streaming reader (bytes). RFC 6455 section 10.4 asks
 * implementations to impose a limit; beyond it the endpoint closes with 1009.
 */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

/** RFC 7692 section 7: the extension token of the DEFLATE compression extension. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * RFC 7692 section 7.2.1: a sync flush ends the compressed data with an empty stored block whose last four
 * octets are these; the sender removes them and the receiver appends them again (section 7.2.2).
 */
export const DEFLATE_TAIL: readonly number[] = [0x00, 0x00, 0xff, 0xff];

/** RFC 7692 section 7.1.2: window sizes are 2^8 to 2^15 bytes; 15 (32,768 bytes) when not negotiated. */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;

/** RFC 9112 section 2.3: the only HTTP/1.x versions a message line may carry here. */
export const HTTP_VERSION_1_1 = 'HTTP/1.1';
export const HTTP_VERSION_1_0 = 'HTTP/1.0';

/** RFC 9110 section 15.2.2: 101 Switching Protocols. */
export const STATUS_SWITCHING_PROTOCOLS = 101;

/**
 * Default limits for the HTTP parser. RFC 9112 section 2.3 / RFC 9110 section 15.5.20 and RFC 6585
 * section 5 (431) let a server refuse heads that are too large; these numbers are ours.
 */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_HEADERS = 100;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** RFC 9110 section 15: standard reason phrases used when we build responses. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  421: 'Misdirected Request',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};
