/**
 * permessage-deflate (RFC 7692): negotiating it in the opening handshake, and compressing and inflating
 * the payload of each message.
 *
 * Negotiation (sections 5 and 7.1). The client offers the extension, possibly several times with
 * different parameters, in order of preference; the server accepts at most one offer by echoing the
 * extension with the parameters it agrees to, or declines them all (the connection then runs without
 * compression). The four parameters:
 *
 *   server_no_context_takeover  the server resets its compressor after every message     (7.1.1.1)
 *   client_no_context_takeover  the client resets its compressor after every message     (7.1.1.2)
 *   server_max_window_bits=N    the server compresses with a window of at most 2^N bytes (7.1.2.1)
 *   client_max_window_bits[=N]  the same for the client; in an offer without a value it
 *                               only says the client can honour a limit                  (7.1.2.2)
 *
 * Payloads (section 7.2). A compressed message has RSV1 ("Per-Message Compressed", section 6) set on its
 * first frame only. The sender compresses the whole message, sync-flushes, and removes the last four
 * octets 00 00 ff ff; the receiver appends them again and inflates. With context takeover each direction
 * keeps one DEFLATE stream for the whole connection, so a message may refer back to earlier ones: the
 * reason the third identical message is smaller than the first.
 */
import {
  CloseCode,
  DEFLATE_TAIL,
  MAX_WINDOW_BITS,
  MIN_WINDOW_BITS,
  PERMESSAGE_DEFLATE,
} from './constants.ts';
import { ProtocolError } from './errors.ts';
import { concatBytes } from './bytes.ts';
import { RawDeflater, RawInflater, type DeflaterOptions } from './deflate.ts';
import {
  formatExtension,
  parseExtensions,
  type ExtensionElement,
  type ExtensionParam,
} from './extensions.ts';

/** One permessage-deflate offer, as a client writes it. */
export interface DeflateOffer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** The server must compress with a window of at most 2^n bytes (8-15); undefined: no limit asked. */
  serverMaxWindowBits: number | undefined;
  /**
   * true: the client can limit its window if the server asks (the parameter without a value); a
   * number: the client will use no more than 2^n bytes; undefined: the server may not ask.
   */
  clientMaxWindowBits: number | true | undefined;
}

/** The agreed parameters (section 7): what both sides use once the handshake is done. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 15 (a 32 KiB window) when the response does not limit it. */
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** What one direction of a connection compresses with. */
export interface DeflateDirection {
  windowBits: number;
  /** Reset the DEFLATE stream after every message. */
  noContextTakeover: boolean;
}

export type Role = 'client' | 'server';

/** Why an offer or a response cannot be used, with the section of RFC 7692 that says so. */
export interface DeflateRefusal {
  reason: string;
  section: string;
}

type Read<T> = ({ ok: true } & T) | ({ ok: false } & DeflateRefusal);

/** RFC 7692 section 7.1.2: "a decimal integer value without leading zeroes between 8 to 15". */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

const PARAM_NAMES = [
  'server_no_context_takeover',
  'client_no_context_takeover',
  'server_max_window_bits',
  'client_max_window_bits',
] as const;

const PARAM_SECTION: Record<(typeof PARAM_NAMES)[number], string> = {
  server_no_context_takeover: '7.1.1.1',
  client_no_context_takeover: '7.1.1.2',
  server_max_window_bits: '7.1.2.1',
  client_max_window_bits: '7.1.2.2',
};

function isParamName(name: string): name is (typeof PARAM_NAMES)[number] {
  return (PARAM_NAMES as readonly string[]).includes(name);
}

/**
 * The parameters of one permessage-deflate element, checked against section 7: only the four names,
 * each at most once, with the value each one allows. In a response every window size needs a value.
 */
export function readDeflateParams(
  params: readonly ExtensionParam[],
  kind: 'offer' | 'response',
): Read<{ offer: DeflateOffer }> {
  const offer: DeflateOffer = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const { name, value } of params) {
    if (!isParamName(name)) {
      return { ok: false, reason: `unknown parameter "${name}"`, section: '7' };
    }
    if (seen.has(name)) return { ok: false, reason: `"${name}" appears twice`, section: '7' };
    seen.add(name);
    const section = PARAM_SECTION[name];
    if (name === 'server_no_context_takeover' || name === 'client_no_context_takeover') {
      if (value !== undefined) return { ok: false, reason: `"${name}" takes no value`, section };
      if (name === 'server_no_context_takeover') offer.serverNoContextTakeover = true;
      else offer.clientNoContextTakeover = true;
      continue;
    }
    if (value === undefined) {
      // Only an offer's client_max_window_bits may come without a value.
      if (name === 'client_max_window_bits' && kind === 'offer') {
        offer.clientMaxWindowBits = true;
        continue;
      }
      return { ok: false, reason: `"${name}" needs a value from 8 to 15`, section };
    }
    if (!WINDOW_BITS.test(value)) {
      return { ok: false, reason: `"${name}=${value}" is not a number from 8 to 15`, section };
    }
    if (name === 'server_max_window_bits') offer.serverMaxWindowBits = Number(value);
    else offer.clientMaxWindowBits = Number(value);
  }
  return { ok: true, offer };
}

