/**
 * One client connection in front of an app. Bytes are forwarded as they arrive, unchanged, to one
 * upstream connection at a time: the app (the target), or wirescope's own server for requests under
 * the reserved prefix. The proxy reads HTTP/1.1 only as far as it must (src/lib/protocol/http/framer.ts):
 *
 * - each request's head is held until it is complete, to see where it goes; its body then streams;
 * - each response is followed to its end, so that a request for the other upstream waits until every
 *   earlier answer has been delivered (RFC 9112 section 9.3: responses come back in request order);
 * - after a request asking to upgrade, the client's next bytes wait for the answer: a 101 (or a 2xx to
 *   CONNECT) turns the connection into a raw pipe both ways, extensions and frames untouched (RFC 6455
 *   section 4, RFC 9110 section 7.8); any other answer and HTTP goes on;
 * - bytes that are not HTTP/1.1, either way, are forwarded as they are and the connection becomes a
 *   raw pipe to the upstream it has: nothing is dropped or repaired.
 *
 * One client connection maps to one upstream connection, so the hop-by-hop fields (Connection,
 * Keep-Alive, Upgrade) stay true on the second hop and pass unchanged; a FIN is passed on as a FIN and
 * a reset as a reset. Backpressure both ways: a side that does not read stops the other side's reading.
 */
import { connect, type Socket } from 'node:net';
import { HttpFramer, type FramerEvent } from '../../src/lib/protocol/index.ts';
import type { Direction, Peer } from '../../src/lib/trace/index.ts';
import type { LegTap, TapHub } from '../tap.ts';
import { badGateway, headTimeout, ownPageRemote } from './answers.ts';
import { isLoopbackAddress } from '../guard.ts';
import { routeOf, type Route, type TargetAddress } from './route.ts';

export interface ProxyStats {
  /** Client connections accepted, and open now. */
  accepted: number;
  open: number;
  /** Connections to the target that failed (each answered 502). */
  refused: number;
  /** The most bytes one connection held in wirescope at once (its queue plus unsent socket buffers). */
  peakHeldBytes: number;
}

export interface ProxyEnv {
  target: TargetAddress;
  /** wirescope's own server (loopback, a port of its own). */
  own: { host: string; port: number };
  tap: TapHub;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  inspectRemote: boolean;
  stats: ProxyStats;
}

/** Client bytes held (heads in progress, requests waiting for their turn) before reading pauses. */
const QUEUE_HIGH = 64 * 1024;
/** A retired upstream has this long to close after our FIN. */
const RETIRE_GRACE_MS = 5_000;
/** TCP keep-alive probes find a peer that vanished without a FIN or reset. */
const KEEPALIVE_MS = 30_000;

/** One request: where it goes (known once its head is complete) and whether it has been sent. */
interface Slot {
  route: Route | undefined;
  method: string | undefined;
  upgrade: boolean;
  sent: boolean;
}

interface Segment {
  bytes: Buffer;
  /** A request's bytes; 'raw': not HTTP (goes to the upstream there is); 'await': not read yet. */
  slot: Slot | 'raw' | 'await';
}

class Upstream {
  readonly framer: HttpFramer;
  /** Requests sent and not yet answered, oldest first. */
  readonly pending: Slot[] = [];
  connected = false;
  retired = false;
  finSent = false;
  finFrom: Peer | undefined;
  error: NodeJS.ErrnoException | undefined;
  leg: LegTap | undefined;
  drainWait = false;

  constructor(
    readonly route: Route,
    readonly socket: Socket,
    maxHeaderBytes: number,
  ) {
    this.framer = new HttpFramer('response', { maxHeaderBytes });
  }

  /** A response is owed or under way: a request for the other upstream must wait. */
  get busy(): boolean {
    return this.pending.length > 0 || this.framer.inMessage;
  }
}

/** Bytes forwarded from one leg to the other, reported to the tap on both (either may be missing). */
function tapCrossing(from: LegTap | undefined, to: LegTap | undefined, dir: Direction, bytes: Buffer): void {
  if (from && to) from.crossing(to, dir, bytes);
  else (from ?? to)?.bytes(dir, bytes);
}

export class ProxyConnection {
  private readonly queue: Segment[] = [];
  private queued = 0;
  private readonly framer: HttpFramer;
  /** The request whose bytes are arriving now. */
  private slot: Slot | undefined;
  private c2s: 'http' | 'await' | 'raw' = 'http';
  /** Raw both ways: after a switch of protocols, or once either side's bytes are not HTTP. */
  private tunnel = false;
  private upstream: Upstream | undefined;
  private clientLeg: LegTap | undefined;
  /** Requests to wirescope's own server before the app's first: said once the client leg opens. */
  private ownBefore = 0;
  private clientEnded = false;
  private finFrom: Peer | undefined;
  /** wirescope answered itself (502, 403, 408): nothing else reaches the client. */
  private answered = false;
  private headTimer: NodeJS.Timeout | undefined;
  private readonly pauses = new Set<string>();
  private clientDrainWait = false;
  private readonly ownAllowed: boolean;

