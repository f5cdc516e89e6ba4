import { defineSpec } from '../../machines/graph.ts';

/** HTTP request/response, then short polling: asking again on an interval, mostly for nothing. */
export default defineSpec('request-response', {
  'tcp-connect': { next: 'request' }, // three-way handshake, client SYN-SENT -> ESTABLISHED
  request: { next: 'response' }, // GET /api/time HTTP/1.1
  response: { next: 'poll-request' }, // 200 OK with a small JSON body
  'poll-request': { next: 'poll-empty' }, // short polling: the interval elapsed, ask again
  'poll-empty': { next: 'poll-request-again' }, // 200 with nothing new: bytes spent for no news
  'poll-request-again': { next: 'poll-data' },
  'poll-data': { next: 'summary' }, // 200 with the event, late by up to one interval
  summary: {}, // requests, header bytes per delivered event
});
