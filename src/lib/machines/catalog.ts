/**
 * The scenarios and their step ids: the contract between the scenario machines (which emit these ids)
 * and the lessons (whose narration is keyed by them). Lesson validation checks both directions.
 *
 * A scenario's path depends on the learner's choices; `steps` lists every step id the machine can reach,
 * in teaching order, and `choices` the learner's options with the step at which each is offered.
 */

export type ScenarioId =
  | 'request-response'
  | 'long-polling'
  | 'opening-handshake'
  | 'frames'
  | 'closing-handshake'
  | 'http-vs-websocket';

export interface ChoiceSpec {
  /** Stable id, used in the URL and as the machine event's `choice`. */
  id: string;
  /** The step id at which the learner is offered this choice. */
  at: string;
}

export interface ScenarioSpec {
  id: ScenarioId;
  steps: readonly string[];
  choices: readonly ChoiceSpec[];
}

export const SCENARIOS: Record<ScenarioId, ScenarioSpec> = {
  'request-response': {
    id: 'request-response',
    steps: [
      'tcp-connect', // three-way handshake, client SYN-SENT -> ESTABLISHED
      'request', // GET /api/time HTTP/1.1
      'response', // 200 OK with a small JSON body
      'poll-request', // short polling: the interval elapsed, ask again
      'poll-empty', // 200 with nothing new: bytes spent for no news
      'poll-request-again',
      'poll-data', // 200 with the event, late by up to one interval
      'summary', // requests, header bytes per delivered event
    ],
    choices: [],
  },
  'long-polling': {
    id: 'long-polling',
    steps: [
      'request', // GET /api/poll?wait=25000
      'held', // the server holds the request: one connection tied up
      'data-arrives', // choice "data": an event happens at the server
      'response-data', // 200 with the event
      'wait-expires', // choice "timeout": nothing happened within the wait
      'response-empty', // 204 No Content
      're-request', // the client asks again at once
      'summary', // held connections, header bytes per delivered message
    ],
    choices: [
      { id: 'data', at: 'held' },
      { id: 'timeout', at: 'held' },
    ],
  },
  'opening-handshake': {
    id: 'opening-handshake',
    steps: [
      'tcp-connect',
      'upgrade-request', // GET /chat HTTP/1.1 with Upgrade, Connection, Sec-WebSocket-Key/Version, Origin
      'server-checks', // method, Host, Upgrade/Connection tokens, key, version, Origin
      'accept-compute', // key + GUID -> SHA-1 -> base64
      'switching-protocols', // 101
      'client-verifies', // client checks Accept, Upgrade, Connection
      'open', // both sides OPEN
      'reject-426', // choice "wrong-version"
      'reject-400', // choice "bad-key"
      'reject-403', // choice "foreign-origin"
      'client-fails', // choice "wrong-accept": the client fails the connection (RFC 6455 4.1)
      'tcp-close',
    ],
    choices: [
      { id: 'valid', at: 'upgrade-request' },
      { id: 'wrong-version', at: 'upgrade-request' },
      { id: 'bad-key', at: 'upgrade-request' },
      { id: 'foreign-origin', at: 'upgrade-request' },
      { id: 'wrong-accept', at: 'upgrade-request' },
    ],
  },
  frames: {
    id: 'frames',
    steps: [
      'open', // an OPEN connection, both sides
      'client-text', // masked text frame "Hello"
      'masking', // the XOR with the real key, byte by byte
      'server-text', // the unmasked reply
      'binary', // a binary frame
      'length-16', // 126 + 16-bit extended length
      'length-64', // 127 + 64-bit extended length
      'fragment-first', // text, FIN=0
      'ping-between', // a ping between fragments
      'pong', // the pong answer carrying the ping's payload
      'fragment-last', // continuation, FIN=1: the message is complete
      'your-message', // the learner's own typed message, encoded live
    ],
    choices: [],
  },
  'closing-handshake': {
    id: 'closing-handshake',
    steps: [
      'open',
      'close-sent', // the initiator sends Close with a code and reason
      'closing', // the initiator is CLOSING, sends no more data
      'close-echoed', // the other side answers with Close
      'tcp-close', // the server closes TCP first (RFC 6455 7.1.1)
      'closed', // CLOSED on each side
      'no-status', // choice "no-status": an empty close body, reported as 1005
      'tcp-cut', // choice "tcp-cut": the connection drops without a close frame
      'abnormal', // 1006, which never appears on the wire
    ],
    choices: [
      { id: 'client', at: 'open' },
      { id: 'server', at: 'open' },
      { id: 'no-status', at: 'open' },
      { id: 'tcp-cut', at: 'open' },
    ],
  },
  'http-vs-websocket': {
    id: 'http-vs-websocket',
    steps: [
      'start', // both clients want updates from the same server
      'http-cycle', // connect, request, response, close
      'ws-handshake', // one upgrade
      'ws-push', // event 2 happens: the server pushes it at once, unasked
      'http-cycle-again', // the HTTP client learns of event 2 only at its next poll
      'ws-client-send', // and the client sends on the same connection
      'tally', // connections, requests, bytes on one clock
    ],
    choices: [],
  },
};

export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];
