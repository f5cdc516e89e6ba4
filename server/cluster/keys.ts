/**
 * Every Redis key and channel the cluster uses, in one place. All start with `wirescope:`, so a Redis
 * shared with other applications is left alone.
 */
const PREFIX = 'wirescope:';

/** A stream's name in Redis: the public stream, or a session's. Session ids are base64url. */
function streamName(key: string): string {
  return key === '' ? 'public' : `s:${key}`;
}

export const keys = {
  /** String, this node's token, short TTL refreshed by the heartbeat: names are unique while alive. */
  node: (node: string) => `${PREFIX}node:${node}`,
  /** Hash: node → its figures as JSON, with the time they were taken. */
  nodes: `${PREFIX}nodes`,
  /** String: the node that owns the tap session, TTL refreshed while its tap is open. */
  session: (id: string) => `${PREFIX}session:${id}`,
  /** Counter: the last event id given out on the stream. */
  streamId: (key: string) => `${PREFIX}stream:${streamName(key)}:id`,
  /** Redis Stream: the stream's history (entry ids 0-<event id>), capped at --stream-history. */
  streamLog: (key: string) => `${PREFIX}stream:${streamName(key)}:log`,
  /** Hash: the generator's state, rate, payload size, added latency and the node that ticks it. */
  streamState: (key: string) => `${PREFIX}stream:${streamName(key)}:state`,
};

export const channels = {
  /** A stream's events ('e' + JSON) and controls ('c' + JSON), in the order Redis took them. */
  stream: (key: string) => `${PREFIX}ev:${streamName(key)}`,
  /** Tap events for the node that owns the session. */
  tap: (id: string) => `${PREFIX}tap:${id}`,
  /** Sessions closed (every node forgets them and drops their streams). */
  sessions: `${PREFIX}sessions`,
  /** Named-socket control requests, to every node. */
  sockets: `${PREFIX}sockets`,
  /** Answers to one node's requests. */
  replies: (node: string) => `${PREFIX}reply:${node}`,
};
