/**
 * Frame annotation for the byte inspector and the lessons: a list of fields that covers the input
 * exactly once, in order. Built on demand from the named parse steps in frame.ts (never on the fast
 * path). Prose and pictures refer to fields by id, never by offset.
 *
 * Cover rule: the fields run from 0 to bytes.length without gaps or overlaps. A valid frame gives
 * 'fin-rsv-opcode', 'mask-len', ['ext-len'], ['mask-key'], ['payload' | 'close-code' + 'close-reason'],
 * then 'rest' for any bytes after the frame. A frame cut short ends with 'truncated'; an invalid one
 * ends with 'fault', which starts at the faulty field and runs to the end.
 *
 * With permessage-deflate negotiated (`deflate: true`, RFC 7692) RSV1 reads "per-message compressed" and
 * a compressed payload field carries what it inflates to (`inflated`, `text`): given by the caller,
 * who kept the connection's context, or else inflated on the spot by the caller's `inflate` (such as
 * decompressMessage) when the frame is a whole message. This file does not load the DEFLATE library
 * itself, so the pages that never show a compressed frame do not either.
 */
import { MASK_KEY_LENGTH, Opcode, RSV1 } from './constants.ts';
import { HttpError, ProtocolError } from './errors.ts';
import {
  decodeFrame,
  opcodeName,
  parseExtendedLength,
  parseHeader,
  parseMaskKey,
  parsePayload,
  type DecodeOptions,
} from './frame.ts';
import { toHex } from './hex.ts';
import { parseCloseBody, describeCloseCode } from './close.ts';
import { isValidUtf8, decodeUtf8 } from './utf8.ts';
import type { EventStreamFacts } from './eventStream.ts';

/** The part of a unit that bytes cut short lack: 'second-byte', 'extended-length', 'mask-key', 'payload', 'message'. */
export interface Missing {
  part: string;
  have?: number;
  of?: number;
}

export interface Field {
  /** Stable id ('fin-rsv-opcode', 'mask-len', 'ext-len', 'mask-key', 'payload', 'fault', ...). */
  id: string;
  /** Short English label; the UI may translate by id. */
  label: string;
  /** Byte offsets in the input, end exclusive. */
  start: number;
  end: number;
  value: string | number | boolean;
  note?: string;
  /** For payload fields: the bytes as sent (masked when a key is present) and after unmasking. */
  masked?: Uint8Array;
  unmasked?: Uint8Array;
  /** For text payloads and close reasons: the decoded text (of the inflated bytes when compressed). */
  text?: string;
  /** 'fin-rsv-opcode' of a compressed message's first frame, and its 'payload': RSV1 is set (RFC 7692). */
  compressed?: boolean;
  /** For a compressed payload: the bytes it inflates to (RFC 7692 section 7.2.2). */
  inflated?: Uint8Array;
  /** For a 'truncated' field: what is missing, by name (so a page can say it in its own language). */
  missing?: Missing;
  /** For the 'fault' field. */
  error?: ProtocolError | HttpError;
  /** For a field of an event-stream unit: what it is, as data (HTML 9.2.6, RFC 9112 7.1). */
  sse?: EventStreamFacts;
}

/** How many payload bytes are spelled out as hex in a field's value before it is shortened. */
const PREVIEW_BYTES = 64;

function preview(bytes: Uint8Array): string {
  return bytes.length <= PREVIEW_BYTES
    ? toHex(bytes)
    : `${toHex(bytes.subarray(0, PREVIEW_BYTES))} \u2026 (${bytes.length} bytes)`;
}

function faultField(start: number, end: number, error: ProtocolError): Field {
  return {
    id: 'fault',
    label: 'Protocol error',
    start,
    end,
    value: error.code,
    note: `${error.message} (${error.reference}; close with ${error.closeCode})`,
    error,
  };
}

export interface AnnotateOptions extends DecodeOptions {
  /**
   * What this frame's payload inflated to, from whoever followed the connection with its compression
   * context (a trace). Marks the payload compressed even on a continuation frame, which has no RSV1.
   */
  inflated?: Uint8Array;
  /**
   * Inflates a whole compressed message on its own (no earlier context), bounded, throwing
   * ProtocolError: `decompressMessage`, or a closure over it with a window size and a limit.
   */
  inflate?: (payload: Uint8Array) => Uint8Array;
}