function elementsOf(header: string | readonly string[] | readonly ExtensionElement[]): ExtensionElement[] {
  if (typeof header === 'string') return parseExtensions(header);
  if (header.length > 0 && typeof header[0] !== 'string') return [...(header as ExtensionElement[])];
  return parseExtensions(header as readonly string[]);
}

/** An offer as it goes in the client's Sec-WebSocket-Extensions; by default what browsers send. */
export function formatDeflateOffer(offer: Partial<DeflateOffer> = { clientMaxWindowBits: true }): string {
  const params: ExtensionParam[] = [];
  if (offer.serverNoContextTakeover) params.push({ name: 'server_no_context_takeover', value: undefined });
  if (offer.clientNoContextTakeover) params.push({ name: 'client_no_context_takeover', value: undefined });
  if (offer.serverMaxWindowBits !== undefined)
    params.push({ name: 'server_max_window_bits', value: String(offer.serverMaxWindowBits) });
  if (offer.clientMaxWindowBits !== undefined) {
    const value = offer.clientMaxWindowBits === true ? undefined : String(offer.clientMaxWindowBits);
    params.push({ name: 'client_max_window_bits', value });
  }
  return formatExtension({ name: PERMESSAGE_DEFLATE, params });
}

/** The agreed parameters as the server's response element. */
export function formatDeflateResponse(
  params: DeflateParams,
  include: { serverWindow: boolean; clientWindow: boolean },
): string {
  const out: ExtensionParam[] = [];
  if (params.serverNoContextTakeover) out.push({ name: 'server_no_context_takeover', value: undefined });
  if (params.clientNoContextTakeover) out.push({ name: 'client_no_context_takeover', value: undefined });
  if (include.serverWindow)
    out.push({ name: 'server_max_window_bits', value: String(params.serverMaxWindowBits) });
  if (include.clientWindow)
    out.push({ name: 'client_max_window_bits', value: String(params.clientMaxWindowBits) });
  return formatExtension({ name: PERMESSAGE_DEFLATE, params: out });
}

// ---------------------------------------------------------------------------------------------------
// The server's choice (section 7.1)

/** What a server is willing to do. Every field is optional; the defaults accept the common offers. */
export interface DeflatePolicy {
  /** Reset our compressor after every message (answer server_no_context_takeover). Default false. */
  serverNoContextTakeover?: boolean;
  /** Ask the client to reset its compressor after every message. Default false. */
  clientNoContextTakeover?: boolean;
  /**
   * The largest window we compress with, 9-15. Default 15. Below 15 it is announced even when the offer
   * did not ask (section 7.1.2.1 allows it). 8 is not accepted: zlib compresses with at least 512 bytes.
   */
  serverMaxWindowBits?: number;
  /** Ask the client to use at most 2^n bytes, where its offer lets us ask (section 7.1.2.2). */
  clientMaxWindowBits?: number;
}

export interface DeflateAgreement {
  params: DeflateParams;
  /** The element the server puts in its Sec-WebSocket-Extensions. */
  response: string;
  /** Index, among all elements of the request's header, of the offer accepted. */
  index: number;
}

export interface DeclinedOffer extends DeflateRefusal {
  index: number;
  /** The element as the client wrote it. */
  text: string;
}

export interface DeflateNegotiation {
  /** The offer accepted, or undefined: the connection runs uncompressed. */
  accepted: DeflateAgreement | undefined;
  /** Every element looked at and not taken, with why (other extensions too: we speak none of them). */
  declined: DeclinedOffer[];
}

function checkPolicy(policy: DeflatePolicy): void {
  const bits = policy.serverMaxWindowBits;
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 9 || bits > MAX_WINDOW_BITS))
    throw new RangeError(`serverMaxWindowBits must be 9-15, not ${bits}`);
  const client = policy.clientMaxWindowBits;
  if (
    client !== undefined &&
    (!Number.isInteger(client) || client < MIN_WINDOW_BITS || client > MAX_WINDOW_BITS)
  )
    throw new RangeError(`clientMaxWindowBits must be 8-15, not ${client}`);
}

