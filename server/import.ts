/**
 * npm run import -- capture.pcapng > trace.json
 * npm run import -- --findings capture.pcapng
 *
 * Reads a pcap or pcapng file (tcpdump, Wireshark) in chunks and writes a wirescope trace to stdout as
 * it goes, so a capture of any size runs in bounded memory. A damaged or cut-short file: the error,
 * naming the record and its byte offset, goes to stderr and the exit code is 1; stdout still gets a
 * valid trace of everything before the fault. A file that is no capture at all writes nothing.
 *
 * With --findings it writes, instead of the trace, what the traffic does that the RFCs forbid or advise
 * against (src/lib/trace/findings.ts, read one event at a time), one line each, and exits 3 when any
 * is a violation: a check to run on a capture of one's own app, in a script or CI. It also takes a
 * wirescope trace (an export, or the demo server's --record file of JSON lines).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { once } from 'node:events';
import { CaptureFormatError, CaptureImport } from '../src/lib/trace/capture/import.ts';
import { findingsChecker, type Finding } from '../src/lib/trace/findings.ts';
import { describeFinding } from '../src/lib/trace/findingsText.ts';
import { INSPECT } from '../src/lib/i18n/inspect.ts';
import { eventToJson, traceFromJson, traceFromJsonLines } from '../src/lib/trace/json.ts';
import { TRACE_VERSION, type TraceEvent } from '../src/lib/trace/types.ts';

const USAGE = `usage: npm run import -- [--stats] FILE.pcap|FILE.pcapng > trace.json
       npm run import -- --findings [--lang en|ko] FILE.pcap|FILE.pcapng|TRACE.json

Writes a wirescope trace (JSON) of the file's HTTP/1.1, server-sent events and WebSocket traffic.
  --stats      print records, connections, speed and peak memory to stderr
  --findings   write what the traffic does that the RFCs forbid or advise against instead, one line
               each; exit code 3 when any is a violation
  --lang       the words of the findings: en (default) or ko`;

/** Exit code of --findings when the capture breaks a rule (1 is a damaged file, 2 a wrong command). */
const VIOLATIONS_FOUND = 3;

/** Input chunk size: large enough to keep the per-chunk overhead small, small enough to bound memory. */
const CHUNK = 1024 * 1024;

/** One finding as a line: where (connection, direction, event, byte of its direction's stream), what, why. */
function findingLine(finding: Finding, lang: 'en' | 'ko'): string {
  const { title, detail } = describeFinding(finding, lang);
  const level = finding.level === 'violation' ? INSPECT[lang].violation : INSPECT[lang].advice;
  const where = [
    finding.conn,
    finding.dir,
    `event ${finding.event}`,
    finding.streamOffset === undefined ? undefined : `byte ${finding.streamOffset}`,
  ].filter((part) => part !== undefined);
  return `${where.join(' ')}: ${level} (${finding.section}): ${title}. ${detail}`;
}

/** The last line: how many findings, and how many of them are violations. */
function findingsCount(list: readonly Finding[], lang: 'en' | 'ko'): string {
  const violations = list.filter((f) => f.level === 'violation').length;
  return lang === 'ko'
    ? `발견한 문제: ${list.length}, 위반: ${violations}`
    : `findings: ${list.length}, violations: ${violations}`;
}

/** Writes the findings, then their count; the exit code they make. */
function writeFindings(list: readonly Finding[], lang: 'en' | 'ko'): number {
  process.stdout.write(
    [...list.map((f) => findingLine(f, lang)), findingsCount(list, lang)].join('\n') + '\n',
  );
  return list.some((f) => f.level === 'violation') ? VIOLATIONS_FOUND : 0;
}

/**
 * The events of a wirescope trace file (an export, or a --record file of JSON lines), read whole; none
 * when the file is not JSON (a capture starts with its magic number, never with "{").
 */
async function traceFileEvents(file: string): Promise<readonly TraceEvent[] | undefined> {
  const handle = await open(file);
  const { bytesRead, buffer } = await handle.read(Buffer.alloc(1), 0, 1, 0).finally(() => handle.close());
  if (bytesRead === 0 || buffer[0] !== 0x7b) return undefined;
  const text = await readFile(file, 'utf8');
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return traceFromJsonLines(text).events; // not one JSON value: a --record file, one event per line
  }
  return traceFromJson(whole).events;
}

async function main(argv: string[]): Promise<number> {
  const stats = argv.includes('--stats');
  const findings = argv.includes('--findings');
  const langAt = argv.indexOf('--lang');
  const lang = langAt === -1 ? 'en' : argv[langAt + 1];
  const files = argv.filter((a, i) => !a.startsWith('--') && (langAt === -1 || i !== langAt + 1));
  if (argv.includes('--help') || files.length !== 1 || (lang !== 'en' && lang !== 'ko')) {
    (argv.includes('--help') ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return argv.includes('--help') ? 0 : 2;
  }
  const file = files[0]!;
  if (findings) {
    let events: readonly TraceEvent[] | undefined;
    try {
      events = await traceFileEvents(file);
    } catch (error) {
      process.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    if (events) {
      const checker = findingsChecker();
      events.forEach((event, i) => checker.push(event, i));
      return writeFindings(await checker.findings(), lang);
    }
  }
  const out = process.stdout;
  let pending: string[] = [];
  let started = false;
  let first = true;
  const checker = findings ? findingsChecker() : undefined;
  let index = 0;
  const job = new CaptureImport((event: TraceEvent) => {
    if (checker) return checker.push(event, index++);
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
  // Whatever was read before a fault is still a trace (closed properly) or still checked.
  const readable = !failure || failure instanceof CaptureFormatError;
  let found = 0;
  if (checker && readable) {
    found = writeFindings(await checker.findings(), lang);
  } else if (readable) {
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
  return found;
}

// A reader that stops early (`| head`) is not an error of the import.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
