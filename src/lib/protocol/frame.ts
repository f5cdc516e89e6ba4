/**
 * The WebSocket base framing protocol (RFC 6455 section 5.2):
 *
 *   byte 0: FIN | RSV1 | RSV2 | RSV3 | opcode (4 bits)
 *   byte 1: MASK | payload length (7 bits: 0-125, or 126 -> 16-bit, 127 -> 64-bit follows)
 *   then:   extended payload length (0, 2 or 8 bytes, network byte order)
 *   then:   masking key (4 bytes, only if MASK is set)
 *   then:   payload (masked with the key, section 5.3)
 *
 * The parser runs in four named steps, exported one by one because the lessons animate them:
 * parseHeader -> parseExtendedLength -> parseMaskKey -> parsePayload. `decodeFrame` does the same checks
 * in one inlined pass without allocating anything it does not return; that is the path the server and
 * the benchmark use.
 */
import {
  CONTROL_OPCODE_BIT,
  FIN_BIT,
  LENGTH_16_MARKER,
  LENGTH_64_MARKER,
  LENGTH_BITS,
  MASK_BIT,
  MASK_KEY_LENGTH,
  MAX_16BIT_LENGTH,
  MAX_7BIT_LENGTH,
  MAX_CONTROL_PAYLOAD,
  OPCODE_BITS,
  OPCODE_NAMES,
  Opcode,
  RSV1,
} from './constants.ts';
import { ProtocolError } from './errors.ts';
import { parseCloseBody } from './close.ts';
import { encodeUtf8 } from './utf8.ts';

export interface Frame {
  fin: boolean;
  /** RSV1..RSV3 as a 3-bit number (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  rsv: number;
  opcode: number;
  masked: boolean;
  maskKey: Uint8Array | undefined;
  payloadLength: number;
  /**
   * The application data, unmasked. For an unmasked frame this is a view into the input (no copy);
   * for a masked frame it is a fresh buffer, the input is never modified.
   */
  payload: Uint8Array;
}

export interface DecodeOptions {
  /** Largest payload accepted (bytes); above it MESSAGE_TOO_BIG / 1009 (section 10.4). Default: no limit. */
  maxPayload?: number;
  /**
   * Role check of section 5.1. true: we are a server, every frame must be masked.
   * false: we are a client, no frame may be masked. undefined: accept both (an inspector).
   */
  requireMask?: boolean | undefined;
  /** RSV bits a negotiated extension defines (bitmask, RSV1 = 4), or true for all. Default: none. */
  allowRsv?: number | boolean;
  /**
   * permessage-deflate was negotiated (RFC 7692): RSV1 marks the first frame of a compressed message,
   * and on a control frame or a continuation frame it fails the connection with 1002 (section 6).
   */
  deflate?: boolean;
  /** Check the body of close frames (sections 5.5.1, 7.4). Default true. */
  validateClose?: boolean;
}

export interface DecodeResult {
  frame: Frame;
  bytesUsed: number;
}

const NO_OPTIONS: DecodeOptions = {};

/** True for the opcodes that RFC 6455 section 5.2 defines; 3-7 and 0xB-0xF are reserved. */
export function isKnownOpcode(opcode: number): boolean {
  return opcode <= 2 || (opcode >= 8 && opcode <= 10);
}

/** RFC 6455 section 5.5: control frames are the opcodes with the most significant bit set. */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & CONTROL_OPCODE_BIT) !== 0;
}

export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? (opcode < 8 ? 'reserved (non-control)' : 'reserved (control)');
}

function allowedRsv(options: DecodeOptions): number {
  const a = options.allowRsv;
  return a === true ? 7 : typeof a === 'number' ? a & 7 : 0;
}

function err(
  message: string,
  code: ProtocolError['code'],
  section: string,
  offset: number,
  closeCode = 1002,
  rfc: 6455 | 7692 = 6455,
): ProtocolError {
  return new ProtocolError(message, { code, closeCode, section, offset, rfc });
}