/** The server's answer to one valid offer, or why it declines it. */
function answerOffer(
  offer: DeflateOffer,
  policy: DeflatePolicy,
): Read<{ agreement: Omit<DeflateAgreement, 'index'> }> {
  const own = policy.serverMaxWindowBits ?? MAX_WINDOW_BITS;
  let serverBits = own;
  if (offer.serverMaxWindowBits !== undefined) {
    // Section 7.1.2.1: accept with "the same or smaller value as the offer".
    serverBits = Math.min(own, offer.serverMaxWindowBits);
    if (serverBits < 9) {
      return {
        ok: false,
        reason: 'server_max_window_bits=8 asks for a 256-byte window; zlib compresses with at least 512',
        section: '7.1.2.1',
      };
    }
  }
  let clientBits = MAX_WINDOW_BITS;
  let clientWindow = false;
  if (offer.clientMaxWindowBits !== undefined) {
    // Section 7.1.2.2: we may answer with a limit only if the offer has the parameter, and with a value
    // no larger than the one it gave. Echoing the client's own value lets us keep a smaller window.
    const asked = policy.clientMaxWindowBits;
    const offered = offer.clientMaxWindowBits === true ? MAX_WINDOW_BITS : offer.clientMaxWindowBits;
    if (asked !== undefined || offer.clientMaxWindowBits !== true) {
      clientBits = Math.min(offered, asked ?? MAX_WINDOW_BITS);
      clientWindow = true;
    }
  }
  const params: DeflateParams = {
    // Section 7.1.1.1: an offer with server_no_context_takeover is accepted only by answering with it.
    serverNoContextTakeover: offer.serverNoContextTakeover || policy.serverNoContextTakeover === true,
    // Section 7.1.1.2: the client's own hint is echoed, so we can drop our inflater's window too.
    clientNoContextTakeover: offer.clientNoContextTakeover || policy.clientNoContextTakeover === true,
    serverMaxWindowBits: serverBits,
    clientMaxWindowBits: clientBits,
  };
  const serverWindow = offer.serverMaxWindowBits !== undefined || serverBits < MAX_WINDOW_BITS;
  return {
    ok: true,
    agreement: { params, response: formatDeflateResponse(params, { serverWindow, clientWindow }) },
  };
}

/**
 * Section 7: take the client's offers in order and accept the first one the server can serve; an offer
 * with unknown, repeated or invalid parameters is declined, never an error (the handshake goes on
 * without compression). A header that does not parse throws HttpError BAD_HEADER (400).
 */
export function negotiateDeflate(
  header: string | readonly string[] | readonly ExtensionElement[],
  policy: DeflatePolicy = {},
): DeflateNegotiation {
  checkPolicy(policy);
  const declined: DeclinedOffer[] = [];
  const elements = elementsOf(header);
  for (const [index, element] of elements.entries()) {
    if (element.name !== PERMESSAGE_DEFLATE) {
      declined.push({
        index,
        text: element.text,
        reason: `"${element.name}" is not spoken here`,
        section: '5',
      });
      continue;
    }
    const read = readDeflateParams(element.params, 'offer');
    const answer = read.ok ? answerOffer(read.offer, policy) : read;
    if (!answer.ok) {
      declined.push({ index, text: element.text, reason: answer.reason, section: answer.section });
      continue;
    }
    return { accepted: { ...answer.agreement, index }, declined };
  }
  return { accepted: undefined, declined };
}

// ---------------------------------------------------------------------------------------------------
// The client's check of the response (sections 5 and 7)

export type DeflateResponseCheck =
  /** params undefined: the server declined; the connection runs uncompressed. */
  | { ok: true; params: DeflateParams | undefined; offer: number | undefined }
  | ({ ok: false } & DeflateRefusal);

/** Whether a valid response fits one offer; a refusal says why not. */
function fitsOffer(response: DeflateOffer, offer: DeflateOffer): DeflateRefusal | undefined {
  if (offer.serverNoContextTakeover && !response.serverNoContextTakeover) {
    return {
      reason: 'the offer asked for server_no_context_takeover and the response lacks it',
      section: '7.1.1.1',
    };
  }
  const asked = offer.serverMaxWindowBits;
  if (
    asked !== undefined &&
    (response.serverMaxWindowBits === undefined || response.serverMaxWindowBits > asked)
  ) {
    return {
      reason: `the offer limited the server to server_max_window_bits=${asked}; the response says ${response.serverMaxWindowBits ?? 'nothing'}`,
      section: '7.1.2.1',
    };
  }
  const client = response.clientMaxWindowBits;
  if (client !== undefined) {
    if (offer.clientMaxWindowBits === undefined) {
      return {
        reason: 'client_max_window_bits in the response, but the offer did not allow it',
        section: '7.1.2.2',
      };
    }
    if (typeof offer.clientMaxWindowBits === 'number' && (client as number) > offer.clientMaxWindowBits) {
      return {
        reason: `client_max_window_bits=${String(client)} is larger than the ${offer.clientMaxWindowBits} offered`,
        section: '7.1.2.2',
      };
    }
  }
  return undefined;
}

