import { defineSpec } from '../../machines/graph.ts';

/** The heartbeat intervals the learner may pick (ms); the server's pings and the page's heartbeat share it. */
export const HEARTBEATS_MS = [5_000, 15_000, 30_000, 60_000] as const;
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** A heartbeat interval the control offers (a changed interval redraws the step it is set at). */
const HEARTBEAT = { 'learner.set': { guard: 'validHeartbeat', actions: ['setHeartbeat'], redo: true } };

/**
 * Staying connected: heartbeats both ways, a peer that vanishes without a FIN (or a server that closes
 * cleanly with 1001), reconnecting with backoff and jitter, resuming from the last id, and at-least-once
 * delivery with acknowledgements and de-duplication.
 */
export default defineSpec('staying-connected', {
  open: { next: 'server-ping' }, // OPEN on /ws/stream?since=0, events 1 and 2 arrive
  'server-ping': { next: 'app-heartbeat', inputs: HEARTBEAT }, // the server pings, the browser pongs by itself
  'app-heartbeat': { next: 'send-message', inputs: HEARTBEAT }, // the page's own heartbeat, a text message
  'send-message': {
    // the page sends c1 and keeps it in its outbox until the server acknowledges it
    next: 'vanish',
    choices: { vanish: 'vanish', 'going-away': 'going-away' },
  },
  vanish: { next: 'silence' }, // choice "vanish": no FIN, no RST; the ack and event 3 are lost
  silence: { next: 'heartbeat-lost', timer: { ms: 'silenceMs', go: 'heartbeat-lost' } }, // still OPEN
  'heartbeat-lost': { next: 'declared-dead', timer: { ms: 'heartbeatMs', go: 'declared-dead' } },
  'declared-dead': { next: 'backoff' }, // no answer within the interval: the page gives up on it
  'going-away': { next: 'backoff' }, // choice "going-away": ack, then Close 1001 from a restarting server
  // The backoff waits are below two seconds: too short to read a step by, so they pass in the trace's
  // clock only, and the learner moves on.
  backoff: { next: 'retry-fails' }, // a random wait below 1 s (full jitter)
  'retry-fails': { next: 'reconnect' }, // attempt 1 fails; a random wait below 2 s
  reconnect: { next: 'resume' }, // a new connection: GET /ws/stream?since=2
  resume: { next: 'resend' }, // the server resends what the page missed, from its history
  resend: { next: 'summary' }, // the unacknowledged c1 goes again; the server drops the duplicate
  summary: {}, // ids before and after, each applied once
});
