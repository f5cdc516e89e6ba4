/**
 * The paste inspector's logic: hex text in, a decoded and annotated unit out, or a plain explanation of
 * what is wrong: which rule (stable code and RFC section) and which byte, or where the hex is not hex.
 */
import { annotateFrame, type Field } from '../protocol/annotate';
import { annotateHttp } from '../protocol/annotateHttp';
import { classify } from '../protocol/classify';
import { HexParseError, HttpError, ProtocolError, type HexFault } from '../protocol/errors';
import { parseHex, toHex } from '../protocol/hex';
import type { UnitKind } from '../trace/types';

export interface Fault {
  code: string;
  /** The protocol's English explanation (the page shows it in its language by `code`). */
  message: string;
  /** Where the rule is written: the RFC and its section. */
  rfc?: number;
  section: string;
  /** Byte offset where the rule breaks. */
  offset: number;
  /** The close code (WebSocket) or status (HTTP) a conforming peer answers with. */
  closeCode?: number;
  status?: number;
}

export type PasteResult =
  | { status: 'empty' }
  | { status: 'bad-hex'; fault: HexFault; line: number; column: number }
  | { status: 'unknown'; bytes: Uint8Array }
  | {
      status: 'ok' | 'fault' | 'truncated';
      kind: UnitKind;
      bytes: Uint8Array;
      fields: Field[];
      fault?: Fault;
      /** For a unit cut short: the annotator's field that says what is missing. */
      missing?: Field;
    };

export function decodePasted(text: string): PasteResult {
  if (text.trim() === '') return { status: 'empty' };
  let bytes: Uint8Array;
  try {
    bytes = parseHex(text);
  } catch (e) {
    if (e instanceof HexParseError) {
      return { status: 'bad-hex', fault: e.fault, line: e.line, column: e.column };
    }
    throw e;
  }
  const guess = classify(bytes);
  if (guess === 'empty') return { status: 'empty' };
  if (guess === 'unknown') {
    // Not HTTP, and not a frame: annotate as a frame anyway, to say which rule the first byte breaks.
    const fields = annotateFrame(bytes);
    const fault = faultOf(fields);
    if (!fault) return { status: 'unknown', bytes };
    return { status: 'fault', kind: 'ws-frame', bytes, fields, fault };
  }
  const kind: UnitKind = guess === 'websocket-frame' ? 'ws-frame' : guess;
  const fields =
    kind === 'ws-frame'
      ? annotateFrame(bytes)
      : annotateHttp(bytes, { kind: kind === 'http-request' ? 'request' : 'response', requestMethod: 'GET' });
  const fault = faultOf(fields);
  const truncated = fields.find((f) => f.id === 'truncated');
  return {
    status: fault ? 'fault' : truncated ? 'truncated' : 'ok',
    kind,
    bytes,
    fields,
    ...(fault ? { fault } : {}),
    ...(truncated ? { missing: truncated } : {}),
  };
}

function faultOf(fields: Field[]): Fault | undefined {
  const field = fields.find((f) => f.id === 'fault');
  if (!field) return undefined;
  const e = field.error;
  if (e instanceof ProtocolError) {
    return {
      code: e.code,
      message: e.message,
      rfc: e.rfc,
      section: e.section,
      offset: e.offset ?? field.start,
      closeCode: e.closeCode,
    };
  }
  if (e instanceof HttpError) {
    return {
      code: e.code,
      message: e.message,
      section: e.section,
      offset: e.offset ?? field.start,
      status: e.status,
    };
  }
  return { code: String(field.value), message: field.note ?? field.label, section: '', offset: field.start };
}

/** Examples the page offers: each shows one thing. */
export const EXAMPLES = {
  /** RFC 6455 section 5.7: a single-frame masked text message "Hello". */
  maskedText: '81 85 37 fa 21 3d 7f 9f 4d 51 58',
  upgrade: toHex(
    new TextEncoder().encode(
      'GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ),
  ),
  /** RSV1 set without an extension: section 5.2 says fail the connection. */
  rsvSet: 'c1 05 48 65 6c 6c 6f',
  /** A 300-byte length written in the 64-bit form: not minimal (section 5.2). */
  nonMinimal: '82 7f 00 00 00 00 00 00 01 2c',
} as const;
