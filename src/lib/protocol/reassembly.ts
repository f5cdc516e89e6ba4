/**
 * Message reassembly (RFC 6455 section 5.4): a message is one frame with FIN set, or a first frame
 * (text or binary, FIN clear), any number of continuation frames, and a last continuation with FIN.
 * Control frames may arrive between fragments and are delivered at once. Text is validated as it
 * arrives (section 8.1), so a bad byte fails the connection at the fragment that carries it.
 */
import { concatBytes } from './bytes.ts';
import { CloseCode, DEFAULT_MAX_PAYLOAD, Opcode } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { parseCloseBody } from './close.ts';
import { Utf8Validator, decodeUtf8 } from './utf8.ts';
import { FrameReader } from './reader.ts';
import type { DecodeOptions, Frame } from './frame.ts';

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
}

export class MessageAssembler {
  private opcode = -1;
  private parts: Uint8Array[] = [];
  private size = 0;
  private validator = new Utf8Validator();
  private closed = false;
  private readonly maxMessageSize: number;

  constructor(options: AssemblerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_PAYLOAD;
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
    }

    const size = this.size + frame.payload.length;
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
        this.validator.push(frame.payload);
        if (frame.fin) this.validator.end();
      } catch (e) {
        this.opcode = -1;
        if (e instanceof ProtocolError && payloadOffset !== undefined)
          throw e.shifted(payloadOffset - before);
        throw e;
      }
    }
    this.size = size;
    this.parts.push(frame.payload);
    if (!frame.fin) return null;

    const opcode = this.opcode;
    const frames = this.parts.length;
    const data = frames === 1 ? this.parts[0]! : concatBytes(this.parts, size);
    this.opcode = -1;
    this.parts = [];
    this.size = 0;
    if (opcode === Opcode.Text) {
      return { type: 'message', opcode, binary: false, data, text: decodeUtf8(data), frames };
    }
    return { type: 'message', opcode, binary: true, data, frames };
  }
}

export interface MessageReaderOptions extends DecodeOptions, AssemblerOptions {}

/** Bytes in, messages and control events out: a FrameReader feeding a MessageAssembler. */
export class MessageReader {
  private readonly frames: FrameReader;
  private readonly assembler: MessageAssembler;

  constructor(options: MessageReaderOptions = {}) {
    const limit = options.maxMessageSize ?? options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.frames = new FrameReader({ ...options, maxPayload: options.maxPayload ?? limit });
    this.assembler = new MessageAssembler({ maxMessageSize: limit });
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
