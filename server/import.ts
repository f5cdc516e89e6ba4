/**
 * npm run import -- capture.pcapng > trace.json
 *
 * Reads a pcap or pcapng file (tcpdump, Wireshark) in chunks and writes a wirescope trace to stdout as
 * it goes, so a capture of any size runs in bounded memory. A damaged or cut-short file: the error,
 * naming the record and its byte offset, goes to stderr and the exit code is 1; stdout still gets a
 * valid trace of everything before the fault. A file that is no capture at all writes nothing.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import { CaptureFormatError, CaptureImport } from '../src/lib/trace/capture/import.ts';
import { eventToJson } from '../src/lib/trace/json.ts';
import { TRACE_VERSION, type TraceEvent } from '../src/lib/trace/types.ts';

const USAGE = `usage: npm run import -- [--stats] FILE.pcap|FILE.pcapng > trace.json

Writes a wirescope trace (JSON) of the file's HTTP/1.1, server-sent events and WebSocket traffic.
  --stats   print records, connections, speed and peak memory to stderr`;

/** Input chunk size: large enough to keep the per-chunk overhead small, small enough to bound memory. */
const CHUNK = 1024 * 1024;

async function main(argv: string[]): Promise<number> {
  const stats = argv.includes('--stats');
  const files = argv.filter((a) => !a.startsWith('--'));
  if (argv.includes('--help') || files.length !== 1) {
    (argv.includes('--help') ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return argv.includes('--help') ? 0 : 2;
  }
  const file = files[0]!;
  const out = process.stdout;
  let pending: string[] = [];
  let started = false;
  let first = true;
  const job = new CaptureImport((event: TraceEvent) => {
    pending.push(`${first ? '' : ',\n'}${JSON.stringify(eventToJson(event))}`);
    first = false;
  });
  const header = () =>
    JSON.stringify({
      format: 'wirescope-trace',
      version: TRACE_VERSION,
      source: 'capture',
      startedAt: job.startedAt ?? 0,
      title: basename(file),
    }).replace(/}$/, ',"events":[\n');
  const flush = async () => {
    if (pending.length === 0) return;
    if (!started) {
      pending.unshift(header());
      started = true;
    }
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await once(out, 'drain');
  };
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  let failure: unknown;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) {
      const bytes = chunk as Buffer;
      job.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      await flush();
    }
    job.finish();
  } catch (error) {
    failure = error;
  }
  // Whatever was read before a fault is still a trace: close it properly.
  if (!(failure && !(failure instanceof CaptureFormatError))) {
    await flush();
    if (!started && !failure) {
      out.write(header());
      started = true;
    }
    if (started) out.write('\n]}\n');
  }
  if (stats) {
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const s = job.stats;
    const mb = s.bytesRead / 1e6;
    process.stderr.write(
      `${s.records} records, ${s.tcpSegments} TCP segments, ${s.connections} connections, ` +
        `${s.retransmitted} retransmitted, ${s.outOfOrder} out of order, ${s.missingBytes} bytes missing; ` +
        `${mb.toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(mb / seconds).toFixed(1)} MB/s ` +
        `(CPU ${cpuSeconds.toFixed(2)} s = ${(mb / cpuSeconds).toFixed(1)} MB per CPU second); ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
    );
  }
  if (failure) {
    const message = failure instanceof Error ? failure.message : String(failure);
    process.stderr.write(`${file}: ${message}\n`);
    return 1;
  }
  return 0;
}

// A reader that stops early (`| head`) is not an error of the import.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
