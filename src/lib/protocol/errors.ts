/**
 * Errors raised by the protocol code. Each carries a stable `code` (for tests, the UI's translations and
 * lesson prose), the RFC `section` that forbids the input, and where known the byte `offset` of the fault.
 */

/** Stable codes for WebSocket faults. */
export type ProtocolErrorCode =
  | 'RSV_SET'
  | 'RESERVED_OPCODE'
  | 'CONTROL_TOO_LONG'
  | 'CONTROL_FRAGMENTED'
  | 'LENGTH_MSB_SET'
  | 'NON_MINIMAL_LENGTH'
  | 'INVALID_UTF8'
  | 'MESSAGE_TOO_BIG'
  | 'UNEXPECTED_CONTINUATION'
  | 'EXPECTED_CONTINUATION'
  | 'UNMASKED_CLIENT_FRAME'
  | 'MASKED_SERVER_FRAME'
  | 'BAD_CLOSE_BODY'
  | 'INVALID_CLOSE_CODE'
  | 'CLOSE_REASON_TOO_LONG'
  | 'FRAME_AFTER_CLOSE'
  | 'COMPRESSED_CONTROL'
  | 'COMPRESSED_CONTINUATION'
  | 'INVALID_COMPRESSED_DATA';

export interface ProtocolErrorInit {
  code: ProtocolErrorCode;
  /** The close code a conforming endpoint sends when it fails the connection for this reason. */
  closeCode: number;
  /** Section of `rfc`, e.g. '5.2'. */
  section: string;
  /** The RFC the section belongs to: 6455 (the default) or 7692 (compression). */
  rfc?: 6455 | 7692;
  offset?: number;
}

/** A WebSocket protocol violation (RFC 6455, or RFC 7692 for compressed messages). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly closeCode: number;
  readonly section: string;
  readonly rfc: 6455 | 7692;
  /** Byte index of the fault in the input given to the function that threw, where known. */
  readonly offset: number | undefined;

  constructor(message: string, init: ProtocolErrorInit) {
    super(message);
    this.code = init.code;
    this.closeCode = init.closeCode;
    this.section = init.section;
    this.rfc = init.rfc ?? 6455;
    this.offset = init.offset;
  }

  /** 'RFC 6455 section 5.2', 'RFC 7692 section 7.2.2': where the rule is written. */
  get reference(): string {
    return `RFC ${this.rfc} section ${this.section}`;
  }

  /** The same error moved by `delta` bytes (a reader reports offsets in its whole stream). */
  shifted(delta: number): ProtocolError {
    return new ProtocolError(this.message, {
      code: this.code,
      closeCode: this.closeCode,
      section: this.section,
      rfc: this.rfc,
      offset: this.offset === undefined ? undefined : this.offset + delta,
    });
  }
}

/** Stable codes for HTTP/1.1 message faults. */
export type HttpErrorCode =
  | 'BAD_REQUEST_LINE'
  | 'BAD_STATUS_LINE'
  | 'UNSUPPORTED_VERSION'
  | 'URI_TOO_LONG'
  | 'BAD_HEADER'
  | 'OBS_FOLD'
  | 'WHITESPACE_BEFORE_COLON'
  | 'HEADERS_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'BAD_CONTENT_LENGTH'
  | 'CONFLICTING_FRAMING'
  | 'UNSUPPORTED_TRANSFER_CODING'
  | 'BAD_CHUNK'
  | 'BODY_TOO_LARGE'
  | 'BARE_CR';

export interface HttpErrorInit {
  code: HttpErrorCode;
  /** The status a server would answer with (400, 413, 414, 431, 501, 505). */
  status: number;
  /** RFC 9110 / RFC 9112 section, e.g. 'RFC 9112 5.2'. */
  section: string;
  offset?: number;
}

/** A malformed HTTP/1.1 message (RFC 9112). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly section: string;
  readonly offset: number | undefined;

  constructor(message: string, init: HttpErrorInit) {
    super(message);
    this.code = init.code;
    this.status = init.status;
    this.section = init.section;
    this.offset = init.offset;
  }

  /** The same error moved by `delta` bytes (a reader reports offsets in its whole stream). */
  shifted(delta: number): HttpError {
    return new HttpError(this.message, {
      code: this.code,
      status: this.status,
      section: this.section,
      offset: this.offset === undefined ? undefined : this.offset + delta,
    });
  }
}

/** What is wrong with pasted hex: an odd run of digits, or a character that is not a hex digit. */
export interface HexFault {
  kind: 'odd-digits' | 'not-hex';
  /** The digits, or the character, at fault. */
  text: string;
}

/** Raised by parseHex for a string that is not hex. */
export class HexParseError extends Error {
  override readonly name = 'HexParseError';
  /** 0-based index into the input string. */
  readonly position: number;
  /** 1-based line and column, for the message shown in the paste box. */
  readonly line: number;
  readonly column: number;

  readonly fault: HexFault;

  constructor(message: string, position: number, line: number, column: number, fault: HexFault) {
    super(message);
    this.position = position;
    this.line = line;
    this.column = column;
    this.fault = fault;
  }
}
