/**
 * `/ws/deflate`: the echo of /ws/echo, with permessage-deflate (RFC 7692) when the client offers it.
 *
 * The protocol's `negotiateDeflate` makes the choice among the client's offers, with the rules of
 * section 7.1 (an offer the server cannot serve is declined, never refused). ws is then handed that
 * answer as the only offer, which it accepts as it stands (its own negotiation options are all left at
 * "no preference"), so the 101 carries exactly the protocol's response and ws compresses and inflates
 * with those parameters. ws also enforces the limits: maxPayload bounds a compressed frame and the
 * message it inflates to alike (1009, inflating stops there), corrupt DEFLATE data fails with 1007, and
 * RSV1 on a control or continuation frame with 1002.
 *
 *   ?takeover=off   the server answers server_no_context_takeover and client_no_context_takeover
 *   ?window_bits=N  the server compresses with a window of 2^N bytes (9-15) and asks the client to
 *                   use no more where its offer allows (at most --deflate-window-bits)
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import {
  HttpError,
  MAX_WINDOW_BITS,
  negotiateDeflate,
  type DeflateNegotiation,
  type DeflatePolicy,
} from '../../src/lib/protocol/index.ts';
import type { ServerContext } from '../context.ts';
import { headerValues } from '../http-util.ts';
import type { ServerOptions } from '../options.ts';

export const DEFLATE_PATH = '/ws/deflate';

const servers = new WeakMap<ServerContext, WebSocketServer>();

/** The WebSocketServer of /ws/deflate, one per demo server. */
export function deflateServer(ctx: ServerContext): WebSocketServer {
  let wss = servers.get(ctx);
  if (!wss) {
    wss = new WebSocketServer({
      noServer: true,
      maxPayload: ctx.options.maxMessageBytes,
      perMessageDeflate: {
        // Every message is compressed, the smallest too: lesson 9 shows what that saves and costs.
        threshold: 0,
        zlibDeflateOptions: { level: 6, memLevel: ctx.options.deflateMemLevel },
      },
      clientTracking: false,
      handleProtocols: () => false,
      skipUTF8Validation: false,
    });
    servers.set(ctx, wss);
  }
  return wss;
}

/** The policy for one connection: the server's options, narrowed by what the page asked in the URL. */
export function deflatePolicy(options: ServerOptions, url: URL): DeflatePolicy | string {
  const policy: DeflatePolicy = {};
  let bits = options.deflateWindowBits;
  const asked = url.searchParams.get('window_bits');
  if (asked !== null) {
    if (!/^(9|1[0-5])$/.test(asked)) return 'window_bits must be a number from 9 to 15';
    bits = Math.min(bits, Number(asked));
  }
  if (bits < MAX_WINDOW_BITS) {
    policy.serverMaxWindowBits = bits;
    policy.clientMaxWindowBits = bits;
  }
  const takeover = url.searchParams.get('takeover');
  if (takeover !== null && takeover !== 'on' && takeover !== 'off') return 'takeover must be on or off';
  if (takeover === 'off') {
    policy.serverNoContextTakeover = true;
    policy.clientNoContextTakeover = true;
  }
  return policy;
}

export type DeflateHandshake =
  { ok: true; negotiation: DeflateNegotiation | undefined } | { ok: false; status: 400; reason: string };

/**
 * Decides the extension before ws reads the request: the request's Sec-WebSocket-Extensions is
 * replaced by the protocol's answer, or removed when every offer is declined. A header that does not
 * parse is a handshake that does not match RFC 6455 section 4.2.1: 400.
 */
export function prepareDeflate(ctx: ServerContext, req: IncomingMessage, url: URL): DeflateHandshake {
  const policy = deflatePolicy(ctx.options, url);
  if (typeof policy === 'string') return { ok: false, status: 400, reason: policy };
  const lines = headerValues(req, 'sec-websocket-extensions');
  if (lines.length === 0) return { ok: true, negotiation: undefined };
  let negotiation: DeflateNegotiation;
  try {
    negotiation = negotiateDeflate(lines, policy);
  } catch (e) {
    if (e instanceof HttpError) return { ok: false, status: 400, reason: e.message };
    throw e;
  }
  if (negotiation.accepted) req.headers['sec-websocket-extensions'] = negotiation.accepted.response;
  else delete req.headers['sec-websocket-extensions'];
  return { ok: true, negotiation };
}
