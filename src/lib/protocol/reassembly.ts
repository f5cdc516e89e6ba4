/**
 * Message reassembly (RFC 6455 section 5.4): a message is one frame with FIN set, or a first frame
 * (text or binary, FIN clear), any number of continuation frames, and a last continuation with FIN.
 * Control frames may arrive between fragments and are delivered at once. Text is validated as it
 * arrives (section 8.1), so a bad byte fails the connection at the fragment that carries it.
 */
import { concatBytes } from './bytes.ts';
import { CloseCode, DEFAULT_MAX_PAYLOAD, Opcode, RSV1 } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { parseCloseBody } from './close.ts';
import { Utf8Validator, decodeUtf8 } from './utf8.ts';
import { FrameReader } from './reader.ts';
import type { DecodeOptions, Frame } from './frame.ts';
// Types only: code that never inflates does not load the DEFLATE library.
import type { MessageInflater } from './permessageDeflate.ts';

export type WsEvent =
  | {
      type: 'message';
      /** Opcode of the first frame: Text (1) or Binary (2). */
      opcode: number;
      binary: boolean;
      data: Uint8Array;
      /** Decoded text for a text message. */
      text?: string;
      /** How many frames carried it. */
      frames: number;
      /** RSV1 was set: the payload was compressed (RFC 7692) and `data` is what it inflated to. */
      compressed?: boolean;
    }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  | {
      type: 'close';
      /** The status code received, or 1005 (No Status Received) for an empty body (section 7.1.5). */
      code: number;
      reason: string;
      /** Whether the frame carried a code at all. */
      hasCode: boolean;
    };

export interface AssemblerOptions {
  /** Largest message (sum of fragments) accepted; beyond it MESSAGE_TOO_BIG / 1009. */
  maxMessageSize?: number;
  /**
   * permessage-deflate was negotiated (RFC 7692): the receiving direction's inflater. A message whose
   * first frame has RSV1 is inflated through it, with the context it keeps from message to message. Its
   * own limit may not exceed maxMessageSize: it is what stops a decompression bomb.
   */
  inflater?: Pick<MessageInflater, 'push' | 'maxMessageSize'>;
}

export class MessageAssembler {
  private opcode = -1;
  private parts: Uint8Array[] = [];
  private size = 0;
  private validator = new Utf8Validator();
  private closed = false;
  private readonly maxMessageSize: number;
  private readonly inflater: AssemblerOptions['inflater'];
  private compressed = false;
  private inflated: Uint8Array | undefined;

  constructor(options: AssemblerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_PAYLOAD;
    this.inflater = options.inflater;
    if (this.inflater && this.inflater.maxMessageSize > this.maxMessageSize) {
      throw new RangeError(
        `the inflater's limit (${this.inflater.maxMessageSize}) exceeds the message limit (${this.maxMessageSize})`,
      );
    }
  }

  /**
   * What the last frame pushed inflated to, when it belonged to a compressed message (the byte
   * inspector shows it beside the frame's compressed bytes); undefined otherwise.
   */
  get lastInflated(): Uint8Array | undefined {
    return this.inflated;
  }

  /** True while a fragmented message is open (continuations expected). */
  get inMessage(): boolean {
    return this.opcode !== -1;
  }

  /** True once a close frame was received. */
  get closeReceived(): boolean {
    return this.closed;
  }