/**
 * The client's side of section 7: check the server's Sec-WebSocket-Extensions against what was offered.
 * A refusal means the client must fail the WebSocket connection. `offers` is the client's own header
 * value (or its lines); the response may be absent.
 */
export function acceptDeflateResponse(
  response: string | readonly string[] | undefined,
  offers: string | readonly string[],
): DeflateResponseCheck {
  if (response === undefined || (typeof response !== 'string' && response.length === 0)) {
    return { ok: true, params: undefined, offer: undefined };
  }
  let elements: ExtensionElement[];
  try {
    elements = parseExtensions(response);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e), section: '5' };
  }
  const offered = parseExtensions(offers)
    .map((element, index) => ({ element, index }))
    .filter(({ element }) => element.name === PERMESSAGE_DEFLATE);
  const ours = elements.filter((e) => e.name === PERMESSAGE_DEFLATE);
  const foreign = elements.find((e) => e.name !== PERMESSAGE_DEFLATE);
  if (foreign) return { ok: false, reason: `"${foreign.name}" was never offered`, section: '5' };
  if (ours.length === 0) return { ok: true, params: undefined, offer: undefined };
  if (offered.length === 0)
    return { ok: false, reason: 'permessage-deflate was never offered', section: '5' };
  // Section 5: two extensions may not both use RSV1, so the server accepts at most one offer.
  if (ours.length > 1)
    return { ok: false, reason: 'permessage-deflate accepted more than once', section: '5' };
  const read = readDeflateParams(ours[0]!.params, 'response');
  if (!read.ok) return read;
  let first: DeflateRefusal | undefined;
  for (const { element, index } of offered) {
    const offer = readDeflateParams(element.params, 'offer');
    if (!offer.ok) continue;
    const refusal = fitsOffer(read.offer, offer.offer);
    if (refusal) {
      first ??= refusal;
      continue;
    }
    const r = read.offer;
    return {
      ok: true,
      offer: index,
      params: {
        serverNoContextTakeover: r.serverNoContextTakeover,
        clientNoContextTakeover: r.clientNoContextTakeover,
        // Section 7.1.2: an absent parameter means a window of up to 32,768 bytes.
        serverMaxWindowBits: r.serverMaxWindowBits ?? MAX_WINDOW_BITS,
        clientMaxWindowBits:
          typeof r.clientMaxWindowBits === 'number' ? r.clientMaxWindowBits : MAX_WINDOW_BITS,
      },
    };
  }
  return { ok: false, ...(first ?? { reason: 'no valid offer matches the response', section: '7' }) };
}

/** Which parameters each direction uses: what `role` sends, and what it receives. */
export function deflateDirections(
  params: DeflateParams,
  role: Role,
): { send: DeflateDirection; receive: DeflateDirection } {
  const server = {
    windowBits: params.serverMaxWindowBits,
    noContextTakeover: params.serverNoContextTakeover,
  };
  const client = {
    windowBits: params.clientMaxWindowBits,
    noContextTakeover: params.clientNoContextTakeover,
  };
  return role === 'server' ? { send: server, receive: client } : { send: client, receive: server };
}

// ---------------------------------------------------------------------------------------------------
// Payloads (section 7.2)

const TAIL = Uint8Array.from(DEFLATE_TAIL);

function endsWithTail(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 4 && bytes[n - 4] === 0 && bytes[n - 3] === 0 && bytes[n - 2] === 0xff && bytes[n - 1] === 0xff;
}

/** One direction's compressor: whole messages in, payloads of compressed messages out. */
export class MessageDeflater {
  private readonly deflater: RawDeflater;

  constructor(
    readonly direction: DeflateDirection,
    options: Omit<DeflaterOptions, 'windowBits'> = {},
  ) {
    this.deflater = new RawDeflater({ ...options, windowBits: direction.windowBits });
  }

