import { describe, expect, it } from 'vitest';
import spec from '../../../src/lib/scenarios/staying-connected/spec';
import scenario, {
  DEFAULT_HEARTBEAT_MS,
  HERD,
  SIM_RANDOM,
  detectionRows,
  eventJson,
  simDelay,
  type StayingConnectedContext,
} from '../../../src/lib/scenarios/staying-connected/index';
import {
  BACKOFF,
  backoffCeiling,
  herd,
  jitteredDelay,
  seeded,
} from '../../../src/lib/scenarios/staying-connected/backoff';
import { handshakeInput, FIXED, maskKey, streamUpgradeRequest } from '../../../src/lib/scenarios/wire';
import { decodeFrame, encodeFrame } from '../../../src/lib/protocol/frame';
import { parseCloseBody } from '../../../src/lib/protocol/close';
import { Opcode } from '../../../src/lib/protocol/constants';
import { validateUpgradeRequest } from '../../../src/lib/protocol/handshake';
import { toHex } from '../../../src/lib/protocol/hex';
import { WAIT_TICK_MS } from '../../../src/lib/machines/graph';
import { LATENCY } from '../../../src/lib/machines/kit';
import type { NoteEvent, UnitEvent } from '../../../src/lib/trace/types';
import { ascii, ctx, nextUntilEnd, start, unitsOf } from './helpers';

const handshake = await handshakeInput();
const input: Record<string, unknown> = { ...handshake };
const sc = (actor: ReturnType<typeof start>['actor']) =>
  actor.getSnapshot().context as StayingConnectedContext;
const frames = (actor: ReturnType<typeof start>['actor']) =>
  unitsOf(actor)
    .filter((u) => u.kind === 'ws-frame')
    .map((u) => ({ unit: u, frame: decodeFrame(u.bytes)!.frame }));
const text = (f: { frame: { payload: Uint8Array } }) => ascii(f.frame.payload);
const notes = (actor: ReturnType<typeof start>['actor']) =>
  ctx(actor).events.filter((e): e is NoteEvent => e.type === 'note');

/** Steps to `step` by the default path (choosing `choice` where it is offered). */
function to(step: string, choice?: string, extra: Record<string, unknown> = {}) {
  const run = start(scenario.machine, { ...input, ...extra });
  for (let i = 0; i < 40 && ctx(run.actor).path.at(-1) !== step; i++) {
    if (choice && run.actor.getSnapshot().can({ type: 'learner.choose', choice })) {
      run.actor.send({ type: 'learner.choose', choice });
    } else run.actor.send({ type: 'step.next' });
  }
  expect(ctx(run.actor).path.at(-1)).toBe(step);
  return run;
}

/** Moves the simulated clock one millisecond at a time, so timers set while it moves fire too. */
const advance = (clock: ReturnType<typeof start>['clock'], ms: number) => {
  for (let i = 0; i < ms; i++) clock.increment(1);
};