function inflateOnSpot(
  payload: Uint8Array,
  options: AnnotateOptions,
): { inflated?: Uint8Array; why?: string } {
  if (!options.inflate) return { why: 'no inflater was given' };
  try {
    return { inflated: options.inflate(payload) };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return {
      why: `${e.message}. With context takeover a message may refer to earlier ones, which only the whole connection has`,
    };
  }
}

export interface FrameAnnotation {
  fields: Field[];
  /** Where this frame ends (or the input ends, for a truncated or invalid frame). */
  end: number;
  /** 'ok': a complete valid frame; 'truncated': needs more bytes; 'fault': invalid. */
  status: 'ok' | 'truncated' | 'fault';
  error?: ProtocolError;
}

/** Annotate the frame starting at `offset`; fields cover [offset, result.end). */
export function annotateFrameAt(
  bytes: Uint8Array,
  offset = 0,
  options: AnnotateOptions = {},
): FrameAnnotation {
  const fields: Field[] = [];
  const total = bytes.length;
  let pos = offset;
  const truncated = (need: string, missing: Missing): FrameAnnotation => {
    if (pos < total) {
      fields.push({
        id: 'truncated',
        label: 'Incomplete',
        start: pos,
        end: total,
        value: total - pos,
        note: need,
        missing,
      });
    }
    return { fields, end: total, status: 'truncated' };
  };
  const fault = (start: number, e: unknown): FrameAnnotation => {
    if (!(e instanceof ProtocolError)) throw e;
    fields.push(faultField(start, total, e));
    return { fields, end: total, status: 'fault', error: e };
  };
  if (pos >= total) return { fields, end: total, status: 'truncated' };

  // Step 1: header, byte 0 then byte 1 (each may be where the fault is).
  const b0 = bytes[pos]!;
  let header;
  try {
    header = parseHeader(Uint8Array.of(b0, 0), 0, { ...options, requireMask: undefined });
  } catch (e) {
    return fault(pos, e instanceof ProtocolError ? e.shifted(pos) : e);
  }
  const opcode = b0 & 0x0f;
  // RFC 7692 section 6: with permessage-deflate, RSV1 is the "Per-Message Compressed" bit.
  const compressed = options.deflate === true && ((b0 >> 4) & RSV1) !== 0;
  fields.push({
    id: 'fin-rsv-opcode',
    label: 'FIN, RSV1-3, opcode',
    start: pos,
    end: pos + 1,
    value: `0x${b0.toString(16).padStart(2, '0')}`,
    note: `FIN=${b0 >> 7} RSV=${((b0 >> 4) & 7).toString(2).padStart(3, '0')}${
      compressed ? ' (RSV1: per-message compressed)' : ''
    } opcode=0x${opcode.toString(16)} (${opcodeName(opcode)})`,
    ...(compressed ? { compressed: true } : {}),
  });
  pos += 1;
  if (pos >= total)
    return truncated('the second header byte (MASK and payload length) is missing', { part: 'second-byte' });
  try {
    header = parseHeader(bytes, offset, options);
  } catch (e) {
    return fault(pos, e);
  }
  if (!header) return truncated('the second header byte is missing', { part: 'second-byte' });
  const b1 = bytes[pos]!;
  fields.push({
    id: 'mask-len',
    label: 'MASK, payload length (7 bits)',
    start: pos,
    end: pos + 1,
    value: `0x${b1.toString(16).padStart(2, '0')}`,
    note: `MASK=${header.masked ? 1 : 0} length=${header.length7}${
      header.length7 === 126
        ? ' (16-bit length follows)'
        : header.length7 === 127
          ? ' (64-bit length follows)'
          : ''
    }`,
  });
  pos += 1;

  // Step 2: extended payload length.
  let length;
  try {
    length = parseExtendedLength(bytes, pos, header, options);
  } catch (e) {
    return fault(pos, e);
  }
  if (!length)
    return truncated(`the ${header.extendedLengthSize}-byte extended length is incomplete`, {
      part: 'extended-length',
      of: header.extendedLengthSize,
    });
  if (length.size > 0) {
    fields.push({
      id: 'ext-len',
      label: `Extended payload length (${length.size * 8} bits)`,
      start: pos,
      end: pos + length.size,
      value: length.payloadLength,
    });
    pos += length.size;
  }

  // Step 3: masking key.
  const maskKey = parseMaskKey(bytes, pos, header);
  if (maskKey === null) return truncated('the 4-byte masking key is incomplete', { part: 'mask-key' });
  if (maskKey) {
    fields.push({
      id: 'mask-key',
      label: 'Masking key',
      start: pos,
      end: pos + MASK_KEY_LENGTH,
      value: toHex(maskKey),
    });
    pos += MASK_KEY_LENGTH;
  }

  // Step 4: payload.
  const payload = parsePayload(bytes, pos, length.payloadLength, maskKey);
  if (!payload) {
    return truncated(`the payload has ${total - pos} of ${length.payloadLength} bytes`, {
      part: 'payload',
      have: total - pos,
      of: length.payloadLength,
    });
  }
  const wire = bytes.slice(pos, pos + length.payloadLength);
  // Let decodeFrame give the verdict on the complete frame (close body rules).
  try {
    decodeFrame(bytes, offset, options);
  } catch (e) {
    return fault(pos, e);
  }
  if (header.opcode === Opcode.Close && payload.length >= 2) {
    const body = parseCloseBody(payload);
    const code = (payload[0]! << 8) | payload[1]!;
    fields.push({
      id: 'close-code',
      label: 'Close status code',
      start: pos,
      end: pos + 2,
      value: code,
      note: describeCloseCode(code).name,
      masked: wire.subarray(0, 2),
      unmasked: payload.subarray(0, 2),
    });
    if (payload.length > 2) {
      const reason = body.ok ? body.reason : '';
      fields.push({
        id: 'close-reason',
        label: 'Close reason (UTF-8)',
        start: pos + 2,
        end: pos + payload.length,
        value: reason,
        text: reason,
        masked: wire.subarray(2),
        unmasked: payload.subarray(2),
      });
    }
  } else if (compressed || options.inflated !== undefined) {
    fields.push(compressedPayloadField(pos, payload, wire, maskKey !== undefined, header, options));
  } else if (payload.length > 0) {
    const isText = header.opcode === Opcode.Text || header.opcode === Opcode.Continuation;
    const text = isText && isValidUtf8(payload) ? decodeUtf8(payload) : undefined;
    fields.push({
      id: 'payload',
      label: maskKey ? 'Payload (masked)' : 'Payload',
      start: pos,
      end: pos + payload.length,
      value: text ?? preview(payload),
      note: maskKey ? `unmasked: ${preview(payload)}` : undefined,
      masked: maskKey ? wire : undefined,
      unmasked: payload,
      text,
    });
  }
  pos += payload.length;
  return { fields, end: pos, status: 'ok' };
}