  /** Section 7.2.1: compress, flush, and remove the 00 00 ff ff that ends the flush. */
  compress(message: Uint8Array): Uint8Array {
    const out = this.deflater.flush(message);
    if (this.direction.noContextTakeover) this.deflater.reset();
    // With nothing to flush (an empty message right after another flush) zlib writes nothing; the
    // payload is then the first octet of an empty stored block, which the tail appended on the other
    // side completes (section 7.2.1 step 2).
    if (out.length === 0) return Uint8Array.of(0x00);
    if (!endsWithTail(out)) throw new Error('a sync flush must end with 00 00 ff ff');
    return out.subarray(0, out.length - 4);
  }

  close(): void {
    this.deflater.close();
  }
}

export interface InflaterLimits {
  /** Largest inflated message; beyond it MESSAGE_TOO_BIG (1009), RFC 6455 section 10.4. */
  maxMessageSize?: number;
}

/**
 * One direction's decompressor. Frames of a compressed message are pushed as they arrive; each returns
 * the bytes it inflated to. Inflation is bounded: past `maxMessageSize` it stops with MESSAGE_TOO_BIG
 * (1009) without inflating the rest of the input (a decompression bomb costs no more than the limit).
 * Bytes that are not DEFLATE fail with INVALID_COMPRESSED_DATA (1007, as ws closes). After an error the
 * inflater stays failed: the connection must be failed (RFC 6455 section 7.1.7).
 */
export class MessageInflater {
  private readonly inflater: RawInflater;
  readonly maxMessageSize: number;
  private size = 0;
  private failure: ProtocolError | undefined;

  constructor(
    readonly direction: DeflateDirection,
    limits: InflaterLimits = {},
  ) {
    this.inflater = new RawInflater({ windowBits: direction.windowBits });
    this.maxMessageSize = limits.maxMessageSize ?? Number.MAX_SAFE_INTEGER;
  }

  /** Bytes inflated so far for the message in progress. */
  get messageSize(): number {
    return this.size;
  }

  /** The error that stopped this inflater, if any. */
  get error(): ProtocolError | undefined {
    return this.failure;
  }

  /**
   * One frame's payload of a compressed message; `fin` on its last frame, which appends the tail
   * (section 7.2.2) and, without context takeover, forgets the window. `payloadOffset` (where the
   * payload sits in the stream) places errors.
   */
  push(payload: Uint8Array, fin: boolean, payloadOffset = 0): Uint8Array {
    if (this.failure) throw this.failure;
    const first = this.write(payload, payloadOffset);
    if (!fin) return first;
    const last = this.write(TAIL, payloadOffset + payload.length);
    this.size = 0;
    if (this.direction.noContextTakeover) this.inflater.reset();
    return last.length === 0 ? first : concatBytes([first, last]);
  }

  /** A whole single-frame message. */
  inflate(payload: Uint8Array): Uint8Array {
    return this.push(payload, true);
  }

  private write(bytes: Uint8Array, offset: number): Uint8Array {
    const result = this.inflater.write(bytes, this.maxMessageSize - this.size);
    this.size += result.output.length;
    const failure = result.failure;
    if (!failure) return result.output;
    const at = offset + Math.min(failure.inputOffset, bytes === TAIL ? 0 : bytes.length);
    this.failure =
      failure.kind === 'limit'
        ? new ProtocolError(
            `The message inflates to more than ${this.maxMessageSize} bytes; inflating stopped there`,
            { code: 'MESSAGE_TOO_BIG', closeCode: CloseCode.MessageTooBig, section: '10.4', offset: at },
          )
        : new ProtocolError(`The compressed data is not valid DEFLATE (${failure.message})`, {
            code: 'INVALID_COMPRESSED_DATA',
            closeCode: CloseCode.InvalidPayload,
            section: '7.2.2',
            rfc: 7692,
            offset: at,
          });
    throw this.failure;
  }

  close(): void {
    this.inflater.close();
  }
}

/** Section 7.2.1 in one call: the payload of `message` compressed on its own (no earlier context). */
export function compressMessage(
  message: Uint8Array,
  options: Partial<DeflateDirection> & DeflaterOptions = {},
): Uint8Array {
  const deflater = new MessageDeflater(
    { windowBits: options.windowBits ?? MAX_WINDOW_BITS, noContextTakeover: true },
    options,
  );
  try {
    return deflater.compress(message);
  } finally {
    deflater.close();
  }
}

/** Section 7.2.2 in one call: inflate one message's payload with no earlier context, bounded. */
export function decompressMessage(
  payload: Uint8Array,
  options: Partial<DeflateDirection> & InflaterLimits = {},
): Uint8Array {
  const inflater = new MessageInflater(
    { windowBits: options.windowBits ?? MAX_WINDOW_BITS, noContextTakeover: true },
    options,
  );
  try {
    return inflater.inflate(payload);
  } finally {
    inflater.close();
  }
}
