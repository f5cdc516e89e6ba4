/**
 * Starts the real server (server/main.ts serving dist/) on a free loopback port for the browser tests,
 * and stops it afterwards. `npm run test:e2e` builds dist/ first.
 */
import { startWirescope } from '../helpers/wirescopeProcess.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startWirescope(['--host', '127.0.0.1'], { timeoutMs: 20_000 });
  process.env.WIRESCOPE_URL = server.url;
  return server.stop;
}
