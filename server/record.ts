/**
 * `--record FILE`: every trace event, appended as JSON lines. Each run first appends a header line
 * (`format`, `version`, `source`, `startedAt`) so that `t` of the events after it has an origin; the
 * app reads the file with `traceFromJsonLines` (src/lib/trace).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { TRACE_VERSION, type TraceEvent } from '../src/lib/trace/index.ts';
import { eventJsonText } from './sessions.ts';

export class Recorder {
  private readonly out: WriteStream;
  readonly startedAt = Date.now();

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: 'a' });
    // A missing directory or a read-only file must not take the server down; say so once.
    this.out.on('error', (error) => console.error(`wirescope: cannot record to ${file}: ${error.message}`));
    this.line({
      format: 'wirescope-trace',
      version: TRACE_VERSION,
      source: 'live',
      startedAt: this.startedAt,
    });
  }

  /** Takes an event whose `t` is epoch milliseconds. */
  write(event: TraceEvent): void {
    if (this.out.writable) this.out.write(`${eventJsonText(event, event.t - this.startedAt)}\n`);
  }

  private line(value: unknown): void {
    if (!this.out.writable) return;
    this.out.write(`${JSON.stringify(value)}\n`);
  }

  async close(): Promise<void> {
    if (this.out.closed) return;
    this.out.end();
    await once(this.out, 'close').catch(() => undefined);
  }
}
