/**
 * Versioned JSON for traces: export, import and `--record` files (JSON lines). Bytes travel as base64
 * of exactly the bytes on the wire. The tap's batches (batch.ts) use the same event form with the
 * bytes raw beside it.
 */
import { decodeBase64, encodeBase64 } from '../protocol/index.ts';
import {
  READABLE_TRACE_VERSIONS,
  TRACE_VERSION,
  type Trace,
  type TraceEvent,
  type TraceSource,
} from './types.ts';

/** An event as JSON: `bytes` (and a compressed frame's `inflated`) as base64. */
export type JsonTraceEvent = Omit<TraceEvent, 'bytes' | 'inflated'> & { bytes?: string; inflated?: string };

export interface JsonTrace {
  format: 'wirescope-trace';
  version: number;
  source: TraceSource;
  startedAt: number;
  title?: string;
  events: JsonTraceEvent[];
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
  constructor(
    message: string,
    /** Index of the offending event, when the fault is inside one. */
    readonly eventIndex?: number,
  ) {
    super(message);
  }
}

export function eventToJson(event: TraceEvent): JsonTraceEvent {
  if (event.type === 'unit' && event.inflated !== undefined) {
    const { inflated, ...rest } = event;
    return { ...rest, bytes: encodeBase64(event.bytes), inflated: encodeBase64(inflated) } as JsonTraceEvent;
  }
  if ('bytes' in event) return { ...event, bytes: encodeBase64(event.bytes) } as JsonTraceEvent;
  return { ...event } as JsonTraceEvent;
}

export function traceToJson(trace: Trace): JsonTrace {
  return {
    format: 'wirescope-trace',
    version: trace.version,
    source: trace.source,
    startedAt: trace.startedAt,
    ...(trace.title === undefined ? {} : { title: trace.title }),
    events: trace.events.map(eventToJson),
  };
}

