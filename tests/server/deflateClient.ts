/**
 * A hand-written WebSocket client for the server tests, every byte from the protocol code: the upgrade
 * request with a permessage-deflate offer, the check of the 101 and of the extension it accepts, frames
 * compressed with the client's own context, and a reader that inflates the server's frames.
 */
import { randomBytes } from 'node:crypto';
import {
  CloseCode,
  MessageDeflater,
  MessageInflater,
  MessageReader,
  Opcode,
  acceptDeflateResponse,
  buildUpgradeRequest,
  compressMessage,
  checkUpgradeResponse,
  computeAccept,
  deflateDirections,
  encodeFrame,
  generateKey,
  getHeader,
  parseHttpMessage,
  type DeflateParams,
  type HttpResponse,
  type WsEvent,
} from '../../src/lib/protocol/index.ts';
import { RawClient } from './helpers.ts';

const MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export interface DeflateClientOptions {
  path?: string;
  /** The Sec-WebSocket-Extensions lines offered; none offers nothing. */
  offer?: string[];
  /** Limit on what the client inflates (it stops a server's bomb too). */
  maxMessageSize?: number;
}

/** The server answered the upgrade with something other than 101. */
export class HandshakeRefused extends Error {
  constructor(readonly response: HttpResponse) {
    super(`the server answered ${response.status}`);
  }
}

export class DeflateClient {
  private deflater: MessageDeflater | undefined;
  private reader: MessageReader | undefined;
  private readonly events: WsEvent[] = [];
  private readError: unknown;
  private consumed = 0;

  private constructor(
    readonly raw: RawClient,
    readonly response: HttpResponse,
    /** The agreed parameters, or undefined when the server declined every offer. */
    readonly params: DeflateParams | undefined,
    maxMessageSize: number,
    rest: Uint8Array,
  ) {
    const dirs = params && deflateDirections(params, 'client');
    this.deflater = dirs && new MessageDeflater(dirs.send);
    this.reader = new MessageReader({
      requireMask: false,
      maxMessageSize,
      ...(dirs ? { inflater: new MessageInflater(dirs.receive, { maxMessageSize }) } : {}),
    });
    this.consumed = raw.receivedBytes.length - rest.length;
  }

  /** Opens a connection and completes the handshake; throws if the server's answer is not valid. */
  static async open(port: number, options: DeflateClientOptions = {}): Promise<DeflateClient> {
    const raw = await RawClient.open(port);
    const key = generateKey(randomBytes(16));
    const offer = options.offer ?? [];
    raw.send(
      buildUpgradeRequest({
        path: options.path ?? '/ws/deflate',
        host: `127.0.0.1:${port}`,
        key,
        headers: offer.map((value) => ({ name: 'Sec-WebSocket-Extensions', value })),
      }),
    );
    let response: HttpResponse | undefined;
    let rest: Uint8Array = new Uint8Array(0);
    await raw.until((bytes) => {
      const parsed = parseHttpMessage(bytes, 0, { kind: 'response', requestMethod: 'GET' });
      if (!parsed) return false;
      response = parsed.message as HttpResponse;
      rest = bytes.subarray(parsed.bytesUsed);
      return true;
    });
    const head = response!;
    if (head.status !== 101) throw new HandshakeRefused(head);
    const check = checkUpgradeResponse(head, {
      accept: await computeAccept(key),
      extensions: offer.length > 0 ? ['permessage-deflate'] : [],
    });
    if (!check.ok) throw new Error(`bad 101: ${check.reason}`);
    const deflate = acceptDeflateResponse(getHeader(head.headers, 'sec-websocket-extensions'), offer);
    if (!deflate.ok) throw new Error(`bad extension answer: ${deflate.reason}`);
    return new DeflateClient(raw, head, deflate.params, options.maxMessageSize ?? 1 << 20, rest);
  }

  get extensions(): string | undefined {
    return getHeader(this.response.headers, 'sec-websocket-extensions');
  }

  /** Compress (when negotiated) and send one message, cut into `fragments` frames. */
  send(
    data: Uint8Array | string,
    options: { binary?: boolean; fragments?: number; compress?: boolean } = {},
  ): Uint8Array[] {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const compress = options.compress ?? this.deflater !== undefined;
    // Compressing without a negotiated extension (to see it refused) uses a context of its own.
    const payload = compress ? (this.deflater?.compress(bytes) ?? compressMessage(bytes)) : bytes;
    const count = Math.max(1, Math.min(options.fragments ?? 1, payload.length));
    const size = Math.ceil(payload.length / count);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const part = payload.subarray(i * size, i === count - 1 ? payload.length : (i + 1) * size);
      const opcode = i > 0 ? Opcode.Continuation : options.binary ? Opcode.Binary : Opcode.Text;
      // RFC 7692 section 6: RSV1 on the first frame of a compressed message only.
      const rsv = compress && i === 0 ? 4 : 0;
      frames.push(encodeFrame({ opcode, payload: part, fin: i === count - 1, rsv, mask: MASK }));
    }
    for (const frame of frames) this.raw.send(frame);
    return frames;
  }

  /** Sends bytes exactly as given (for frames that break the rules). */
  sendRaw(bytes: Uint8Array): void {
    this.raw.send(bytes);
  }

  close(code: number = CloseCode.Normal): void {
    const body = Uint8Array.of(code >> 8, code & 0xff);
    this.raw.send(encodeFrame({ opcode: Opcode.Close, payload: body, mask: MASK }));
  }

  private pump(): void {
    if (this.readError || !this.reader) return;
    const bytes = this.raw.receivedBytes;
    if (bytes.length <= this.consumed) return;
    const chunk = bytes.subarray(this.consumed);
    this.consumed = bytes.length;
    try {
      this.events.push(...this.reader.push(chunk));
    } catch (e) {
      this.readError = e;
    }
  }

  /** The next event from the server (a message, ping, pong or close), inflated where compressed. */
  async next(ms = 3000): Promise<WsEvent> {
    await this.raw.until(() => {
      this.pump();
      if (this.readError) throw this.readError;
      return this.events.length > 0;
    }, ms);
    return this.events.shift()!;
  }

  /** Waits for the server's close frame and the end of TCP; returns the close code. */
  async closeCode(ms = 3000): Promise<number> {
    for (;;) {
      const event = await this.next(ms);
      if (event.type === 'close') {
        await this.raw.closed(ms);
        return event.code;
      }
    }
  }
}
