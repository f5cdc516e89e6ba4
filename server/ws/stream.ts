/**
 * `/ws/stream?since=ID&name=N`: the session's event stream pushed as text messages, one JSON event each,
 * starting after `since` from the stream's history.
 *
 * Fan-out: the frames of a batch are encoded once (the protocol's encodeFrame; a server's frames are
 * unmasked, RFC 6455 section 5.1) and the same bytes are written to every subscriber's socket, one
 * write per socket per batch. ws frames nothing else on these sockets but pings and the close, which
 * it writes whole and at once (no extension is negotiated here), so frames never interleave; and no
 * data frame follows our close (section 5.5.1) because only an OPEN socket is written to.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { encodeFrame, Opcode } from '../../src/lib/protocol/index.ts';
import type { ServerContext } from '../context.ts';
import { intParam } from '../http-util.ts';
import type { Delivery, EventStream, StreamEvent } from '../stream.ts';

/** Close code and reason for a subscriber that does not read fast enough (RFC 6455 section 7.4.1). */
export const SLOW_CLOSE_CODE = 1008;
export const SLOW_CLOSE_REASON = 'too slow for the stream: resume with since=';

function frames(texts: readonly string[]): Buffer {
  return Buffer.concat(texts.map((text) => encodeFrame({ opcode: Opcode.Text, payload: text })));
}

/** The text frames of `delivery.events[from…]`, back to back. */
function encodeFrames(delivery: Delivery, from: number): Buffer {
  const texts: string[] = [];
  for (let i = from; i < delivery.events.length; i++) texts.push(delivery.json(i));
  return frames(texts);
}

export function onStreamConnection(
  ctx: ServerContext,
  ws: WebSocket,
  socket: Duplex,
  url: URL,
  session: string,
  stream: EventStream,
): void {
  // Named (`name=`) like the echo, so the control API can ping, close or cut it (lesson 8's live run).
  ctx.sockets.add(ws, session, url.searchParams.get('name'));
  const since = intParam(url, 'since', stream.latestId, 0, Number.MAX_SAFE_INTEGER);
  const resend: StreamEvent[] = stream.since(since);
  if (resend.length > 0) socket.write(frames(resend.map((event) => JSON.stringify(event))));
  const limit = ctx.options.streamMaxBufferedBytes;
  const unsubscribe = stream.subscribe({
    deliver: (delivery, from) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      // Queued beyond the limit: it cannot keep up. Stop feeding it rather than hold memory for it;
      // the close goes after what is queued, and ws drops the socket if it never reads that far.
      if (ws.bufferedAmount > limit) {
        unsubscribe();
        ws.close(SLOW_CLOSE_CODE, SLOW_CLOSE_REASON);
        return;
      }
      socket.write(delivery.encoded('ws', from, encodeFrames));
    },
    cut: () => ws.terminate(),
  });
  ws.once('close', unsubscribe);
  // The stream is one-way; anything the page sends is ignored rather than echoed.
}