/** The payload of a compressed frame: its DEFLATE bytes, and what they inflate to where that is known. */
function compressedPayloadField(
  pos: number,
  payload: Uint8Array,
  wire: Uint8Array,
  masked: boolean,
  header: { fin: boolean; opcode: number },
  options: AnnotateOptions,
): Field {
  let inflated = options.inflated;
  let why: string | undefined;
  if (inflated === undefined) {
    if (header.fin && header.opcode !== Opcode.Continuation)
      ({ inflated, why } = inflateOnSpot(payload, options));
    else why = 'one fragment of a compressed message inflates only with the frames before it';
  }
  const isText = header.opcode === Opcode.Text || header.opcode === Opcode.Continuation;
  const text = inflated && isText && isValidUtf8(inflated) ? decodeUtf8(inflated) : undefined;
  const tail = header.fin
    ? '; the sender removed the final 00 00 ff ff, which the receiver appends again (RFC 7692 section 7.2)'
    : '';
  return {
    id: 'payload',
    label: masked ? 'Payload (masked, compressed)' : 'Payload (compressed)',
    start: pos,
    end: pos + payload.length,
    value: text ?? (inflated ? preview(inflated) : preview(payload)),
    note:
      inflated !== undefined
        ? `${payload.length} bytes of DEFLATE data inflate to ${inflated.length} bytes${tail}`
        : `${payload.length} bytes of DEFLATE data, not inflated here: ${why ?? ''}`,
    masked: masked ? wire : undefined,
    unmasked: payload,
    compressed: true,
    ...(inflated !== undefined ? { inflated } : {}),
    ...(text !== undefined ? { text } : {}),
  };
}