const EVENT_TYPES = new Set(['conn.open', 'bytes', 'unit', 'conn.close', 'state', 'note']);
const SOURCES = new Set<TraceSource>(['simulation', 'live', 'har', 'import', 'capture']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNoteParams(value: unknown): boolean {
  return (
    isRecord(value) &&
    Object.values(value).every(
      (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
    )
  );
}

/** Reads a serialised event's `bytes` or `inflated`: the bytes, or why they cannot be read. */
export type BytesReader = (value: unknown, field: 'bytes' | 'inflated') => Uint8Array | string;

/** Files and exports carry bytes as base64 text. */
const readBase64: BytesReader = (value, field) => {
  if (typeof value !== 'string') return `${field} must be a base64 string`;
  return decodeBase64(value) ?? `${field} is not valid base64`;
};

/**
 * Validates one serialised event; throws TraceFormatError naming what is wrong. `version` is the file's:
 * a version 1 note (English `text`, optional Korean `ko`) becomes the message `said` with both.
 * `readBytes` reads the bytes fields (base64 unless the container says otherwise, as the tap's batches do).
 */
export function eventFromJson(
  value: unknown,
  index?: number,
  version: number = TRACE_VERSION,
  readBytes: BytesReader = readBase64,
): TraceEvent {
  const fail = (why: string): never => {
    throw new TraceFormatError(index === undefined ? why : `event ${index}: ${why}`, index);
  };
  if (!isRecord(value)) return fail('not an object');
  if (typeof value.type !== 'string' || !EVENT_TYPES.has(value.type))
    return fail(`unknown type ${String(value.type)}`);
  if (typeof value.t !== 'number' || !Number.isFinite(value.t)) return fail('t must be a finite number');
  if (value.node !== undefined && typeof value.node !== 'string') return fail('node must be a string');
  const needsConn = value.type !== 'state' && value.type !== 'note';
  if (needsConn && typeof value.conn !== 'string') return fail('conn must be a string');
  if (value.type === 'bytes' || value.type === 'unit') {
    if (value.dir !== 'c2s' && value.dir !== 's2c') return fail('dir must be "c2s" or "s2c"');
    const bytes = readBytes(value.bytes, 'bytes');
    if (typeof bytes === 'string') return fail(bytes);
    if (value.type === 'unit' && typeof value.summary !== 'string') return fail('summary must be a string');
    if (value.type === 'unit' && value.deflate !== undefined && typeof value.deflate !== 'boolean')
      return fail('deflate must be true or false');
    if (value.type === 'unit' && value.inflated !== undefined) {
      const inflated = readBytes(value.inflated, 'inflated');
      if (typeof inflated === 'string') return fail(inflated);
      return { ...value, bytes, inflated } as unknown as TraceEvent;
    }
    return { ...value, bytes } as unknown as TraceEvent;
  }
  if (value.type === 'note' && version === 1) {
    if (typeof value.text !== 'string') return fail('text must be a string');
    if (value.ko !== undefined && typeof value.ko !== 'string') return fail('ko must be a string');
    const { ko, text, ...rest } = value;
    const note = { ...rest, key: 'said', params: { en: text, ...(ko === undefined ? {} : { ko }) }, text };
    return note as unknown as TraceEvent;
  }
  if (value.type === 'note') {
    if (typeof value.key !== 'string') return fail('key must be a string');
    if (value.params !== undefined && !isNoteParams(value.params))
      return fail('params must map names to strings, numbers or booleans');
    if (value.text !== undefined && typeof value.text !== 'string') return fail('text must be a string');
  }
  if (
    value.type === 'conn.open' &&
    value.leg !== undefined &&
    value.leg !== 'client' &&
    value.leg !== 'target'
  )
    return fail('leg must be client or target');
  if (value.type === 'conn.open' && value.pair !== undefined && typeof value.pair !== 'string')
    return fail('pair must be a string');
  if (value.type === 'state' && value.peer !== 'client' && value.peer !== 'server')
    return fail('peer must be client or server');
  return { ...value } as unknown as TraceEvent;
}

/** Parses an exported trace; a foreign or malformed file gets a clear error and nothing else happens. */
export function traceFromJson(value: unknown): Trace {
  if (!isRecord(value) || value.format !== 'wirescope-trace') {
    throw new TraceFormatError('not a wirescope trace (missing "format": "wirescope-trace")');
  }
  const version = value.version;
  if (typeof version !== 'number' || !READABLE_TRACE_VERSIONS.includes(version)) {
    throw new TraceFormatError(
      `unsupported trace version ${String(version)}; this build reads ${READABLE_TRACE_VERSIONS.join(' and ')}`,
    );
  }
  if (typeof value.source !== 'string' || !SOURCES.has(value.source as TraceSource)) {
    throw new TraceFormatError(`unknown source ${String(value.source)}`);
  }
  if (typeof value.startedAt !== 'number') throw new TraceFormatError('startedAt must be a number');
  if (!Array.isArray(value.events)) throw new TraceFormatError('events must be an array');
  return {
    version: TRACE_VERSION,
    source: value.source as TraceSource,
    startedAt: value.startedAt,
    ...(typeof value.title === 'string' ? { title: value.title } : {}),
    events: value.events.map((event, i) => eventFromJson(event, i, version)),
  };
}

/**
 * Reads a `--record` file: JSON lines, each either a header (`format`, `version`, `source`, `startedAt`)
 * or an event whose `t` counts from the header before it. Several runs appended to one file become one
 * trace on the first run's clock.
 */
export function traceFromJsonLines(text: string): Trace {
  let header: JsonTrace | undefined;
  let version = TRACE_VERSION;
  let offset = 0;
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TraceFormatError(`line ${i + 1} is not JSON`);
    }
    if (isRecord(value) && value.format === 'wirescope-trace') {
      const run = traceFromJson({ ...value, events: [] });
      version = value.version as number;
      header ??= { ...traceToJson(run) };
      offset = run.startedAt - header.startedAt;
      return;
    }
    if (!header) throw new TraceFormatError('the first line must be a wirescope-trace header');
    const event = eventFromJson(value, events.length, version);
    events.push({ ...event, t: event.t + offset });
  });
  if (!header) throw new TraceFormatError('no wirescope-trace header line');
  return { version: TRACE_VERSION, source: header.source, startedAt: header.startedAt, events };
}