describe('staying-connected machine', () => {
  it('the network vanishes by default: silence, a lost heartbeat, backoff, resume, resend', () => {
    const { actor } = start(scenario.machine, input);
    expect(nextUntilEnd(actor)).toEqual([
      'open',
      'server-ping',
      'app-heartbeat',
      'send-message',
      'vanish',
      'silence',
      'heartbeat-lost',
      'declared-dead',
      'backoff',
      'retry-fails',
      'reconnect',
      'resume',
      'resend',
      'summary',
    ]);
  });

  it('a restarting server closes with 1001: the page knows at once, and the two paths reach every step', () => {
    const { actor } = to('send-message');
    actor.send({ type: 'learner.choose', choice: 'going-away' });
    const path = nextUntilEnd(actor);
    expect(path.slice(3)).toEqual([
      'send-message',
      'going-away',
      'backoff',
      'retry-fails',
      'reconnect',
      'resume',
      'resend',
      'summary',
    ]);
    const vanish = nextUntilEnd(start(scenario.machine, input).actor);
    expect(new Set([...path, ...vanish])).toEqual(new Set(spec.steps));
  });

  it('the server pings and the browser answers with a masked, empty pong (RFC 6455 5.5.2, 5.5.3)', () => {
    const { actor } = to('server-ping');
    const [ping, pong] = frames(actor).slice(-2);
    expect(toHex(ping!.unit.bytes)).toBe('89 00');
    expect(ping!.unit.dir).toBe('s2c');
    expect(pong!.unit.dir).toBe('c2s');
    expect(pong!.unit.bytes).toEqual(
      encodeFrame({ opcode: Opcode.Pong, payload: new Uint8Array(0), mask: maskKey(0) }),
    );
    expect(toHex(pong!.unit.bytes)).toBe('8a 80 37 fa 21 3d');
  });

  it('events carry ids in the demo server’s own JSON shape; the page keeps the last id', () => {
    const { actor } = to('open');
    const events = frames(actor).map(
      (f) => JSON.parse(text(f)) as { id: number; sentAt: number; payload: string },
    );
    expect(events.map((e) => e.id)).toEqual([1, 2]);
    expect(Object.keys(events[0]!)).toEqual(['id', 'sentAt', 'payload']);
    expect(text(frames(actor)[0]!)).toBe(eventJson(1, frames(actor)[0]!.unit.t));
    expect(sc(actor).lastId).toBe(2);
  });

  it('the vanished network loses the ack, event 3, the heartbeat and the Close, and nothing else', () => {
    const { actor } = start(scenario.machine, input);
    nextUntilEnd(actor);
    const lost = unitsOf(actor).filter((u) => u.error?.code === 'LOST');
    expect(lost.map((u) => [u.dir, ascii(decodeFrame(u.bytes)!.frame.payload).slice(0, 30)])).toEqual([
      ['s2c', '{"type":"ack","id":"c1"}'],
      ['s2c', eventJson(3, lost[1]!.t).slice(0, 30)],
      ['c2s', '{"type":"hb","n":2}'],
      ['c2s', expect.stringContaining('no heartbeat')],
    ]);
    const close = decodeFrame(lost[3]!.bytes)!.frame;
    expect(parseCloseBody(close.payload)).toEqual({ ok: true, code: 4000, reason: 'no heartbeat' });
    // The diagram draws them red from the error; each keeps the LOST message that says why.
    expect(lost.every((u) => u.error?.message.startsWith('never arrived'))).toBe(true);
  });

  it('both sides stay OPEN after the network vanishes, until the heartbeat says otherwise', () => {
    const { actor } = to('silence');
    expect(ctx(actor).client).toEqual({ readyState: 'OPEN', tcp: 'ESTABLISHED' });
    expect(ctx(actor).server).toEqual({ readyState: 'OPEN', tcp: 'ESTABLISHED' });
    actor.send({ type: 'step.next' });
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().matches('declared-dead')).toBe(true);
    expect(ctx(actor).client.readyState).toBe('CLOSING');
    expect(ctx(actor).server.readyState).toBe('CLOSED');
    // The page's heartbeats keep their rhythm: the lost one goes out one interval after the first.
    const beats = frames(actor).filter((f) => /"type":"hb"/.test(text(f)));
    expect(beats.map((f) => text(f))).toEqual(['{"type":"hb","n":1}', '{"type":"hb","n":2}']);
    expect(beats[1]!.unit.t - beats[0]!.unit.t).toBe(DEFAULT_HEARTBEAT_MS);
    // Declared dead one interval after that: two intervals after the first heartbeat, less the time
    // between it and the network vanishing (the answer timer ends 20 ms before the interval).
    const { heartbeatAt, vanishedAt } = sc(actor);
    const dead = notes(actor).find((n) => n.key === 'noAnswer');
    const total = (2 * DEFAULT_HEARTBEAT_MS - 20 - (vanishedAt! - heartbeatAt!)) / 1000;
    expect(dead?.params).toEqual({ seconds: 15, total: Math.round(total * 10) / 10 });
    expect(total).toBeGreaterThan(28);
  });

  it('the silence and the unanswered heartbeat wait the heartbeat interval on the simulated clock', () => {
    const { actor, clock } = to('vanish', undefined, { speed: 2 });
    actor.send({ type: 'learner.set', key: 'heartbeatMs', value: 5_000 });
    expect(sc(actor).heartbeatMs).toBe(DEFAULT_HEARTBEAT_MS); // only offered where the heartbeat is shown
    actor.send({ type: 'step.next' });
    expect(actor.getSnapshot().matches('silence')).toBe(true);
    // The silence lasts until the next heartbeat is due: an interval after the last one went out.
    const silence = sc(actor).silenceMs;
    expect(sc(actor).t).toBe(sc(actor).heartbeatAt! + DEFAULT_HEARTBEAT_MS);
    expect(silence).toBeLessThan(DEFAULT_HEARTBEAT_MS);
    // The player waits in ticks of WAIT_TICK_MS scenario ms, each taking half that at speed 2.
    const waited = (Math.ceil(silence / WAIT_TICK_MS) * WAIT_TICK_MS) / 2;
    advance(clock, waited - 1);
    expect(actor.getSnapshot().matches('silence')).toBe(true);
    advance(clock, 1);
    expect(actor.getSnapshot().matches('heartbeat-lost')).toBe(true);
    advance(clock, DEFAULT_HEARTBEAT_MS / 2);
    expect(actor.getSnapshot().matches('declared-dead')).toBe(true);
  });

  it('the heartbeat control redraws its step and the wait follows it; a value not offered is refused', () => {
    const { actor, clock } = to('app-heartbeat');
    expect(actor.getSnapshot().can({ type: 'learner.set', key: 'heartbeatMs', value: 7_000 })).toBe(false);
    expect(actor.getSnapshot().can({ type: 'learner.set', key: 'other', value: 5_000 })).toBe(false);
    const before = ctx(actor).events.length;
    actor.send({ type: 'learner.set', key: 'heartbeatMs', value: 5_000 });
    expect(ctx(actor).events.length).toBe(before);
    expect(notes(actor).at(-1)).toMatchObject({ key: 'appHeartbeat', params: { seconds: 5 } });
    expect(ctx(actor).path.at(-1)).toBe('app-heartbeat');
    actor.send({ type: 'step.next' });
    actor.send({ type: 'step.next' });
    actor.send({ type: 'step.next' });
    advance(clock, 5_000);
    expect(actor.getSnapshot().matches('heartbeat-lost')).toBe(true);
  });

  it('a speed change reaches the silence already counting down', () => {
    const { actor, clock } = to('vanish', undefined, { heartbeatMs: 60_000 });
    actor.send({ type: 'step.next' });
    const silence = sc(actor).silenceMs;
    advance(clock, 10_000);
    // Speed 5: a tick of 50 ms, a whole number of the simulated clock's milliseconds.
    actor.send({ type: 'player.speed', speed: 5 });
    advance(clock, (silence - 10_000) / 5 - WAIT_TICK_MS);
    expect(actor.getSnapshot().matches('silence')).toBe(true);
    advance(clock, 2 * WAIT_TICK_MS);
    expect(actor.getSnapshot().matches('heartbeat-lost')).toBe(true);
  });

  it('backs off with full jitter: attempt 1 after 620 ms fails, attempt 2 after 1620 ms more resumes', () => {
    const { actor } = to('backoff');
    expect(sc(actor).retryMs).toBe(Math.floor(SIM_RANDOM[0] * 1000));
    const t0 = ctx(actor).t;
    actor.send({ type: 'step.next' });
    expect(ctx(actor).t - t0).toBe(simDelay(0));
    expect(sc(actor).retryMs).toBe(simDelay(1));
    expect(simDelay(1)).toBe(Math.floor(SIM_RANDOM[1] * 2000));
    const t1 = ctx(actor).t;
    actor.send({ type: 'step.next' });
    const open = ctx(actor).events.find((e) => e.type === 'conn.open' && e.conn === 'ws-2');
    // The SYN leaves after the wait; the connection is open a round trip and a half later.
    expect(open?.t).toBe(t1 + simDelay(1) + 3 * LATENCY);
    expect(
      notes(actor)
        .filter((n) => n.key === 'backoffWait')
        .map((n) => n.params),
    ).toEqual([
      { attempt: 1, ms: 620, ceiling: 1000 },
      { attempt: 2, ms: 1620, ceiling: 2000 },
    ]);
  });

  it('reconnects with since= the last id: a valid upgrade request and its 101', () => {
    const { actor } = to('reconnect');
    const [request, response] = unitsOf(actor).slice(-2) as [UnitEvent, UnitEvent];
    expect(request.bytes).toEqual(streamUpgradeRequest(2));
    expect(ascii(request.bytes)).toMatch(/^GET \/ws\/stream\?since=2 HTTP\/1\.1\r\n/);
    const check = validateUpgradeRequest(request.bytes, {
      allowedHosts: [FIXED.host],
      allowedOrigins: [FIXED.origin],
    });
    expect(check.ok).toBe(true);
    expect(ascii(response.bytes)).toContain(`Sec-WebSocket-Accept: ${handshake.accept.accept}\r\n`);
    expect(request.conn).not.toBe(unitsOf(actor)[0]!.conn);
  });

  it('resumes from the history after id 2 and resends c1, which the server applies only once', () => {
    const { actor } = start(scenario.machine, input);
    nextUntilEnd(actor);
    const after = frames(actor).filter((f) => f.unit.conn === 'ws-2');
    expect(after.map((f) => f.unit.dir)).toEqual(['s2c', 's2c', 'c2s', 's2c']);
    expect(after.slice(0, 2).map((f) => (JSON.parse(text(f)) as { id: number }).id)).toEqual([3, 4]);
    // The resent event is the one lost in the vanished network, bytes for bytes (its sentAt included).
    const lost3 = frames(actor).find((f) => f.unit.error && text(f).startsWith('{"id":3,'))!;
    expect(text(after[0]!)).toBe(text(lost3));
    expect(text(after[2]!)).toBe('{"type":"say","id":"c1","text":"on my way"}');
    expect(text(after[3]!)).toBe('{"type":"ack","id":"c1"}');
    expect(sc(actor)).toMatchObject({ before: [1, 2], after: [3, 4], outbox: [], applied: { c1: 1 } });
    expect(ctx(actor).events.at(-1)).toMatchObject({
      type: 'note',
      text: 'Event ids before the break: 1, 2; after it: 3, 4. Each event once; c1 applied once',
    });
  });

  it('after a clean 1001 the ack has arrived, so nothing is resent', () => {
    const { actor } = to('send-message');
    actor.send({ type: 'learner.choose', choice: 'going-away' });
    const closes = frames(actor).filter((f) => f.frame.opcode === Opcode.Close);
    expect(closes.map((f) => [f.unit.dir, f.frame.masked, parseCloseBody(f.frame.payload)])).toEqual([
      ['s2c', false, { ok: true, code: 1001, reason: 'restarting' }],
      ['c2s', true, { ok: true, code: 1001, reason: 'restarting' }],
    ]);
    expect(sc(actor).outbox).toEqual([]);
    nextUntilEnd(actor);
    expect(frames(actor).filter((f) => f.unit.conn === 'ws-2' && f.unit.dir === 'c2s')).toHaveLength(0);
    expect(unitsOf(actor).some((u) => u.error)).toBe(false);
    expect(notes(actor).map((n) => n.key)).toContain('nothingToResend');
  });

  it('panels: the detection times once the network vanished, the herd once backing off', () => {
    const { actor } = to('vanish');
    const panels = scenario.panels!(sc(actor), 'en');
    expect(panels.map((p) => p.id)).toEqual(['detection']);
    const table = panels[0]!;
    const cells = table.kind === 'table' ? table.rows.map((r) => r.cells[0]!.replace(/\u00a0/g, ' ')) : [];
    expect(cells).toEqual(['30 s', '15 s – 30 s', '7 min 30 s', '15 min 25 s', '2 h 11 min 15 s']);
    actor.send({ type: 'step.next' });
    const ko = scenario.panels!({ ...sc(actor), path: [...sc(actor).path, 'backoff'] }, 'ko');
    expect(ko.map((p) => p.id)).toEqual(['detection', 'herd']);
    expect(ko[0]!.kind === 'table' && ko[0]!.rows[4]!.cells[0]).toBe('2시간 11분 15초');
  });
});

