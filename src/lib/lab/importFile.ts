/** Reads a file the learner picked: a saved lab run or a HAR file, told apart by their shape. */
import type { Trace } from '../trace/types';
import { harValueToTrace, MAX_HAR_BYTES } from './har';
import type { RunData } from './labRun.svelte';
import { MAX_IMPORT_BYTES, RUN_FORMAT, runFromJson } from './runFile';

export type Imported = { kind: 'run'; data: RunData } | { kind: 'har'; trace: Trace };

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
    throw new ImportError('the file is not JSON');
  }
  if (typeof value === 'object' && value !== null && 'format' in value && value.format === RUN_FORMAT)
    return { kind: 'run', data: runFromJson(value) };
  if (typeof value === 'object' && value !== null && 'log' in value) {
    if (text.length > MAX_HAR_BYTES)
      throw new ImportError(`the file is larger than ${MAX_HAR_BYTES / 1024 / 1024} MB`);
    return { kind: 'har', trace: harValueToTrace(value, name) };
  }
  throw new ImportError('neither a wirescope lab run nor a HAR file');
}
