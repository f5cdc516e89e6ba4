import { beforeAll, describe, expect, it } from 'vitest';
import scenario, { type OpeningHandshakeContext } from '../../../src/lib/scenarios/opening-handshake/index';
import { handshakeInput, type HandshakeInput } from '../../../src/lib/scenarios/wire';
import { computeAccept } from '../../../src/lib/protocol/handshake';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

let input: HandshakeInput;
beforeAll(async () => {
  input = await handshakeInput();
});

function run(choice?: string) {
  const { actor } = start(scenario.machine, { ...input });
  actor.send({ type: 'step.next' });
  if (choice) actor.send({ type: 'learner.choose', choice });
  nextUntilEnd(actor);
  return actor;
}

describe('opening-handshake machine', () => {
  it('valid: 101 carries the Accept computed from the fixed key, and both sides end OPEN', async () => {
    const actor = run();
    expect(ctx(actor).path).toEqual([
      'tcp-connect',
      'upgrade-request',
      'server-checks',
      'accept-compute',
      'switching-protocols',
      'client-verifies',
      'open',
    ]);
    const [request, response] = unitsOf(actor);
    const text = ascii(request!.bytes);
    for (const h of [
      'Host: ',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      'Origin: ',
    ]) {
      expect(text).toContain(h);
    }
    const accept = await computeAccept('dGhlIHNhbXBsZSBub25jZQ==');
    expect(accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(ascii(response!.bytes)).toContain(`Sec-WebSocket-Accept: ${accept}\r\n`);
    expect(ascii(response!.bytes)).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\n/);
    expect(ctx(actor).client.readyState).toBe('OPEN');
    expect(ctx(actor).server.readyState).toBe('OPEN');
    const c = actor.getSnapshot().context as OpeningHandshakeContext;
    expect(c.accept.sha1Hex).toHaveLength(40);
  });

  it.each([
    ['wrong-version', 'reject-426', 426, 'Sec-WebSocket-Version: 8'],
    ['bad-key', 'reject-400', 400, 'Sec-WebSocket-Key: not-a-16-byte-nonce'],
    ['foreign-origin', 'reject-403', 403, 'Origin: https://evil.example'],
  ])('%s: the server answers %s and closes TCP', (choice, step, status, header) => {
    const actor = run(choice);
    expect(ctx(actor).path).toEqual(['tcp-connect', 'upgrade-request', 'server-checks', step, 'tcp-close']);
    const [request, response] = unitsOf(actor);
    expect(ascii(request!.bytes)).toContain(header);
    expect(ascii(response!.bytes)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    if (status === 426) expect(ascii(response!.bytes)).toContain('Sec-WebSocket-Version: 13');
    expect(ctx(actor).client.readyState).toBe('CLOSED');
    expect(ctx(actor).events.filter((e) => e.type === 'conn.close')).toEqual([
      expect.objectContaining({ by: 'server' }),
    ]);
  });

  it('wrong-accept: the client checks the 101 and fails the connection', () => {
    const actor = run('wrong-accept');
    expect(ctx(actor).path.slice(-3)).toEqual(['client-verifies', 'client-fails', 'tcp-close']);
    const c = actor.getSnapshot().context as OpeningHandshakeContext;
    expect(c.verdict?.ok).toBe(false);
    expect(ascii(unitsOf(actor)[1]!.bytes)).toContain(`Sec-WebSocket-Accept: ${input.wrongAccept}`);
    expect(ctx(actor).client.readyState).toBe('CLOSED');
  });

  it('a choice re-sends the request shown, without moving on', () => {
    const { actor } = start(scenario.machine, { ...input });
    actor.send({ type: 'step.next' });
    const before = ctx(actor).events.length;
    actor.send({ type: 'learner.choose', choice: 'wrong-version' });
    expect(actor.getSnapshot().matches('upgrade-request')).toBe(true);
    expect(ctx(actor).path).toEqual(['tcp-connect', 'upgrade-request']);
    expect(ctx(actor).events.length).toBe(before);
    expect(ascii(unitsOf(actor)[0]!.bytes)).toContain('Sec-WebSocket-Version: 8');
    expect(actor.getSnapshot().can({ type: 'learner.choose', choice: 'bogus' })).toBe(false);
  });
});
