/**
 * A saved lab run: versioned JSON holding the trace (in its own versioned form, src/lib/trace/json.ts),
 * the receipt log, the connection log, the settings and the figures; and the figures as CSV. Importing
 * validates everything and recomputes the figures from the trace and receipts, so a file cannot claim
 * numbers its bytes do not support.
 */
import { traceFromJson, traceToJson, type JsonTrace } from '../trace/json';
import type { RunData } from './labRun.svelte';
import type { RunFigures } from './metrics';
import { CONTENDERS, type ContenderId, type LogEntry, type Receipt } from './types';

export const RUN_FORMAT = 'wirescope-lab-run';
export const RUN_VERSION = 1;
/** Larger files are refused before parsing (a 2-minute run at full rate stays far below). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export class RunFormatError extends Error {
  override name = 'RunFormatError';
}

export interface RunFile {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  settings: RunData['settings'];
  expected: RunData['expected'];
  pageBytes: RunData['pageBytes'];
  receipts: Receipt[];
  log: LogEntry[];
  figures?: RunFigures;
  trace: JsonTrace;
}

export function runToJson(data: RunData, figures: RunFigures | undefined): RunFile {
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    settings: data.settings,
    expected: data.expected,
    pageBytes: data.pageBytes,
    receipts: data.receipts,
    log: data.log,
    ...(figures ? { figures } : {}),
    trace: traceToJson(data.trace),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isContender = (v: unknown): v is ContenderId => CONTENDERS.includes(v as ContenderId);

/** Validates a parsed run file; throws RunFormatError naming what is wrong. */
export function runFromJson(value: unknown): RunData {
  if (!isRecord(value) || value.format !== RUN_FORMAT) throw new RunFormatError('not a wirescope lab run');
  if (value.version !== RUN_VERSION)
    throw new RunFormatError(`unsupported run version ${String(value.version)}`);
  const s = value.settings;
  if (!isRecord(s) || ![s.rate, s.payloadBytes, s.pollIntervalMs, s.durationMs].every(isNum))
    throw new RunFormatError('settings must hold rate, payloadBytes, pollIntervalMs and durationMs');
  const e = value.expected;
  if (!isRecord(e) || !isNum(e.from) || !isNum(e.to))
    throw new RunFormatError('expected must hold from and to');
  if (!Array.isArray(value.receipts)) throw new RunFormatError('receipts must be an array');
  const receipts = value.receipts.map((r: unknown, i): Receipt => {
    if (!isRecord(r) || !isContender(r.contender) || ![r.id, r.sentAt, r.receivedAt].every(isNum))
      throw new RunFormatError(`receipt ${i} is malformed`);
    return {
      contender: r.contender,
      id: r.id as number,
      sentAt: r.sentAt as number,
      receivedAt: r.receivedAt as number,
    };
  });
  const log = (Array.isArray(value.log) ? value.log : []).map((l: unknown, i): LogEntry => {
    if (!isRecord(l) || !isContender(l.contender) || !isNum(l.at) || typeof l.kind !== 'string')
      throw new RunFormatError(`log entry ${i} is malformed`);
    return l as unknown as LogEntry;
  });
  const pb = isRecord(value.pageBytes) ? value.pageBytes : {};
  const pageBytes = { short: 0, long: 0, sse: 0, ws: 0 };
  for (const c of CONTENDERS) if (isNum(pb[c])) pageBytes[c] = pb[c];
  let trace;
  try {
    trace = traceFromJson(value.trace);
  } catch (error) {
    throw new RunFormatError(`trace: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    settings: {
      rate: s.rate as number,
      payloadBytes: s.payloadBytes as number,
      pollIntervalMs: s.pollIntervalMs as number,
      durationMs: s.durationMs as number,
    },
    expected: { from: e.from, to: e.to },
    pageBytes,
    receipts,
    log,
    trace,
  };
}

const round = (v: number | undefined): string => (v === undefined ? '' : String(Math.round(v * 100) / 100));

/** One row per contender, RFC 4180 CSV (no field needs quoting: numbers and fixed ids). */
export function figuresToCsv(figures: RunFigures): string {
  const head = [
    'contender',
    'expected',
    'delivered',
    'missed',
    'duplicates',
    'p50_ms',
    'p95_ms',
    'max_ms',
    'down_headers_per_event',
    'down_payload_per_event',
    'up_headers_per_event',
    'up_payload_per_event',
    'down_headers_total',
    'down_payload_total',
    'up_headers_total',
    'up_payload_total',
    'requests',
    'tcp_connections',
    'max_held',
    'mean_held',
    'reconnects',
  ];
  const rows = figures.contenders.map((c) =>
    [
      c.contender,
      figures.expected,
      c.delivered,
      c.missed,
      c.duplicates,
      round(c.latency?.p50),
      round(c.latency?.p95),
      round(c.latency?.max),
      round(c.downPerEvent?.headers),
      round(c.downPerEvent?.payload),
      round(c.upPerEvent?.headers),
      round(c.upPerEvent?.payload),
      c.down.headers,
      c.down.payload,
      c.up.headers,
      c.up.payload,
      c.requests,
      c.connections,
      c.maxHeld,
      round(c.meanHeld),
      c.reconnects,
    ].join(','),
  );
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}
