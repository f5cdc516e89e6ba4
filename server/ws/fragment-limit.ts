/**
 * Counts the frames of each fragmented message a client sends and fails the connection with 1008
 * (policy violation, RFC 6455 section 7.4.1) past the limit: ws reassembles messages without a bound on
 * their number of fragments, and a flood of tiny fragments costs the server per frame.
 *
 * It reads only frame headers (with the protocol module's parse steps) and skips payloads by length, so
 * it never buffers more than one header. Malformed frames are left to ws, which fails the connection.
 */
import type { Duplex } from 'node:stream';
import {
  MAX_FRAME_HEADER_BYTES,
  Opcode,
  frameHeaderSize,
  parseExtendedLength,
  parseHeader,
  type DecodeOptions,
} from '../../src/lib/protocol/index.ts';

/**
 * Attach inside ws's connection callback: ws has put the upgrade's `head` back into the socket
 * (readable.unshift), so the first 'data' event replays it and nothing is counted twice. With
 * permessage-deflate negotiated, `{ deflate: true }` lets the header parse accept RSV1 on a first frame
 * (RFC 7692 section 6), so compressed messages are counted too.
 */
export function limitFragments(
  socket: Duplex,
  maxFragments: number,
  fail: () => void,
  options: DecodeOptions = {},
): void {
  let skip = 0;
  let header = Buffer.alloc(0);
  let fragments = 0;
  let broken = false;

  const onData = (chunk: Buffer) => {
    let offset = 0;
    while (!broken && offset < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - offset);
        skip -= n;
        offset += n;
        continue;
      }
      const take = Math.min(MAX_FRAME_HEADER_BYTES - header.length, chunk.length - offset);
      const bytes = Buffer.concat([header, chunk.subarray(offset, offset + take)]);
      let parsed;
      try {
        const h = parseHeader(bytes, 0, options);
        const ext = h && parseExtendedLength(bytes, 2, h);
        parsed =
          h && ext
            ? { h, size: frameHeaderSize(ext.payloadLength, h.masked), length: ext.payloadLength }
            : null;
      } catch {
        broken = true; // ws reports the violation with the right close code
        break;
      }
      if (!parsed || bytes.length < parsed.size) {
        header = bytes;
        offset += take;
        continue;
      }
      // The header ended inside `bytes`: step over its own bytes from this chunk, then skip the payload.
      offset += parsed.size - header.length;
      header = Buffer.alloc(0);
      skip = parsed.length;
      const { opcode, fin } = parsed.h;
      if (opcode === Opcode.Text || opcode === Opcode.Binary) fragments = 1;
      else if (opcode === Opcode.Continuation) fragments++;
      if (fragments > maxFragments) {
        broken = true;
        fail();
      }
      // Control frames may sit between fragments (section 5.4) and do not end the message.
      if (fin && opcode < Opcode.Close) fragments = 0;
    }
    if (broken) socket.removeListener('data', onData);
  };
  // Ahead of ws's own listener, so the frame that breaks the limit is never echoed.
  socket.prependListener('data', onData);
}
