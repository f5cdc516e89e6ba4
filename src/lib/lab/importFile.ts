/**
 * Reads a file the learner picked, told apart by its shape: a saved lab run, a wirescope trace (an
 * export, or the demo server's `--record` JSON lines), or a HAR file.
 */
import { traceFromJson, traceFromJsonLines } from '../trace/json';
import type { Trace } from '../trace/types';
import { harValueToTrace, MAX_HAR_BYTES } from './har';
import type { RunData } from './labRun.svelte';
import { MAX_IMPORT_BYTES, RUN_FORMAT, runFromJson } from './runFile';

export type Imported =
  { kind: 'run'; data: RunData } | { kind: 'har'; trace: Trace } | { kind: 'trace'; trace: Trace };

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
