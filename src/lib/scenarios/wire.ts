/**
 * The scenario machines' bytes, all made by src/lib/protocol: this file only chooses the inputs (fixed
 * keys, fixed clock) and words the one-line summaries the sequence diagram prints on each arrow.
 */
import { Opcode } from '../protocol/constants';
import { encodeCloseBody } from '../protocol/close';
import { encodeFrame } from '../protocol/frame';
import { serializeRequest, serializeResponse } from '../protocol/http';
import { acceptSteps, upgradeRequest, type AcceptSteps } from '../protocol/handshake';
import { httpDate } from '../machines/kit';

export type Header = readonly [name: string, value: string];

/** Fixed inputs: the same bytes every time a lesson is shown. */
export const FIXED = {
  /** RFC 6455 section 1.3's sample nonce, so the lesson's Accept matches the RFC's worked example. */
  key: 'dGhlIHNhbXBsZSBub25jZQ==',
  host: '127.0.0.1:8080',
  origin: 'http://127.0.0.1:8080',
  foreignOrigin: 'https://evil.example',
  /** Masking keys, taken in turn by each masked frame a scenario sends (RFC 6455 section 5.3). */
  masks: [
    [0x37, 0xfa, 0x21, 0x3d],
    [0x9a, 0x1c, 0x5e, 0x04],
    [0x2b, 0x7e, 0x15, 0x16],
    [0xc4, 0x3a, 0x91, 0x6f],
    [0x01, 0x23, 0x45, 0x67],
    [0x5a, 0xa5, 0x3c, 0xc3],
    [0x10, 0x32, 0x54, 0x76],
    [0xde, 0xad, 0xbe, 0xef],
  ],
} as const;

/** The n-th fixed mask key (wraps around). */
export function maskKey(n: number): Uint8Array {
  return Uint8Array.from(FIXED.masks[n % FIXED.masks.length]!);
}

export function httpRequest(
  method: string,
  target: string,
  headers: readonly Header[],
  body?: string,
): Uint8Array {
  return serializeRequest({
    method,
    target,
    headers: headers.map(([name, value]) => ({ name, value })),
    ...(body === undefined ? {} : { body }),
  });
}

export function httpResponse(status: number, headers: readonly Header[], body?: string): Uint8Array {
  return serializeResponse({
    status,
    headers: headers.map(([name, value]) => ({ name, value })),
    ...(body === undefined ? {} : { body }),
  });
}

/**
 * The page's upgrade request for the event stream after id `since` (`/ws/stream?since=N`, RFC 6455
 * section 4.1), with the fixed key and origin: how a page subscribes, or resumes after a reconnect.
 */
export function streamUpgradeRequest(since: number): Uint8Array {
  return serializeRequest(
    upgradeRequest({
      path: `/ws/stream?since=${since}`,
      host: FIXED.host,
      key: FIXED.key,
      origin: FIXED.origin,
    }),
  );
}

/** A GET of JSON from the simulated server: Host, Accept, then `extra` headers. */
export function jsonGet(target: string, ...extra: Header[]): Uint8Array {
  return httpRequest('GET', target, [['Host', FIXED.host], ['Accept', 'application/json'], ...extra]);
}

/** The simulated server's 200 with a JSON body at time t: Date, type and byte length, then `extra`. */
export function jsonOk(t: number, body: string, ...extra: Header[]): Uint8Array {
  const length = new TextEncoder().encode(body).length;
  return httpResponse(
    200,
    [
      ['Date', httpDate(t)],
      ['Content-Type', 'application/json'],
      ['Content-Length', String(length)],
      ...extra,
    ],
    body,
  );
}

/**
 * The derived inputs a handshake needs. SHA-1 comes from Web Crypto, which is asynchronous, while a
 * machine's actions are not: so the Accept values are worked out before the actor starts and passed in
 * as input. The "wrong" value is what a buggy server answers: the Accept of a different key.
 */
// A type, not an interface, so that it is a machine's input as it is (Record<string, unknown>).
export type HandshakeInput = {
  accept: AcceptSteps;
  wrongAccept: string;
};

/** The handshake's part of a machine's context: its input's two Accept values. */
export function handshakeContext(input: HandshakeInput): HandshakeInput {
  return { accept: input.accept, wrongAccept: input.wrongAccept };
}

/** Another valid key, whose Accept a broken server sends back instead. */
export const OTHER_KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';

export async function handshakeInput(key: string = FIXED.key): Promise<HandshakeInput> {
  const [accept, wrong] = await Promise.all([acceptSteps(key), acceptSteps(OTHER_KEY)]);
  return { accept, wrongAccept: wrong.accept };
}

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  /** Index into FIXED.masks for a client frame; leave out for an (unmasked) server frame. */
  mask?: number;
}

export function frame(spec: FrameSpec): Uint8Array {
  return encodeFrame({
    opcode: spec.opcode,
    payload: spec.payload ?? new Uint8Array(0),
    fin: spec.fin ?? true,
    mask: spec.mask === undefined ? undefined : maskKey(spec.mask),
  });
}

export function closeFrame(code: number | undefined, reason: string, mask?: number): Uint8Array {
  return frame({
    opcode: Opcode.Close,
    payload: encodeCloseBody(code, reason),
    ...(mask === undefined ? {} : { mask }),
  });
}
