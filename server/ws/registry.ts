/**
 * Every open WebSocket, for the heartbeat and for shutdown, plus the echo sockets a page named
 * (`name=` in the URL) so the control API can act on them. Names are scoped to the session: a page can
 * only reach its own sockets.
 */
import type { WebSocket } from 'ws';

export class SocketRegistry {
  private readonly alive = new Map<WebSocket, boolean>();
  private readonly named = new Map<string, WebSocket>();
  private timer: NodeJS.Timeout | undefined;

  get size(): number {
    return this.alive.size;
  }

  add(ws: WebSocket, session: string, name: string | null): void {
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    const key = name ? `${session}\n${name}` : undefined;
    if (key) this.named.set(key, ws);
    ws.once('close', () => {
      this.alive.delete(ws);
      if (key && this.named.get(key) === ws) this.named.delete(key);
    });
  }

  find(session: string, name: string): WebSocket | undefined {
    return this.named.get(`${session}\n${name}`);
  }

  /**
   * RFC 6455 section 5.5.2: a ping, and the peer must answer with a pong. A peer that has not answered
   * the previous ping by the next beat is gone (a dead link or a stuck client) and is dropped.
   */
  startHeartbeat(intervalMs: number): void {
    this.timer = setInterval(() => {
      for (const [ws, answered] of this.alive) {
        if (!answered) {
          ws.terminate();
          continue;
        }
        this.alive.set(ws, false);
        ws.ping();
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Shutdown: close 1001 Going Away (RFC 6455 section 7.4.1) to everyone. */
  closeAll(code: number, reason: string): void {
    clearInterval(this.timer);
    for (const ws of this.alive.keys()) ws.close(code, reason);
  }

  terminateAll(): void {
    for (const ws of this.alive.keys()) ws.terminate();
  }
}
