/**
 * Inspect mode (`--target`): the port the learner's browser talks to. Every TCP connection becomes a
 * ProxyConnection that forwards its bytes to the app, or to wirescope's own server (on a loopback port
 * of its own) for paths under /__wirescope/.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ProxyConnection, type ProxyEnv, type ProxyStats } from './connection.ts';

export interface FrontDoor {
  server: Server;
  port: number;
  stats: ProxyStats;
  /** Stops accepting; open connections get `graceMs` to finish, then are cut. */
  close(graceMs: number): Promise<void>;
}

export async function startFrontDoor(
  env: Omit<ProxyEnv, 'stats'>,
  listen: { host: string; port: number; maxConnections: number },
): Promise<FrontDoor> {
  const stats: ProxyStats = { accepted: 0, open: 0, refused: 0, peakHeldBytes: 0 };
  const full: ProxyEnv = { ...env, stats };
  const open = new Map<Socket, ProxyConnection>();
  // allowHalfOpen: a FIN from one side is passed on as a FIN, and the other side may still answer.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    open.set(socket, new ProxyConnection(socket, full));
    socket.once('close', () => open.delete(socket));
  });
  server.maxConnections = listen.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return {
    server,
    port,
    stats,
    async close(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + graceMs;
      while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const connection of open.values()) connection.close();
      await closed;
    },
  };
}
