import { defineSpec } from '../../machines/graph.ts';

/** Frames on an OPEN connection (RFC 6455 section 5). */
export default defineSpec('frames', {
  open: { next: 'client-text' }, // an OPEN connection, both sides
  'client-text': { next: 'masking' }, // masked text frame "Hello"
  masking: { next: 'server-text' }, // the XOR with the real key, byte by byte
  'server-text': { next: 'binary' }, // the unmasked reply
  binary: { next: 'length-16' }, // a binary frame
  'length-16': { next: 'length-64' }, // 126 + 16-bit extended length
  'length-64': { next: 'fragment-first' }, // 127 + 64-bit extended length
  'fragment-first': { next: 'ping-between' }, // text, FIN=0
  'ping-between': { next: 'pong' }, // a ping between fragments
  pong: { next: 'fragment-last' }, // the pong answer carrying the ping's payload
  'fragment-last': { next: 'your-message' }, // continuation, FIN=1: the message is complete
  // The learner's own typed message, encoded live: each keystroke re-sends the step's frame.
  'your-message': { inputs: { 'learner.type': { actions: ['setTyped'], redo: true } } },
});
