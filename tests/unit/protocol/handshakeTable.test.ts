/**
 * The table of bad opening handshakes (tests/fixtures/handshakes.ts) against the protocol's validator:
 * the same bytes the server test sends over a socket, the same status and header fields expected.
 */
import { describe, expect, it } from 'vitest';
import {
  getHeader,
  latin1Bytes,
  parseHttpMessage,
  serializeResponse,
  validateUpgradeRequest,
} from '../../../src/lib/protocol/index.ts';
import { BAD_HANDSHAKES, serverPolicy } from '../../fixtures/handshakes.ts';

const PORT = 8080;

describe('the table of bad handshakes, answered by validateUpgradeRequest', () => {
  it.each(BAD_HANDSHAKES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const check = validateUpgradeRequest(latin1Bytes(row.request(PORT)), serverPolicy(PORT));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.status).toBe(row.status);
    // What goes on the wire is the serialised response: read it back as a client would.
    const parsed = parseHttpMessage(serializeResponse(check.response), 0, { kind: 'response' });
    expect(parsed?.message.kind).toBe('response');
    if (parsed?.message.kind !== 'response') return;
    expect(parsed.message.status).toBe(row.status);
    for (const [name, value] of Object.entries(row.headers)) {
      expect(getHeader(parsed.message.headers, name), name).toBe(value);
    }
    for (const name of row.absent ?? [])
      expect(getHeader(parsed.message.headers, name), name).toBeUndefined();
  });

  it('accepts the same request with nothing wrong, from its own origin', () => {
    const good = `GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://localhost:${PORT}\r\n\r\n`;
    expect(validateUpgradeRequest(latin1Bytes(good), serverPolicy(PORT))).toMatchObject({
      ok: true,
      path: '/ws/echo',
    });
  });
});