describe('backoff with full jitter', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffCeiling(2, { baseMs: 100, capMs: 250 })).toBe(250);
  });

  it('draws every wait in [0, ceiling)', () => {
    const random = seeded(1);
    for (let attempt = 0; attempt < 8; attempt++) {
      for (let i = 0; i < 200; i++) {
        const wait = jitteredDelay(attempt, random);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThan(backoffCeiling(attempt));
      }
    }
    expect(jitteredDelay(3, () => 0)).toBe(0);
    expect(jitteredDelay(3, () => 0.999_999)).toBe(7999);
  });

  it('a seeded generator repeats itself and stays in [0, 1)', () => {
    const a = seeded(42);
    const b = seeded(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(seeded(43)()).not.toBe(xs[0]);
  });

  it('the herd: without jitter every client in one instant, with jitter about a tenth per 100 ms', () => {
    expect(HERD.withoutJitter).toBe(10_000);
    expect(HERD.withJitter).toBeGreaterThan(1_000);
    expect(HERD.withJitter).toBeLessThan(1_150);
    expect(herd(500, 100, seeded(6455))).toEqual(herd(500, 100, seeded(6455)));
    expect(herd(10, 100, () => 0).withJitter).toBe(10);
    expect(BACKOFF).toEqual({ baseMs: 1000, capMs: 30000 });
  });

  it('detection rows follow the heartbeat', () => {
    expect(detectionRows(30_000).slice(0, 2)).toEqual([
      { id: 'page-heartbeat', seconds: [60, 60] },
      { id: 'server-ping', seconds: [30, 60] },
    ]);
  });
});
