/**
 * What differs between the simulated trace and the live one, in words a learner can check against the
 * two diagrams: the random inputs the simulation fixed (key, Accept, mask keys), the headers the browser
 * adds on its own, and counts and timings on the wire.
 */
import { decodeFrame } from '../protocol/frame';
import { getHeader, parseHttpMessage, type HttpHeader } from '../protocol/http';
import { toHex } from '../protocol/hex';
import type { TraceEvent, UnitEvent } from '../trace/types';

export interface Difference {
  id: 'key' | 'accept' | 'masks' | 'extra-headers' | 'connections' | 'messages' | 'bytes' | 'duration';
  simulated: string;
  live: string;
}

function unitsOf(events: readonly TraceEvent[]): UnitEvent[] {
  return events.filter((e): e is UnitEvent => e.type === 'unit');
}

function headersOf(unit: UnitEvent): HttpHeader[] {
  try {
    const parsed = parseHttpMessage(unit.bytes, 0, {
      kind: unit.kind === 'http-request' ? 'request' : 'response',
      requestMethod: 'GET',
      eof: true,
    });
    return parsed?.message.headers ?? [];
  } catch {
    return [];
  }
}

function header(units: UnitEvent[], kind: UnitEvent['kind'], name: string): string | undefined {
  for (const u of units) {
    if (u.kind !== kind) continue;
    const value = getHeader(headersOf(u), name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function masks(units: UnitEvent[]): string[] {
  const out: string[] = [];
  for (const u of units) {
    if (u.kind !== 'ws-frame' || u.dir !== 'c2s') continue;
    try {
      const key = decodeFrame(u.bytes)?.frame.maskKey;
      if (key) out.push(toHex(key));
    } catch {
      // an invalid frame has no key worth showing
    }
  }
  return out;
}

function headerNames(units: UnitEvent[]): Set<string> {
  const names = new Set<string>();
  for (const u of units) {
    if (u.kind === 'http-request') for (const h of headersOf(u)) names.add(h.name.toLowerCase());
  }
  return names;
}

const span = (events: readonly TraceEvent[]): number =>
  events.length === 0 ? 0 : events.reduce((m, e) => Math.max(m, e.t), 0) - events[0]!.t;

export function compareTraces(simulated: readonly TraceEvent[], live: readonly TraceEvent[]): Difference[] {
  const sim = unitsOf(simulated);
  const real = unitsOf(live);
  const out: Difference[] = [];
  const simKey = header(sim, 'http-request', 'sec-websocket-key');
  const liveKey = header(real, 'http-request', 'sec-websocket-key');
  if (simKey !== undefined || liveKey !== undefined) {
    out.push({ id: 'key', simulated: simKey ?? '—', live: liveKey ?? '—' });
    out.push({
      id: 'accept',
      simulated: header(sim, 'http-response', 'sec-websocket-accept') ?? '—',
      live: header(real, 'http-response', 'sec-websocket-accept') ?? '—',
    });
  }
  const simMasks = masks(sim);
  const liveMasks = masks(real);
  if (simMasks.length || liveMasks.length) {
    out.push({
      id: 'masks',
      simulated: simMasks.slice(0, 4).join(', ') || '—',
      live: liveMasks.slice(0, 4).join(', ') || '—',
    });
  }
  const simNames = headerNames(sim);
  const extra = [...headerNames(real)].filter((n) => !simNames.has(n)).sort();
  // Only meaningful when the simulation sends HTTP requests of its own to compare with.
  if (simNames.size > 0 && extra.length)
    out.push({ id: 'extra-headers', simulated: '—', live: extra.join(', ') });
  const conns = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'conn.open').length;
  out.push({ id: 'connections', simulated: String(conns(simulated)), live: String(conns(live)) });
  out.push({ id: 'messages', simulated: String(sim.length), live: String(real.length) });
  const bytes = (units: UnitEvent[]) => units.reduce((n, u) => n + u.bytes.length, 0);
  out.push({ id: 'bytes', simulated: String(bytes(sim)), live: String(bytes(real)) });
  out.push({
    id: 'duration',
    simulated: `${Math.round(span(simulated))} ms`,
    live: `${Math.round(span(live))} ms`,
  });
  return out;
}

/** Which lane a live connection belongs to: a connection that upgraded is the WebSocket client's. */
export function upgradedConnections(events: readonly TraceEvent[]): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    if (
      e.type === 'unit' &&
      (e.kind === 'ws-frame' || (e.kind === 'http-response' && e.summary.includes(' 101')))
    ) {
      out.add(e.conn);
    }
  }
  return out;
}
