/**
 * Runs every benchmark in turn: npm run bench. Each bench module exports an async function that prints
 * its own table; add new ones to the list.
 */
import { benchProtocol } from './protocol.ts';
import { benchHttp } from './http.ts';
import { benchServer } from './server.ts';
import { benchTapBatch } from './tap-batch.ts';
import { benchInspect } from './inspect.ts';
import { benchProxy } from './proxy.ts';
import { benchBrowser } from './browser.ts';
import { benchDeflate } from './deflate.ts';
import { benchCapture } from './capture.ts';
import { benchCluster } from './cluster.ts';
import { benchClassroom } from './classroom.ts';

const benches: Array<[string, () => Promise<void>]> = [
  ['protocol', benchProtocol],
  ['http', benchHttp],
  ['server', benchServer],
  ['tap batch', benchTapBatch],
  ['inspect page', benchInspect],
  ['deflate', benchDeflate],
  ['proxy', benchProxy],
  ['classroom', benchClassroom],
  ['cluster', benchCluster],
  ['browser', benchBrowser],
  ['capture', benchCapture],
];

for (const [name, run] of benches) {
  console.log(`\n== ${name} ==`);
  await run();
}