  /**
   * Take the next frame. Returns the event it completes (a message, ping, pong or close) or null when
   * it was a non-final fragment. `payloadOffset`, when given, is where the payload sits in the stream,
   * so errors can point at the offending byte. Throws ProtocolError.
   */
  push(frame: Frame, payloadOffset?: number): WsEvent | null {
    const at = (rel: number): number | undefined =>
      payloadOffset === undefined ? undefined : payloadOffset + rel;
    this.inflated = undefined;
    if (this.closed) {
      // Section 5.5.1: the close frame is the last thing a peer sends.
      throw new ProtocolError('A frame arrived after the close frame', {
        code: 'FRAME_AFTER_CLOSE',
        closeCode: CloseCode.ProtocolError,
        section: '5.5.1',
        offset: at(0),
      });
    }
    switch (frame.opcode) {
      case Opcode.Ping:
        return { type: 'ping', data: frame.payload };
      case Opcode.Pong:
        return { type: 'pong', data: frame.payload };
      case Opcode.Close: {
        const body = parseCloseBody(frame.payload);
        if (!body.ok) throw payloadOffset === undefined ? body.error : body.error.shifted(payloadOffset);
        this.closed = true;
        return {
          type: 'close',
          code: body.code ?? CloseCode.NoStatusReceived,
          reason: body.reason,
          hasCode: body.code !== undefined,
        };
      }
      case Opcode.Continuation:
        if (this.opcode === -1) {
          throw new ProtocolError('A continuation frame with no message to continue', {
            code: 'UNEXPECTED_CONTINUATION',
            closeCode: CloseCode.ProtocolError,
            section: '5.4',
            offset: at(0),
          });
        }
        break;
      default:
        if (this.opcode !== -1) {
          throw new ProtocolError('A new message started before the fragmented one finished', {
            code: 'EXPECTED_CONTINUATION',
            closeCode: CloseCode.ProtocolError,
            section: '5.4',
            offset: at(0),
          });
        }
        this.opcode = frame.opcode;
        this.parts = [];
        this.size = 0;
        this.validator.reset();
        // RFC 7692 section 6: RSV1 on the first frame marks the whole message compressed. Without a
        // negotiated extension the frame decoder has already refused the bit (RFC 6455 section 5.2).
        this.compressed = this.inflater !== undefined && (frame.rsv & RSV1) !== 0;
    }

    let data = frame.payload;
    if (this.compressed) {
      try {
        data = this.inflater!.push(frame.payload, frame.fin, payloadOffset);
      } catch (e) {
        this.opcode = -1;
        throw e;
      }
      this.inflated = data;
    }
    const size = this.size + data.length;
    if (size > this.maxMessageSize) {
      this.opcode = -1;
      throw new ProtocolError(`Message of more than ${this.maxMessageSize} bytes`, {
        code: 'MESSAGE_TOO_BIG',
        closeCode: CloseCode.MessageTooBig,
        section: '10.4',
        offset: at(0),
      });
    }
    if (this.opcode === Opcode.Text) {
      const before = this.validator.length;
      try {
        this.validator.push(data);
        if (frame.fin) this.validator.end();
      } catch (e) {
        this.opcode = -1;
        if (!(e instanceof ProtocolError) || payloadOffset === undefined) throw e;
        // Inflated bytes have no place on the wire: point at the frame's payload instead.
        if (this.compressed)
          throw new ProtocolError(`${e.message} (of the inflated text, byte ${e.offset ?? 0})`, {
            code: e.code,
            closeCode: e.closeCode,
            section: e.section,
            offset: payloadOffset,
          });
        throw e.shifted(payloadOffset - before);
      }
    }
    this.size = size;
    this.parts.push(data);
    if (!frame.fin) return null;

    const opcode = this.opcode;
    const frames = this.parts.length;
    const message = frames === 1 ? this.parts[0]! : concatBytes(this.parts, size);
    const compressed = this.compressed ? { compressed: true } : {};
    this.opcode = -1;
    this.parts = [];
    this.size = 0;
    this.compressed = false;
    if (opcode === Opcode.Text) {
      return {
        type: 'message',
        opcode,
        binary: false,
        data: message,
        text: decodeUtf8(message),
        frames,
        ...compressed,
      };
    }
    return { type: 'message', opcode, binary: true, data: message, frames, ...compressed };
  }
}

export interface MessageReaderOptions extends DecodeOptions, AssemblerOptions {}

/**
 * Bytes in, messages and control events out: a FrameReader feeding a MessageAssembler. With an
 * `inflater` (permessage-deflate negotiated) frames may carry RSV1 as RFC 7692 allows, and compressed
 * messages come out inflated.
 */
export class MessageReader {
  private readonly frames: FrameReader;
  private readonly assembler: MessageAssembler;

  constructor(options: MessageReaderOptions = {}) {
    const limit = options.maxMessageSize ?? options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    const deflate = options.deflate ?? options.inflater !== undefined;
    this.frames = new FrameReader({ ...options, deflate, maxPayload: options.maxPayload ?? limit });
    this.assembler = new MessageAssembler({ maxMessageSize: limit, inflater: options.inflater });
  }

  get inMessage(): boolean {
    return this.assembler.inMessage;
  }

  push(chunk: Uint8Array): WsEvent[] {
    const events: WsEvent[] = [];
    for (const { frame, end } of this.frames.pushPositioned(chunk)) {
      const event = this.assembler.push(frame, end - frame.payloadLength);
      if (event) events.push(event);
    }
    return events;
  }
}
