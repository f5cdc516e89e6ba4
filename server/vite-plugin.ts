/**
 * `npm run dev`: the demo endpoints inside Vite's dev server, on the same origin as the hot-reloaded app.
 * The same handlers attach to Vite's HTTP server: its 'connection' event (the tap), its 'upgrade' event
 * for /ws/* (Vite's own HMR socket is left alone), and a middleware for /api/* and /healthz.
 */
import type { Server } from 'node:http';
import type { Plugin } from 'vite';
import type { ServerOptions } from './options.ts';

export function demoServerPlugin(options: Partial<ServerOptions> = {}): Plugin {
  return {
    name: 'wirescope-demo-server',
    apply: 'serve',
    async configureServer(vite) {
      const http = vite.httpServer as Server | null;
      if (!http) return; // middleware mode: there is no server to attach to
      const { attachDemo } = await import('./app.ts');
      const { withDefaults } = await import('./options.ts');
      const demo = attachDemo(http, withDefaults(options), { passUnknown: true });
      vite.middlewares.use((req, res, next) => {
        demo.onRequest(req, res, next).catch(() => res.destroy());
      });
      http.once('close', () => void demo.close());
    },
  };
}