  constructor(
    private readonly client: Socket,
    private readonly env: ProxyEnv,
  ) {
    this.framer = new HttpFramer('request', { maxHeaderBytes: env.maxHeaderBytes });
    this.ownAllowed = env.inspectRemote || isLoopbackAddress(client.remoteAddress);
    env.stats.accepted++;
    env.stats.open++;
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    client.on('error', () => undefined); // 'close' follows with hadError
    client.on('close', this.onClientClose);
    client.setKeepAlive(true, KEEPALIVE_MS);
    if (env.idleTimeoutMs > 0) {
      // Reads and writes both count as activity, and every byte read on one socket is written to the
      // other, so one timer covers both legs.
      client.setTimeout(env.idleTimeoutMs, () => this.destroyBoth(false));
    }
  }

  // ---- client to upstream -------------------------------------------------------------------------

  private readonly onClientData = (chunk: Buffer): void => {
    if (this.answered) return;
    const up = this.upstream;
    if (this.tunnel && this.queue.length === 0 && up?.connected) {
      this.send(up, chunk); // the fast path of a WebSocket: no parsing at all
      return;
    }
    this.enqueue(chunk);
    this.pump();
  };

  private push(bytes: Buffer, slot: Segment['slot']): void {
    if (bytes.length === 0) return;
    this.queue.push({ bytes, slot });
    this.queued += bytes.length;
  }

  private newSlot(): Slot {
    return { route: undefined, method: undefined, upgrade: false, sent: false };
  }

  /** Splits a client chunk into the requests it carries (or keeps it raw or unread). */
  private enqueue(chunk: Buffer): void {
    if (this.c2s !== 'http') {
      this.push(chunk, this.c2s);
      return;
    }
    let pos = 0;
    for (const event of this.framer.push(chunk)) {
      if (event.type === 'head') {
        const slot = (this.slot ??= this.newSlot());
        if (event.message.kind === 'request') {
          slot.method = event.message.method;
          slot.route = routeOf(event.message.target);
        }
        clearTimeout(this.headTimer);
        this.headTimer = undefined;
      } else if (event.type === 'message') {
        const slot = (this.slot ??= this.newSlot());
        slot.upgrade = event.upgrade;
        this.push(chunk.subarray(pos, event.end), slot);
        pos = event.end;
        this.slot = undefined;
        if (event.upgrade) {
          // The answer decides what the next bytes are (RFC 9110 section 7.8): hold them until then.
          this.c2s = 'await';
          this.push(chunk.subarray(pos), 'await');
          return;
        }
      } else {
        this.notHttp(event);
        this.push(chunk.subarray(pos), 'raw');
        return;
      }
    }
    if (pos < chunk.length) {
      const slot = (this.slot ??= this.newSlot());
      this.push(chunk.subarray(pos), slot);
      if (slot.route === undefined && this.headTimer === undefined) {
        // A head that does not finish would hold the connection (and its queue) forever.
        this.headTimer = setTimeout(this.onHeadTimeout, this.env.headersTimeoutMs);
      }
    }
  }

  /** The client's bytes stopped being HTTP: from here on they go, as they are, where the last went. */
  private notHttp(_event: Extract<FramerEvent, { type: 'error' }>): void {
    this.c2s = 'raw';
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
    if (this.slot && this.slot.route === undefined) this.slot.route = this.upstream?.route ?? 'target';
    this.slot = undefined;
  }

  private readonly onHeadTimeout = (): void => {
    this.headTimer = undefined;
    if (this.upstream?.busy) this.destroyBoth(false);
    else this.answer(headTimeout());
  };

  private routeOf(segment: Segment): Route | undefined {
    if (segment.slot === 'await') return undefined;
    if (segment.slot === 'raw') return this.upstream?.route ?? 'target';
    return segment.slot.route;
  }

