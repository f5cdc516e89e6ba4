import { defineSpec } from '../../machines/graph.ts';

/** The wait the client asks for (ms), as in `?wait=25000`. */
export const POLL_WAIT = 25_000;

/** Long polling: the server holds each request until it has news (200) or its wait expires (204). */
export default defineSpec('long-polling', {
  request: { next: 'held' }, // GET /api/poll?wait=25000
  held: {
    // The server holds the request: one connection tied up. Left alone, the wait expires by itself.
    next: [{ if: 'nothingDeliveredYet', go: 'data-arrives' }, { go: 'wait-expires' }],
    choices: { data: 'data-arrives', timeout: 'wait-expires' },
    timer: { ms: POLL_WAIT, go: 'wait-expires', choice: 'timeout' },
  },
  'data-arrives': { next: 'response-data' }, // choice "data": an event happens at the server
  'response-data': { next: 're-request' }, // 200 with the event
  'wait-expires': { next: 'response-empty' }, // choice "timeout": nothing happened within the wait
  'response-empty': { next: 're-request' }, // 204 No Content
  're-request': { next: [{ if: 'twoResponsesSeen', go: 'summary' }, { go: 'held' }] }, // ask again at once
  summary: {}, // held connections, header bytes per delivered message
});
