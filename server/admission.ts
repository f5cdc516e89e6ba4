/**
 * Connection limits with an answer. A connection past `--max-connections`, or past
 * `--max-connections-per-client` from one address, is still accepted, but its request (or upgrade) is
 * answered 503 with Retry-After and a sentence naming the limit, and the connection is closed: a student
 * turned away sees why instead of a reset. node:http's own `maxConnections` (which drops silently) stays
 * as a backstop a little higher.
 */
import type { Socket } from 'node:net';

/** Connections accepted past the limit only to be answered; beyond this many more, node drops them. */
export const ANSWERED_OVERFLOW = 256;

/** RFC 9110 section 10.2.3: seconds before trying again, sent with the 503 (section 15.6.4). */
export const RETRY_AFTER_SECONDS = 5;

export class Admission {
  private readonly perClient = new Map<string, number>();
  private readonly refused = new WeakMap<Socket, string>();
  private total = 0;

  constructor(
    private readonly maxTotal: number,
    /** 0: no limit per address. */
    private readonly maxPerClient: number,
  ) {}

  /** Call from the HTTP server's 'connection' event. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const count = (this.perClient.get(address) ?? 0) + 1;
    this.perClient.set(address, count);
    this.total++;
    socket.once('close', () => {
      this.total--;
      const left = (this.perClient.get(address) ?? 1) - 1;
      if (left > 0) this.perClient.set(address, left);
      else this.perClient.delete(address);
    });
    if (this.total > this.maxTotal) {
      this.refused.set(socket, `the server is full: ${this.maxTotal} connections in use (--max-connections)`);
    } else if (this.maxPerClient > 0 && count > this.maxPerClient) {
      this.refused.set(
        socket,
        `too many connections from ${address}: ${this.maxPerClient} at once (--max-connections-per-client)`,
      );
    }
  }

  /** Why a request on this connection is refused (503), when it was accepted over a limit. */
  refusal(socket: Socket): string | undefined {
    return this.refused.get(socket);
  }

  get connections(): number {
    return this.total;
  }
}
