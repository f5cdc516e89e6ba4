/**
 * Reads a file the learner picked, told apart by its shape: a capture (pcap or pcapng, by its first
 * bytes), a saved lab run, a wirescope trace (an export, or the demo server's `--record` JSON lines),
 * or a HAR file.
 */
import { sniffCapture } from '../trace/capture/container';
import { importCapture } from '../trace/capture/import';
import { traceFromJson, traceFromJsonLines } from '../trace/json';
import type { Trace } from '../trace/types';
import { harValueToTrace, MAX_HAR_BYTES } from './har';
import type { RunData } from './labRun.svelte';
import { MAX_IMPORT_BYTES, RUN_FORMAT, runFromJson } from './runFile';

export type Imported =
  | { kind: 'run'; data: RunData }
  | { kind: 'har'; trace: Trace }
  | { kind: 'trace'; trace: Trace }
  /** `damaged`: the file breaks off or is damaged there; `trace` holds everything before it. */
  | { kind: 'capture'; trace: Trace; damaged?: string };

/** Largest capture the page opens (its bytes are all kept for the inspector); the CLI has no limit. */
export const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;

const TRACE_FORMAT = 'wirescope-trace';

/** A `--record` file: JSON lines whose first line is a trace header. */
function looksLikeJsonLines(text: string): boolean {
  const first = text.split('\n', 1)[0]!.trim();
  try {
    const head: unknown = JSON.parse(first);
    return typeof head === 'object' && head !== null && 'format' in head && head.format === TRACE_FORMAT;
  } catch {
    return false;
  }
}

export class ImportError extends Error {
  override name = 'ImportError';
}

/** Throws (HarFormatError, RunFormatError or ImportError) with a message fit to show the learner. */
export function importText(text: string, name: string): Imported {
  if (text.length > Math.max(MAX_IMPORT_BYTES, MAX_HAR_BYTES))
    throw new ImportError(
      `the file is larger than ${Math.max(MAX_IMPORT_BYTES, MAX_HAR_BYTES) / 1024 / 1024} MB`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (looksLikeJsonLines(text)) return { kind: 'trace', trace: traceFromJsonLines(text) };
    throw new ImportError('the file is not JSON');
  }
  if (typeof value === 'object' && value !== null && 'format' in value && value.format === TRACE_FORMAT)
    return { kind: 'trace', trace: traceFromJson(value) };
  if (typeof value === 'object' && value !== null && 'format' in value && value.format === RUN_FORMAT)
    return { kind: 'run', data: runFromJson(value) };
  if (typeof value === 'object' && value !== null && 'log' in value) {
    if (text.length > MAX_HAR_BYTES)
      throw new ImportError(`the file is larger than ${MAX_HAR_BYTES / 1024 / 1024} MB`);
    return { kind: 'har', trace: harValueToTrace(value, name) };
  }
  throw new ImportError('neither a wirescope lab run, a wirescope trace nor a HAR file');
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Reads a picked file: a pcap or pcapng capture, read in chunks and reassembled into a trace; anything
 * else as text (importText). A damaged capture still shows what came before the damage, with the error;
 * a file with nothing readable throws.
 */
export async function importFile(file: Blob & { name: string }): Promise<Imported> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  const named = /\.(pcap|pcapng|cap)$/i.test(file.name);
  if (!sniffCapture(head) && !named) return importText(await file.text(), file.name);
  if (file.size > MAX_CAPTURE_BYTES)
    throw new ImportError(
      `the capture is larger than ${MAX_CAPTURE_BYTES / 1024 / 1024} MB; convert it with npm run import, or capture less`,
    );
  const { trace, error } = await importCapture(chunksOf(file.stream()), file.name);
  if (error && !trace.events.some((e) => e.type === 'conn.open')) throw new ImportError(error.message);
  return { kind: 'capture', trace, ...(error ? { damaged: error.message } : {}) };
}