/**
 * Annotate one frame at the start of `bytes`. The fields cover every byte of the input exactly once:
 * bytes after a complete frame are one 'rest' field (the next frame, annotate it with annotateFrames).
 */
export function annotateFrame(bytes: Uint8Array, options: AnnotateOptions = {}): Field[] {
  const result = annotateFrameAt(bytes, 0, options);
  if (result.end < bytes.length) {
    result.fields.push({
      id: 'rest',
      label: 'Bytes after this frame',
      start: result.end,
      end: bytes.length,
      value: bytes.length - result.end,
    });
  }
  return result.fields;
}

/** Annotate back-to-back frames; stops at the first truncated or invalid one. */
export function annotateFrames(bytes: Uint8Array, options: DecodeOptions = {}): FrameAnnotation[] {
  const out: FrameAnnotation[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const a = annotateFrameAt(bytes, pos, options);
    out.push(a);
    if (a.status !== 'ok') break;
    pos = a.end;
  }
  return out;
}

export interface HeaderBit {
  /** 'fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'mask', 'payload-len'. */
  id: string;
  label: string;
  /** Position in RFC 6455 section 5.2's diagram: bit 0 is the most significant bit of byte 0. */
  bitStart: number;
  bitLength: number;
  /** The bits as a string of 0/1, most significant first. */
  bits: string;
  value: number;
  meaning: string;
}

/**
 * The first two bytes bit by bit, as drawn in section 5.2 (byte 1 only if present). With `deflate`
 * (permessage-deflate negotiated) RSV1 reads as the Per-Message Compressed bit of RFC 7692 section 6.
 */
export function frameHeaderBits(bytes: Uint8Array, options: { deflate?: boolean } = {}): HeaderBit[] {
  const out: HeaderBit[] = [];
  const bitsOf = (v: number, n: number): string => v.toString(2).padStart(n, '0');
  if (bytes.length >= 1) {
    const b0 = bytes[0]!;
    const fin = b0 >> 7;
    out.push({
      id: 'fin',
      label: 'FIN',
      bitStart: 0,
      bitLength: 1,
      bits: bitsOf(fin, 1),
      value: fin,
      meaning: fin ? 'final fragment' : 'more fragments follow',
    });
    for (let i = 1; i <= 3; i++) {
      const v = (b0 >> (7 - i)) & 1;
      out.push({
        id: `rsv${i}`,
        label: `RSV${i}`,
        bitStart: i,
        bitLength: 1,
        bits: String(v),
        value: v,
        meaning:
          i === 1 && options.deflate === true
            ? v
              ? 'per-message compressed (RFC 7692)'
              : 'not compressed'
            : v
              ? 'set: only valid if an extension defines it'
              : 'not set',
      });
    }
    const op = b0 & 0x0f;
    out.push({
      id: 'opcode',
      label: 'Opcode',
      bitStart: 4,
      bitLength: 4,
      bits: bitsOf(op, 4),
      value: op,
      meaning: opcodeName(op),
    });
  }
  if (bytes.length >= 2) {
    const b1 = bytes[1]!;
    const mask = b1 >> 7;
    const len = b1 & 0x7f;
    out.push({
      id: 'mask',
      label: 'MASK',
      bitStart: 8,
      bitLength: 1,
      bits: String(mask),
      value: mask,
      meaning: mask ? 'payload is masked (client to server)' : 'payload is not masked',
    });
    out.push({
      id: 'payload-len',
      label: 'Payload length',
      bitStart: 9,
      bitLength: 7,
      bits: bitsOf(len, 7),
      value: len,
      meaning:
        len === 126
          ? 'the next 2 bytes hold the length'
          : len === 127
            ? 'the next 8 bytes hold the length'
            : `${len} bytes`,
    });
  }
  return out;
}