/**
 * RFC 7692 section 6: "An endpoint MUST NOT set the 'Per-Message Compressed' bit of control frames and
 * non-first fragments of a data message", and one that receives such a frame fails the connection.
 * Returns the RSV bits this byte 0 may carry.
 */
function deflateRsv(b0: number, offset: number): number {
  const opcode = b0 & OPCODE_BITS;
  if (((b0 >>> 4) & RSV1) === 0) return 0;
  if (opcode === Opcode.Close || opcode === Opcode.Ping || opcode === Opcode.Pong) {
    throw err(
      `RSV1 (per-message compressed) is set on a ${opcodeName(opcode)} frame; control frames are never compressed`,
      'COMPRESSED_CONTROL',
      '6',
      offset,
      1002,
      7692,
    );
  }
  if (opcode === Opcode.Continuation) {
    throw err(
      'RSV1 (per-message compressed) is set on a continuation frame; only the first frame of a message carries it',
      'COMPRESSED_CONTINUATION',
      '6',
      offset,
      1002,
      7692,
    );
  }
  return RSV1;
}

/** Checks on byte 0 (section 5.2 RSV and opcode; section 5.5 control frames not fragmented). */
function checkByte0(b0: number, offset: number, options: DecodeOptions): void {
  const rsv = (b0 >>> 4) & 7;
  const allowed = allowedRsv(options) | (options.deflate === true ? deflateRsv(b0, offset) : 0);
  if ((rsv & ~allowed) !== 0) {
    throw err(
      `RSV bits ${rsv.toString(2).padStart(3, '0')} set but no extension defines them`,
      'RSV_SET',
      '5.2',
      offset,
    );
  }
  const opcode = b0 & OPCODE_BITS;
  if (!isKnownOpcode(opcode)) {
    throw err(`Opcode 0x${opcode.toString(16)} is reserved`, 'RESERVED_OPCODE', '5.2', offset);
  }
  if (opcode >= CONTROL_OPCODE_BIT && (b0 & FIN_BIT) === 0) {
    throw err(
      `A ${opcodeName(opcode)} frame (control) must not be fragmented`,
      'CONTROL_FRAGMENTED',
      '5.5',
      offset,
    );
  }
}

/** Checks on byte 1 (section 5.1 masking by role; section 5.5 control payload at most 125). */
function checkByte1(b0: number, b1: number, offset: number, options: DecodeOptions): void {
  const masked = (b1 & MASK_BIT) !== 0;
  if (options.requireMask === true && !masked) {
    throw err('A server must fail on an unmasked client frame', 'UNMASKED_CLIENT_FRAME', '5.1', offset + 1);
  }
  if (options.requireMask === false && masked) {
    throw err('A client must fail on a masked server frame', 'MASKED_SERVER_FRAME', '5.1', offset + 1);
  }
  if ((b0 & CONTROL_OPCODE_BIT) !== 0 && (b1 & LENGTH_BITS) > MAX_CONTROL_PAYLOAD) {
    throw err(
      `A ${opcodeName(b0 & OPCODE_BITS)} frame (control) carries at most 125 payload bytes`,
      'CONTROL_TOO_LONG',
      '5.5',
      offset + 1,
    );
  }
}

function checkMaxPayload(length: number, offset: number, options: DecodeOptions): void {
  const max = options.maxPayload;
  if (max !== undefined && length > max) {
    throw err(
      `Payload of ${length} bytes exceeds the limit of ${max}`,
      'MESSAGE_TOO_BIG',
      '10.4',
      offset,
      1009,
    );
  }
}

/**
 * The 8-byte length: section 5.2 says the most significant bit must be 0, and the minimal encoding
 * must be used. Lengths beyond 2^53 cannot be represented here and could never be buffered anyway.
 */
