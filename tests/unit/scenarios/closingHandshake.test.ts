import { describe, expect, it } from 'vitest';
import scenario, { type ClosingHandshakeContext } from '../../../src/lib/scenarios/closing-handshake/index';
import { decodeFrame } from '../../../src/lib/protocol/frame';
import { parseCloseBody } from '../../../src/lib/protocol/close';
import { ctx, nextUntilEnd, start, unitsOf } from './helpers';

function run(choice?: string, configure?: { code: number; reason: string }) {
  const { actor } = start(scenario.machine);
  if (configure) actor.send({ type: 'learner.configure', ...configure });
  if (choice) actor.send({ type: 'learner.choose', choice });
  nextUntilEnd(actor);
  return actor;
}
const closes = (actor: ReturnType<typeof run>) =>
  unitsOf(actor)
    .map((u) => ({ dir: u.dir, frame: decodeFrame(u.bytes)!.frame }))
    .filter((f) => f.frame.opcode === 8);

describe('closing-handshake machine', () => {
  it('client starts: Close, CLOSING, echo, server closes TCP first, both CLOSED', () => {
    const actor = run('client', { code: 1001, reason: 'going away' });
    expect(ctx(actor).path).toEqual(['open', 'close-sent', 'closing', 'close-echoed', 'tcp-close', 'closed']);
    const [first, echo] = closes(actor);
    expect(first!.dir).toBe('c2s');
    expect(first!.frame.masked).toBe(true);
    expect(parseCloseBody(first!.frame.payload)).toEqual({ ok: true, code: 1001, reason: 'going away' });
    expect(echo!.dir).toBe('s2c');
    expect(parseCloseBody(echo!.frame.payload)).toMatchObject({ code: 1001 });
    expect(ctx(actor).events.find((e) => e.type === 'conn.close')).toMatchObject({ by: 'server' });
    expect(ctx(actor).client).toEqual({ readyState: 'CLOSED', tcp: 'CLOSED' });
    expect(ctx(actor).server).toEqual({ readyState: 'CLOSED', tcp: 'TIME-WAIT' });
  });

  it('passes through CLOSING on the initiator before the echo', () => {
    const { actor } = start(scenario.machine);
    actor.send({ type: 'learner.choose', choice: 'server' });
    expect(ctx(actor).server.readyState).toBe('CLOSING');
    expect(ctx(actor).client.readyState).toBe('OPEN');
    expect(closes(actor as never)[0]!.dir).toBe('s2c');
    expect(closes(actor as never)[0]!.frame.masked).toBe(false);
  });

  it('no-status: an empty body on the wire, reported as 1005', () => {
    const actor = run('no-status');
    expect(ctx(actor).path).toEqual([
      'open',
      'close-sent',
      'no-status',
      'close-echoed',
      'tcp-close',
      'closed',
    ]);
    for (const c of closes(actor)) expect(c.frame.payload).toHaveLength(0);
    expect((actor.getSnapshot().context as ClosingHandshakeContext).reported.client?.code).toBe(1005);
  });

  it('tcp-cut: no close frame at all, 1006 reported, never on the wire', () => {
    const actor = run('tcp-cut');
    expect(ctx(actor).path).toEqual(['open', 'tcp-cut', 'abnormal']);
    expect(closes(actor)).toHaveLength(0);
    expect(ctx(actor).events.find((e) => e.type === 'conn.close')).toMatchObject({ abnormal: true });
    expect((actor.getSnapshot().context as ClosingHandshakeContext).reported.client).toEqual({
      code: 1006,
      reason: '',
      wasClean: false,
    });
  });

  it('rejects a close code that may not be sent', () => {
    const { actor } = start(scenario.machine);
    expect(actor.getSnapshot().can({ type: 'learner.configure', code: 1006, reason: '' })).toBe(false);
    expect(actor.getSnapshot().can({ type: 'learner.configure', code: 4000, reason: 'x' })).toBe(true);
  });
});
