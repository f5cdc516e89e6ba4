import { defineSpec } from '../../machines/graph.ts';

/** The reconnection time the simulated server asks for (`retry: 1000`), as the demo server does. */
export const RETRY_MS = 1000;

/** Where the stream breaks the learner picks how; each choice redoes the step shown. */
const WHAT_IF = { redo: true } as const;

/** Server-sent events (HTML Living Standard 9.2): one long response, its events, a break and a resume. */
export default defineSpec('server-sent-events', {
  connect: { next: 'response-head' }, // new EventSource(): TCP, GET with Accept: text/event-stream
  'response-head': { next: 'retry' }, // 200, text/event-stream, chunked, no length: readyState OPEN
  retry: { next: 'first-event' }, // chunk: retry: 1000 (no event dispatched)
  'first-event': { next: 'typed-event' }, // chunk: id: 1, data: a message event
  'typed-event': { next: 'comment' }, // chunk: id: 2, event: price, two data lines
  comment: { next: 'client-sends' }, // chunk: a comment, ignored; keeps a quiet stream alive
  'client-sends': { next: 'stream-breaks' }, // one direction only: the page POSTs on another connection
  'stream-breaks': {
    next: 'missed',
    choices: { 'stream-drops': WHAT_IF, 'stream-ends': WHAT_IF }, // cut mid-stream, or a last chunk
  },
  missed: { next: 'reconnect' }, // error event, CONNECTING; event 3 happens meanwhile
  reconnect: {
    // after `retry` ms: GET again with Last-Event-ID: 2; the server resumes, or says stop with 204
    next: 'resumed',
    choices: { 'server-resumes': 'resumed', 'server-stops': 'stopped' },
  },
  resumed: { next: 'summary' }, // 200 and event 3 from the server's history
  stopped: { next: 'summary' }, // 204: the EventSource fails the connection and never comes back
  summary: {}, // connections, requests, what each event cost
});