function length64(bytes: Uint8Array, p: number, options: DecodeOptions): number {
  const hi = ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0;
  const lo = ((bytes[p + 4]! << 24) | (bytes[p + 5]! << 16) | (bytes[p + 6]! << 8) | bytes[p + 7]!) >>> 0;
  if (hi >= 0x80000000) {
    throw err('The most significant bit of a 64-bit length must be 0', 'LENGTH_MSB_SET', '5.2', p);
  }
  if (hi >= 0x200000) {
    throw err('Payload length above 2^53 bytes', 'MESSAGE_TOO_BIG', '10.4', p, 1009);
  }
  const length = hi * 0x100000000 + lo;
  if (length <= MAX_16BIT_LENGTH) {
    throw err(
      `Length ${length} fits in 16 bits; the 64-bit form is not minimal`,
      'NON_MINIMAL_LENGTH',
      '5.2',
      p,
    );
  }
  checkMaxPayload(length, p, options);
  return length;
}

function length16(bytes: Uint8Array, p: number, options: DecodeOptions): number {
  const length = (bytes[p]! << 8) | bytes[p + 1]!;
  if (length <= MAX_7BIT_LENGTH) {
    throw err(
      `Length ${length} fits in 7 bits; the 16-bit form is not minimal`,
      'NON_MINIMAL_LENGTH',
      '5.2',
      p,
    );
  }
  checkMaxPayload(length, p, options);
  return length;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Small and medium payloads are carved out of a shared slab (like Node's Buffer pool) instead of one
 * allocation each: a fresh zero-filled buffer per frame dominated the cost of 1 KiB frames. Offsets
 * stay 8-byte aligned so the slab's Uint32Array view can XOR whole words. A payload view keeps its
 * slab alive; large payloads get their own buffer.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PAYLOAD = 4 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabWords = new Uint32Array(slab.buffer);
let slabUsed = 0;

function slabAlloc(length: number): number {
  if (slabUsed + length > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabWords = new Uint32Array(slab.buffer);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = (at + length + 7) & ~7;
  return at;
}

/**
 * XOR `length` bytes of `src` from `start` with the 4-byte key (section 5.3: octet i is XORed with
 * key[i mod 4]) into a new buffer; the input is left untouched. Tiny payloads go byte by byte; longer
 * ones are copied with one memcpy and XORed a 32-bit word at a time on the aligned output.
 */
export function unmaskCopy(
  src: Uint8Array,
  start: number,
  length: number,
  key: Uint8Array,
  keyStart = 0,
): Uint8Array {
  const k0 = key[keyStart]!;
  const k1 = key[keyStart + 1]!;
  const k2 = key[keyStart + 2]!;
  const k3 = key[keyStart + 3]!;
  if (length < 32) {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const s = src[start + i]!;
      const k = (i & 3) === 0 ? k0 : (i & 3) === 1 ? k1 : (i & 3) === 2 ? k2 : k3;
      out[i] = s ^ k;
    }
    return out;
  }
  let bytes: Uint8Array;
  let words: Uint32Array;
  let at: number;
  if (length <= SLAB_MAX_PAYLOAD) {
    at = slabAlloc(length);
    bytes = slab;
    words = slabWords;
  } else {
    // Not src.slice(): on a Node Buffer that is a view, not a copy, and we must not touch the input.
    bytes = new Uint8Array(length);
    words = new Uint32Array(bytes.buffer, 0, length >>> 2);
    at = 0;
  }
  bytes.set(src.subarray(start, start + length), at);
  const key32 = LITTLE_ENDIAN
    ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0
    : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
  const w0 = at >>> 2;
  const w1 = w0 + (length >>> 2);
  for (let i = w0; i < w1; i++) words[i]! ^= key32;
  for (let i = length & ~3; i < length; i++) {
    bytes[at + i]! ^= (i & 3) === 0 ? k0 : (i & 3) === 1 ? k1 : (i & 3) === 2 ? k2 : k3;
  }
  return at === 0 && bytes.length === length ? bytes : bytes.subarray(at, at + length);
}

/** Mask or unmask in place (the operation is its own inverse, section 5.3). */
export function applyMask(data: Uint8Array, key: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i++) data[i]! ^= key[i & 3]!;
  return data;
}

/**
 * Decode one frame starting at `offset`. Returns null when `bytes` ends before the frame does (feed
 * more), throws ProtocolError when the bytes break RFC 6455. The fast path: no annotations, no
 * DataView, unmasked payloads are views, masked payloads are unmasked into one new buffer.
 */
export function decodeFrame(
  bytes: Uint8Array,
  offset = 0,
  options: DecodeOptions = NO_OPTIONS,
): DecodeResult | null {
  const available = bytes.length - offset;
  if (available < 2) {
    // Fail as early as the bytes allow: a lone first byte can already break the rules of byte 0.
    if (available === 1) checkByte0(bytes[offset]!, offset, options);
    return null;
  }
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  // The two header bytes are checked together: one branch for the common valid case.
  if ((b0 & 0x70) !== 0 || !isKnownOpcode(b0 & OPCODE_BITS) || (b0 & CONTROL_OPCODE_BIT) !== 0) {
    checkByte0(b0, offset, options);
  }
  checkByte1(b0, b1, offset, options);

  let p = offset + 2;
  let length = b1 & LENGTH_BITS;
  if (length === LENGTH_16_MARKER) {
    if (available < 4) return null;
    length = length16(bytes, p, options);
    p += 2;
  } else if (length === LENGTH_64_MARKER) {
    if (available < 10) return null;
    length = length64(bytes, p, options);
    p += 8;
  } else if (options.maxPayload !== undefined) {
    checkMaxPayload(length, offset + 1, options);
  }

  const masked = (b1 & MASK_BIT) !== 0;
  let maskKey: Uint8Array | undefined;
  if (masked) {
    if (bytes.length < p + MASK_KEY_LENGTH) return null;
    maskKey = bytes.subarray(p, p + MASK_KEY_LENGTH);
    p += MASK_KEY_LENGTH;
  }
  const end = p + length;
  if (bytes.length < end) return null;
  const payload = masked ? unmaskCopy(bytes, p, length, bytes, p - MASK_KEY_LENGTH) : bytes.subarray(p, end);
  const opcode = b0 & OPCODE_BITS;
  if (opcode === Opcode.Close && options.validateClose !== false) {
    const body = parseCloseBody(payload);
    if (!body.ok) throw body.error.shifted(p);
  }
  return {
    frame: {
      fin: (b0 & FIN_BIT) !== 0,
      rsv: (b0 >>> 4) & 7,
      opcode,
      masked,
      maskKey,
      payloadLength: length,
      payload,
    },
    bytesUsed: end - offset,
  };
}

// ---------------------------------------------------------------------------------------------------
// The same parse as named steps, for the lessons and for annotation.

export interface FrameHeader {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The 7-bit length field as sent: 0-125, 126 or 127. */
  length7: number;
  /** Size of the extended length field that follows: 0, 2 or 8 bytes. */
  extendedLengthSize: 0 | 2 | 8;
}

/** Step 1: the two fixed header bytes. null if fewer than 2 bytes are available. */
export function parseHeader(
  bytes: Uint8Array,
  offset = 0,
  options: DecodeOptions = NO_OPTIONS,
): FrameHeader | null {
  if (bytes.length - offset < 2) return null;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  checkByte0(b0, offset, options);
  checkByte1(b0, b1, offset, options);
  const length7 = b1 & LENGTH_BITS;
  return {
    fin: (b0 & FIN_BIT) !== 0,
    rsv: (b0 >>> 4) & 7,
    opcode: b0 & OPCODE_BITS,
    masked: (b1 & MASK_BIT) !== 0,
    length7,
    extendedLengthSize: length7 === LENGTH_16_MARKER ? 2 : length7 === LENGTH_64_MARKER ? 8 : 0,
  };
}

/**
 * Step 2: the payload length, reading the extended field at `offset` (the byte after the header) when
 * the 7-bit field says 126 or 127. null if the field is not all there yet.
 */
export function parseExtendedLength(
  bytes: Uint8Array,
  offset: number,
  header: FrameHeader,
  options: DecodeOptions = NO_OPTIONS,
): { payloadLength: number; size: number } | null {
  if (header.extendedLengthSize === 0) {
    checkMaxPayload(header.length7, offset - 1, options);
    return { payloadLength: header.length7, size: 0 };
  }
  if (bytes.length - offset < header.extendedLengthSize) return null;
  const payloadLength =
    header.extendedLengthSize === 2 ? length16(bytes, offset, options) : length64(bytes, offset, options);
  return { payloadLength, size: header.extendedLengthSize };
}

/** Step 3: the masking key at `offset`: undefined for an unmasked frame, null if not all there yet. */
export function parseMaskKey(
  bytes: Uint8Array,
  offset: number,
  header: FrameHeader,
): Uint8Array | undefined | null {
  if (!header.masked) return undefined;
  if (bytes.length - offset < MASK_KEY_LENGTH) return null;
  return bytes.slice(offset, offset + MASK_KEY_LENGTH);
}

/** Step 4: the payload at `offset`, unmasked into a new buffer. null if not all there yet. */
export function parsePayload(
  bytes: Uint8Array,
  offset: number,
  payloadLength: number,
  maskKey: Uint8Array | undefined,
): Uint8Array | null {
  if (bytes.length - offset < payloadLength) return null;
  return maskKey
    ? unmaskCopy(bytes, offset, payloadLength, maskKey)
    : bytes.slice(offset, offset + payloadLength);
}

/** The ids of the parse steps, in order (lessons key their narration on these). */
export const FRAME_PARSE_STEPS = ['header', 'extended-length', 'mask-key', 'payload'] as const;

// ---------------------------------------------------------------------------------------------------

export interface EncodeFrameInput {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv?: number;
  /** 4-byte masking key: present for a masked (client-to-server) frame, absent for unmasked. */
  mask?: Uint8Array | undefined;
}

/**
 * Encode one frame, always with the shortest length form (section 5.2). The encoder checks the shape
 * (opcode 0-15, rsv 0-7, 4-byte mask) but not the protocol rules, so lessons can build the invalid
 * frames they show being rejected; a strings payload is UTF-8 encoded.
 */
export function encodeFrame({
  opcode,
  payload = new Uint8Array(0),
  fin = true,
  rsv = 0,
  mask,
}: EncodeFrameInput): Uint8Array {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15)
    throw new RangeError(`opcode ${opcode} is not 4 bits`);
  if (!Number.isInteger(rsv) || rsv < 0 || rsv > 7) throw new RangeError(`rsv ${rsv} is not 3 bits`);
  if (mask !== undefined && mask.length !== MASK_KEY_LENGTH) throw new RangeError('mask must be 4 bytes');
  const data = typeof payload === 'string' ? encodeUtf8(payload) : payload;
  const length = data.length;
  const extSize = length <= MAX_7BIT_LENGTH ? 0 : length <= MAX_16BIT_LENGTH ? 2 : 8;
  const maskSize = mask ? MASK_KEY_LENGTH : 0;
  const headerSize = 2 + extSize + maskSize;
  const out = new Uint8Array(headerSize + length);
  out[0] = (fin ? FIN_BIT : 0) | (rsv << 4) | opcode;
  out[1] =
    (mask ? MASK_BIT : 0) | (extSize === 0 ? length : extSize === 2 ? LENGTH_16_MARKER : LENGTH_64_MARKER);
  if (extSize === 2) {
    out[2] = length >>> 8;
    out[3] = length & 0xff;
  } else if (extSize === 8) {
    const hi = Math.floor(length / 0x100000000);
    const lo = length >>> 0;
    for (let i = 0; i < 4; i++) {
      out[2 + i] = (hi >>> (24 - 8 * i)) & 0xff;
      out[6 + i] = (lo >>> (24 - 8 * i)) & 0xff;
    }
  }
  if (mask) {
    out.set(mask, 2 + extSize);
    const masked = unmaskCopy(data, 0, length, mask);
    out.set(masked, headerSize);
  } else {
    out.set(data, headerSize);
  }
  return out;
}

/** Size of the header (bytes 0-1, extended length, mask key) for a payload of `length` bytes. */
export function frameHeaderSize(length: number, masked: boolean): number {
  return (
    2 + (length <= MAX_7BIT_LENGTH ? 0 : length <= MAX_16BIT_LENGTH ? 2 : 8) + (masked ? MASK_KEY_LENGTH : 0)
  );
}
