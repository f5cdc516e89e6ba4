/**
 * permessage-deflate (RFC 7692) on one connection of a trace, for the byte inspector: whether the
 * handshake agreed it and what each compressed message inflates to. The protocol's
 * permessageDeflateHooks, built from the connection's upgrade request and 101 as the tap builds them,
 * read its frames in order per direction: with context takeover (section 7.1.1) a message may refer to
 * bytes of earlier ones, so only a reader of every earlier message can inflate it. A frame that does
 * not decode or inflate stops that direction, as it stops a conforming endpoint.
 */
import {
  Opcode,
  decodeFrame,
  parseHead,
  permessageDeflateHooks,
  type FrameHooks,
  type HttpMessage,
} from '../protocol/index.ts';
import type { Direction, TraceEvent, UnitEvent } from './types';

export interface DeflatedConnection {
  /** The handshake agreed permessage-deflate: RSV1 marks a compressed message (section 6). */
  deflate: boolean;
  /** By the frame that completes it: what each compressed message inflates to. */
  messages: Map<UnitEvent, Uint8Array>;
  /**
   * By frame: what the payload of a compressed message sent in one frame inflates to. A fragmented
   * message is inflated as a whole, which no one frame's payload is, so its frames get no entry.
   */
  inflated: Map<UnitEvent, Uint8Array>;
}

function headOf(bytes: Uint8Array, kind: 'request' | 'response'): HttpMessage | undefined {
  try {
    return parseHead(bytes, 0, { kind, maxHeaderBytes: bytes.length + 1 })?.message;
  } catch {
    return undefined;
  }
}

export function deflatedConnection(events: readonly TraceEvent[], conn: string): DeflatedConnection {
  const messages = new Map<UnitEvent, Uint8Array>();
  const inflated = new Map<UnitEvent, Uint8Array>();
  let request: HttpMessage | undefined;
  let hooks: Partial<Record<Direction, FrameHooks>> | undefined;
  let upgraded = false;
  const failed: Record<Direction, boolean> = { c2s: false, s2c: false };
  events.forEach((e) => {
    if (e.type !== 'unit' || e.conn !== conn) return;
    if (!upgraded && e.kind === 'http-request') request = headOf(e.bytes, 'request');
    else if (!upgraded && e.kind === 'http-response') {
      const response = headOf(e.bytes, 'response');
      if (response?.kind !== 'response' || response.status !== 101) return;
      upgraded = true;
      hooks = permessageDeflateHooks({
        request: request?.kind === 'request' ? request : undefined,
        response,
      });
    } else if (e.kind === 'ws-frame' && hooks) {
      const hook = hooks[e.dir];
      if (!hook || failed[e.dir]) return;
      try {
        const frame = decodeFrame(e.bytes, 0, { ...hook.decode, validateClose: false })?.frame;
        if (!frame) return;
        const message = hook.onFrame?.(frame);
        if (!message) return;
        messages.set(e, message);
        if (frame.opcode !== Opcode.Continuation) inflated.set(e, message);
      } catch {
        failed[e.dir] = true;
      }
    }
  });
  return { deflate: hooks !== undefined, messages, inflated };
}
