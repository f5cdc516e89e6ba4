import { defineSpec } from '../../machines/graph.ts';

/** At the upgrade request the learner may break one thing; each choice re-sends the request shown. */
const WHAT_IF = { redo: true } as const;

/** The opening handshake (RFC 6455 section 4), with the ways it fails. */
export default defineSpec('opening-handshake', {
  'tcp-connect': { next: 'upgrade-request' },
  'upgrade-request': {
    // GET /chat HTTP/1.1 with Upgrade, Connection, Sec-WebSocket-Key/Version, Origin
    next: 'server-checks',
    choices: {
      valid: WHAT_IF,
      'wrong-version': WHAT_IF,
      'bad-key': WHAT_IF,
      'foreign-origin': WHAT_IF,
      'wrong-accept': WHAT_IF,
    },
  },
  'server-checks': {
    // method, Host, Upgrade/Connection tokens, key, version, Origin
    next: [
      { if: 'accepted', go: 'accept-compute' },
      { if: 'rejectedWith426', go: 'reject-426' },
      { if: 'rejectedWith403', go: 'reject-403' },
      { go: 'reject-400' },
    ],
  },
  'accept-compute': { next: 'switching-protocols' }, // key + GUID -> SHA-1 -> base64
  'switching-protocols': { next: 'client-verifies' }, // 101
  'client-verifies': { next: [{ if: 'clientAccepts', go: 'open' }, { go: 'client-fails' }] }, // Accept, Upgrade, Connection
  open: {}, // both sides OPEN
  'reject-426': { next: 'tcp-close' }, // choice "wrong-version"
  'reject-400': { next: 'tcp-close' }, // choice "bad-key"
  'reject-403': { next: 'tcp-close' }, // choice "foreign-origin"
  'client-fails': { next: 'tcp-close' }, // choice "wrong-accept": the client fails the connection (4.1)
  'tcp-close': {},
});
