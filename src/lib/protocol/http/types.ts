/** HTTP/1.1 messages (RFC 9112) as structures: what the parsers return and the serialisers take. */

export interface HttpHeader {
  name: string;
  value: string;
}

/** One chunk of a chunked body (RFC 9112 section 7.1). The last chunk has size 0. */
export interface HttpChunk {
  size: number;
  /** Raw chunk extensions after the size, e.g. ';name=value' ('' when none). */
  extensions: string;
  data: Uint8Array;
}

interface HttpMessageBase {
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  version: string;
  headers: HttpHeader[];
  /** The body after removing chunked framing. */
  body: Uint8Array;
  /** Present for a chunked body: every chunk including the final size-0 one. */
  chunks?: HttpChunk[];
  /** Present for a chunked body: the trailer fields (often empty). */
  trailers?: HttpHeader[];
}

export interface HttpRequest extends HttpMessageBase {
  kind: 'request';
  method: string;
  target: string;
}

export interface HttpResponse extends HttpMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type HttpMessage = HttpRequest | HttpResponse;

export interface HttpParseOptions {
  /** What to expect; by default a message starting with 'HTTP/' is a response, anything else a request. */
  kind?: 'request' | 'response';
  /** Largest head (start line + fields + blank line) in bytes; beyond it 431. */
  maxHeaderBytes?: number;
  /** Most header fields; beyond it 431. */
  maxHeaders?: number;
  /** Largest body in bytes; beyond it 413. */
  maxBodyBytes?: number;
  /** Longest request-target; beyond it 414 (RFC 9112 section 3 recommends at least 8000). */
  maxTargetLength?: number;
  /** Method of the request this response answers: a response to HEAD has no body (RFC 9110 9.3.2). */
  requestMethod?: string;
  /** The input ends here (connection closed): a response without framing ends at the last byte. */
  eof?: boolean;
}

export interface HttpParseResult {
  message: HttpMessage;
  bytesUsed: number;
  /** True when the bytes after this message belong to another protocol (101, or 2xx to CONNECT). */
  upgrade: boolean;
}

/** A labelled byte span recorded while parsing (the raw material of annotateHttp). */
export interface HttpSpan {
  id: string;
  label: string;
  start: number;
  end: number;
  value: string | number;
  note?: string;
}