  /** Forwards held segments in order, as far as their routes and the upstreams allow. */
  private pump(): void {
    while (this.queue.length > 0 && !this.answered) {
      const segment = this.queue[0]!;
      const route = this.routeOf(segment);
      if (route === undefined) break;
      let up = this.upstream;
      if (up && up.route !== route) {
        if (up.busy) break; // the other upstream still owes answers
        this.retire(up);
        up = undefined;
      }
      if (route === 'own' && !this.ownAllowed) {
        const slot = segment.slot;
        this.answer(ownPageRemote(typeof slot === 'object' ? slot.method : undefined));
        return;
      }
      up ??= this.open(route);
      if (!up.connected) break;
      const slot = segment.slot;
      if (typeof slot === 'object' && !slot.sent) {
        slot.sent = true;
        up.framer.expect(slot.method ?? 'GET');
        up.pending.push(slot);
        if (route === 'own' && !this.clientLeg) this.ownBefore++;
      }
      this.queue.shift();
      this.queued -= segment.bytes.length;
      this.send(up, segment.bytes);
    }
    const up = this.upstream;
    if (this.clientEnded && this.queue.length === 0 && !this.answered) {
      if (up?.connected && !up.finSent) {
        up.finSent = true;
        up.finFrom ??= 'client';
        up.socket.end();
      } else if (!up) {
        this.client.end();
      }
    }
    this.setPaused('queue', this.queued > QUEUE_HIGH);
  }

  private send(up: Upstream, bytes: Buffer): void {
    // Forward first, tap after: the copy and everything the tap does with it wait until the bytes are
    // on their way (node gives each read a buffer of its own, and nothing here changes it).
    const ok = up.socket.write(bytes);
    if (up.route === 'target' || this.clientLeg) tapCrossing(this.clientLeg, up.leg, 'c2s', bytes);
    this.notePeak(up.socket.writableLength);
    if (!ok && !up.drainWait) {
      up.drainWait = true;
      this.setPaused('upstream-drain', true);
      up.socket.once('drain', () => {
        up.drainWait = false;
        this.setPaused('upstream-drain', false);
      });
    }
  }

  // ---- upstreams ----------------------------------------------------------------------------------

