import { defineSpec } from '../../machines/graph.ts';

/** HTTP and WebSocket on one clock: two clients, one server. */
export default defineSpec('http-vs-websocket', {
  start: { next: 'http-cycle' }, // both clients want updates from the same server
  'http-cycle': { next: 'ws-handshake' }, // connect, request, response; the connection is kept alive
  'ws-handshake': { next: 'ws-push' }, // one upgrade
  'ws-push': { next: 'http-cycle-again' }, // event 2 happens: the server pushes it at once, unasked
  'http-cycle-again': { next: 'ws-client-send' }, // the HTTP client learns of event 2 only at its next poll, a second after the first
  'ws-client-send': { next: 'tally' }, // and the client sends on the same connection
  tally: {}, // connections, requests, bytes on one clock
});
