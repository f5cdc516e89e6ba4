import { defineSpec } from '../../machines/graph.ts';

/** A what-if on the step shown: the step is built again with the choice applied. */
const WHAT_IF = { redo: true } as const;

/** permessage-deflate (RFC 7692): negotiated in the handshake, then every message compressed. */
export default defineSpec('compression', {
  offer: { next: 'answer' }, // the upgrade request with the browser's offer
  answer: {
    // the 101 and what the server agreed to; the learner picks the server's answer
    next: [{ if: 'declined', go: 'declined' }, { go: 'client-hello' }],
    choices: { takeover: WHAT_IF, 'no-takeover': WHAT_IF, declined: WHAT_IF },
  },
  'client-hello': { next: 'server-hello' }, // 'Hello' compressed and masked: RSV1 set
  'server-hello': { next: 'second-hello' }, // c1 07 f2 48 cd c9 c9 07 00 (7.2.3.1); 00 00 ff ff removed
  'second-hello': { next: 'third-hello' }, // the same message again: a back-reference (7.2.3.2)
  'third-hello': { next: 'fragments' }, // and again: smaller than the first
  fragments: { next: 'memory' }, // RSV1 on the first frame only; never on continuation or control frames
  memory: { next: 'secret' }, // what a compressed connection costs the server (npm run bench)
  secret: { next: 'guess' }, // a message with a secret, compressed on the victim's connection
  guess: { next: 'oracle', choices: { 'wrong-guess': WHAT_IF, 'right-guess': WHAT_IF } }, // attacker's text
  oracle: {}, // a right guess compresses smaller: the length leaks the secret
  declined: {}, // choice "declined": no Sec-WebSocket-Extensions in the 101, plain frames
});