  private open(route: Route): Upstream {
    const address = route === 'own' ? this.env.own : this.env.target;
    if (route === 'target') this.openClientLeg();
    const socket = connect({ host: address.host, port: address.port, noDelay: true, allowHalfOpen: true });
    const up = new Upstream(route, socket, this.env.maxHeaderBytes);
    this.upstream = up;
    socket.setTimeout(this.env.connectTimeoutMs, () => {
      if (!up.connected) {
        socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
      }
    });
    socket.once('connect', () => {
      up.connected = true;
      socket.setTimeout(0);
      socket.setKeepAlive(true, KEEPALIVE_MS);
      if (route === 'target' && this.clientLeg) {
        up.leg = this.env.tap.openLeg(
          {
            leg: 'target',
            client: `${socket.localAddress}:${socket.localPort}`,
            server: `${socket.remoteAddress}:${socket.remotePort}`,
            pair: this.clientLeg.id,
          },
          this.clientLeg,
        );
        if (up.leg) this.clientLeg.note('proxyCarried', { conn: up.leg.id });
      }
      this.pump();
    });
    socket.on('data', (chunk: Buffer) => this.onUpstreamData(up, chunk));
    socket.on('end', () => this.onUpstreamEnd(up));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      up.error ??= error;
    });
    socket.on('close', (hadError: boolean) => this.onUpstreamClose(up, hadError));
    return up;
  }

  /** The client leg of the tap opens with the first request for the app (never for our own page). */
  private openClientLeg(): void {
    if (this.clientLeg) return;
    const client = this.client;
    this.clientLeg = this.env.tap.openLeg({
      leg: 'client',
      client: `${client.remoteAddress}:${client.remotePort}`,
      server: `${client.localAddress}:${client.localPort}`,
    });
    if (this.ownBefore > 0) this.clientLeg?.note('proxyOwnEarlier', { count: this.ownBefore });
  }

  /** Done with an upstream (the next request goes elsewhere): FIN it and let it close. */
  private retire(up: Upstream): void {
    up.retired = true;
    if (this.upstream === up) this.upstream = undefined;
    if (up.connected && !up.finSent) {
      up.finSent = true;
      up.finFrom ??= 'client';
      up.socket.end();
      setTimeout(() => up.socket.destroy(), RETIRE_GRACE_MS).unref();
    } else if (!up.connected) {
      up.socket.destroy();
    }
  }

  private onUpstreamData(up: Upstream, chunk: Buffer): void {
    if (up !== this.upstream || this.answered) {
      up.leg?.bytes('s2c', chunk); // a retired upstream's stray bytes: recorded on its leg, not forwarded
      return;
    }
    const ok = this.client.write(chunk);
    tapCrossing(up.leg, this.clientLeg, 's2c', chunk);
    let declined = false;
    if (!this.tunnel) {
      for (const event of up.framer.push(chunk)) {
        if (event.type === 'message') {
          const slot = up.pending.shift();
          if (event.upgrade) this.startTunnel();
          else if (slot?.upgrade) declined = true;
        } else if (event.type === 'error') {
          this.startTunnel(); // the app's bytes are not HTTP: forwarded as they are, raw from here on
        }
      }
    }
    this.notePeak(this.client.writableLength);
    if (!ok && !this.clientDrainWait) {
      this.clientDrainWait = true;
      up.socket.pause();
      this.client.once('drain', () => {
        this.clientDrainWait = false;
        up.socket.resume();
      });
    }
    if (declined && this.c2s === 'await') this.resumeHttp();
    this.pump();
  }

  /** A 101 or a 2xx to CONNECT (or bytes that are not HTTP): from now on, bytes flow raw both ways. */
  private startTunnel(): void {
    this.tunnel = true;
    this.c2s = 'raw';
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
    for (const segment of this.queue) segment.slot = 'raw';
  }

  /** The server declined an upgrade: the bytes held since are HTTP after all (RFC 9110 section 7.8). */
  private resumeHttp(): void {
    this.c2s = 'http';
    this.framer.resume();
    const held = this.queue.filter((segment) => segment.slot === 'await');
    const kept = this.queue.filter((segment) => segment.slot !== 'await');
    this.queue.length = 0;
    this.queue.push(...kept);
    this.queued = kept.reduce((n, segment) => n + segment.bytes.length, 0);
    for (const segment of held) this.enqueue(segment.bytes);
  }

  private onUpstreamEnd(up: Upstream): void {
    up.finFrom ??= 'server';
    if (up !== this.upstream || this.answered) return;
    for (const event of up.framer.finish()) if (event.type === 'message') up.pending.shift();
    // The app closed its side: so does wirescope, after what it already sent (a FIN for a FIN).
    this.finFrom ??= 'server';
    this.client.end();
  }

  private onUpstreamClose(up: Upstream, hadError: boolean): void {
    up.leg?.close(up.finFrom ?? 'unknown', hadError || up.finFrom === undefined);
    if (up !== this.upstream || this.answered) return;
    this.upstream = undefined;
    if (!up.connected) {
      if (up.route === 'target') {
        this.env.stats.refused++;
        const first = this.queue[0]?.slot;
        this.answer(
          badGateway(
            this.env.target.url,
            up.error?.code,
            typeof first === 'object' ? first.method : undefined,
          ),
        );
      } else {
        this.destroyBoth(true);
      }
      return;
    }
    if (hadError) {
      // The app reset the connection: pass the reset on rather than a clean end.
      this.finFrom ??= 'server';
      this.client.resetAndDestroy();
      return;
    }
    // Both directions of the upstream are over: nothing the client still sends can be delivered.
    this.finFrom ??= 'server';
    this.client.destroySoon();
  }

  // ---- the client's end ---------------------------------------------------------------------------

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    this.finFrom ??= 'client';
    // A head cut short by the FIN goes on as it is: the app answers it as it would without us.
    if (this.slot && this.slot.route === undefined) this.slot.route = this.upstream?.route ?? 'target';
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
    this.pump();
  };

  private readonly onClientClose = (hadError: boolean): void => {
    clearTimeout(this.headTimer);
    this.env.stats.open--;
    this.clientLeg?.close(this.finFrom ?? 'unknown', hadError || this.finFrom === undefined);
    const up = this.upstream;
    if (!up) return;
    this.upstream = undefined;
    if (hadError && up.connected) up.socket.resetAndDestroy();
    else up.socket.destroy();
  };

  /** wirescope answers itself, closes the connection and forgets what the client sent after. */
  private answer(bytes: Uint8Array): void {
    if (this.answered) return;
    this.answered = true;
    clearTimeout(this.headTimer);
    this.queue.length = 0;
    this.queued = 0;
    if (!this.clientLeg) this.openClientLeg();
    this.clientLeg?.bytes('s2c', bytes);
    this.finFrom ??= 'server';
    if (this.upstream) this.retire(this.upstream);
    this.client.end(bytes);
    this.setPaused('queue', false);
    // Drain what the client still sends, so its FIN arrives and the connection closes cleanly; a client
    // that never sends its FIN is cut after a grace period.
    this.client.resume();
    setTimeout(() => this.client.destroy(), RETIRE_GRACE_MS).unref();
  }

  private destroyBoth(reset: boolean): void {
    const up = this.upstream;
    this.upstream = undefined;
    if (up) {
      if (reset && up.connected) up.socket.resetAndDestroy();
      else up.socket.destroy();
    }
    if (reset) this.client.resetAndDestroy();
    else this.client.destroy();
  }

  /** Ends the connection at shutdown. */
  close(): void {
    this.destroyBoth(false);
  }

  private setPaused(reason: string, on: boolean): void {
    if (on) {
      if (this.pauses.size === 0) this.client.pause();
      this.pauses.add(reason);
    } else if (this.pauses.delete(reason) && this.pauses.size === 0) {
      this.client.resume();
    }
  }

  private notePeak(buffered: number): void {
    const held = this.queued + buffered;
    if (held > this.env.stats.peakHeldBytes) this.env.stats.peakHeldBytes = held;
  }
}
