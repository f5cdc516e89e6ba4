/**
 * permessage-deflate (RFC 7692) for a ConnectionReader: at the 101, read what the handshake agreed and
 * give each direction its frame hooks, so compressed frames are read as such (RSV1 on the first frame
 * of a compressed message, 1002 on a control or continuation frame, section 6) and each compressed
 * message is inflated with its sender's window and context takeover (section 7.2.2), bounded.
 */
import { Opcode } from './constants.ts';
import type { FrameHooks, WireDirection } from './connection.ts';
import type { Frame } from './frame.ts';
import { concatBytes } from './bytes.ts';
import { getHeader, type HttpRequest, type HttpResponse } from './http/index.ts';
import { acceptDeflateResponse, deflateDirections, MessageInflater } from './permessageDeflate.ts';

export interface DeflateHookLimits {
  /** Largest message each direction may inflate to (1009 beyond, RFC 6455 section 10.4). */
  maxMessageSize?: Partial<Record<WireDirection, number>>;
}

/** One direction's inflation: frames of a compressed message in, the message out at its last frame. */
function inflating(inflater: MessageInflater): FrameHooks {
  let compressed = false;
  let parts: Uint8Array[] = [];
  return {
    decode: { deflate: true },
    onFrame(frame: Frame) {
      // Control frames may sit between fragments (RFC 6455 section 5.4) and are never compressed.
      if (frame.opcode >= Opcode.Close) return undefined;
      if (frame.opcode !== Opcode.Continuation) compressed = (frame.rsv & 4) !== 0;
      if (!compressed) return undefined;
      parts.push(inflater.push(frame.payload, frame.fin));
      if (!frame.fin) return undefined;
      const message = concatBytes(parts);
      parts = [];
      return message;
    },
  };
}

/**
 * The frame hooks for a connection whose handshake agreed permessage-deflate (the 101's
 * Sec-WebSocket-Extensions against the request's offers), or undefined when it did not.
 */
export function permessageDeflateHooks(
  handshake: { request: HttpRequest | undefined; response: HttpResponse },
  limits: DeflateHookLimits = {},
): Partial<Record<WireDirection, FrameHooks>> | undefined {
  const answer = getHeader(handshake.response.headers, 'sec-websocket-extensions');
  if (answer === undefined) return undefined;
  const offers = handshake.request
    ? (getHeader(handshake.request.headers, 'sec-websocket-extensions') ?? '')
    : '';
  let check;
  try {
    check = acceptDeflateResponse(answer, offers);
  } catch {
    return undefined; // the client's own offer does not parse: the server could not have agreed to it
  }
  if (!check.ok || !check.params) return undefined;
  const { params } = check;
  const limit = (dir: WireDirection) =>
    limits.maxMessageSize?.[dir] === undefined ? {} : { maxMessageSize: limits.maxMessageSize[dir] };
  return {
    // The client compresses what it sends with the client's parameters; the server with its own.
    c2s: inflating(new MessageInflater(deflateDirections(params, 'server').receive, limit('c2s'))),
    s2c: inflating(new MessageInflater(deflateDirections(params, 'client').receive, limit('s2c'))),
  };
}
