import { defineSpec } from '../../machines/graph.ts';

/** The closing handshake (RFC 6455 sections 5.5.1, 7.1), and what happens without one. */
export default defineSpec('closing-handshake', {
  open: {
    next: 'close-sent',
    choices: { client: 'close-sent', server: 'close-sent', 'no-status': 'close-sent', 'tcp-cut': 'tcp-cut' },
    // Before anyone closes, the learner picks the code and reason the initiator sends.
    inputs: { 'learner.configure': { guard: 'validConfig', actions: ['configure'] } },
  },
  'close-sent': { next: [{ if: 'emptyBody', go: 'no-status' }, { go: 'closing' }] }, // Close with code and reason
  closing: { next: 'close-echoed' }, // the initiator is CLOSING, sends no more data
  'close-echoed': { next: 'tcp-close' }, // the other side answers with Close
  'tcp-close': { next: 'closed' }, // the server closes TCP first (7.1.1)
  closed: {}, // CLOSED on each side
  'no-status': { next: 'close-echoed' }, // choice "no-status": an empty close body, reported as 1005
  'tcp-cut': { next: 'abnormal' }, // choice "tcp-cut": the connection drops without a close frame
  abnormal: {}, // 1006, which never appears on the wire
});
