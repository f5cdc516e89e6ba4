import { defineSpec } from '../../machines/graph.ts';

/** Where the attacker's page comes from: each choice redraws the step it is offered at. */
const WHERE = { redo: true } as const;

/**
 * Security: a session cookie and the page's own WebSocket; an attacker's page of another origin that
 * opens a WebSocket riding the learner's cookie (cross-site WebSocket hijacking), refused by the Origin
 * check and read by an endpoint without one; authenticating with a ticket or a first message; ws://
 * versus wss://; limits against floods.
 */
export default defineSpec('security', {
  'sign-in': { next: 'own-socket' }, // POST /api/security/sign-in: Set-Cookie, HttpOnly, SameSite=Lax
  'own-socket': { next: 'attacker-page' }, // GET /ws/private with Origin and Cookie: 101, the secret
  'attacker-page': {
    // the learner opens another page; from the same site on another port, or from another site
    next: 'attacker-handshake',
    choices: { 'same-site': WHERE, 'cross-site': WHERE },
  },
  'attacker-handshake': { next: 'origin-refused' }, // its script's upgrade: a foreign Origin, and the cookie?
  'origin-refused': { next: 'unprotected' }, // 403 by Origin
  unprotected: { next: 'ticket' }, // the same upgrade to an endpoint without the Origin check
  ticket: { next: 'first-message' }, // a short-lived ticket in the URL
  'first-message': { next: 'mixed-content' }, // a token in the first message
  'mixed-content': { next: 'too-big' }, // ws:// from an https:// page, and wss://
  'too-big': { next: 'summary' }, // a message over the limit: 1009
  summary: {}, // what each defence stops
});
