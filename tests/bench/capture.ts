/**
 * Capture import: a 100 MiB pcap of HTTP, server-sent events and WebSocket traffic (Ethernet, 1448-byte
 * segments, some out of order and some retransmitted) is written to a temporary folder, then
 *
 * - `npm run import` (server/import.ts, in a child process, stdout to /dev/null): the whole import
 *   (container, headers, reassembly, units, JSON), in MB/s and its peak RSS; and with `--findings`
 *   (the same reading, then the findings checker instead of JSON);
 * - our container reader alone (CaptureReader, records only), in MB/s;
 * - the peer: `tcpdump -r FILE -w /dev/null` (libpcap reading and rewriting every record) and, where
 *   it helps to compare the decoding, `tcpdump -nn -r FILE > /dev/null` (every packet decoded to text),
 *   with their peak RSS from /usr/bin/time where present.
 *
 * The file is deleted afterwards. Run: npx tsx tests/bench/capture.ts
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  rmSync,
  statSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import { CaptureReader } from '../../src/lib/trace/capture/container.ts';
import {
  Conversation,
  LinkType,
  join as joinBytes,
  pcapHeader,
  pcapRecord,
  text,
} from '../helpers/captureWriter.ts';

/** 100 MiB; WIRESCOPE_CAPTURE_BENCH_MB sets another size for a quick look. */
const TARGET_BYTES = Number(process.env.WIRESCOPE_CAPTURE_BENCH_MB ?? 100) * 1024 * 1024;
const MSS = 1448;
const OPTIONS = { linkType: LinkType.Ethernet };

/** One connection's packets: keep-alive HTTP, or an SSE stream, or a WebSocket conversation. */
function conversation(i: number): Uint8Array[] {
  const conv = new Conversation(
    { address: '10.0.0.2', port: 10_000 + (i % 50_000) },
    { address: '10.0.0.1', port: 8080 },
    LinkType.Ethernet,
    { isnClient: (i * 7919) >>> 0, isnServer: (i * 104_729) >>> 0, time: 1_700_000_000_000 + i * 10 },
  );
  conv.open();
  const kind = i % 3;
  if (kind === 0) {
    const body = 'x'.repeat(4000 + (i % 2000));
    for (let r = 0; r < 4; r++) {
      conv.send('c2s', text(`GET /api/item/${r} HTTP/1.1\r\nHost: example.test\r\n\r\n`), MSS);
      conv.send(
        's2c',
        text(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
        MSS,
      );
    }
  } else if (kind === 1) {
    conv.send(
      'c2s',
      text('GET /events HTTP/1.1\r\nHost: example.test\r\nAccept: text/event-stream\r\n\r\n'),
      MSS,
    );
    conv.send(
      's2c',
      text('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'),
      MSS,
    );
    for (let e = 0; e < 40; e++) {
      const event = `id: ${e}\ndata: ${'{"n":' + e + ',"pad":"' + 'y'.repeat(200 + (e % 50)) + '"}'}\n\n`;
      conv.send('s2c', text(`${event.length.toString(16)}\r\n${event}\r\n`), MSS);
    }
    conv.send('s2c', text('0\r\n\r\n'), MSS);
  } else {
    conv.send(
      'c2s',
      text(
        'GET /ws HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
      MSS,
    );
    conv.send(
      's2c',
      text(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
      ),
      MSS,
    );
    const mask = new Uint8Array([1, 2, 3, 4]);
    for (let m = 0; m < 30; m++) {
      const small = text(`message ${m} ${'z'.repeat(m * 3)}`);
      conv.send('c2s', joinBytes([0, 1, 2].map(() => encodeFrame({ opcode: 1, payload: small, mask }))), MSS);
      conv.send('s2c', encodeFrame({ opcode: 2, payload: new Uint8Array(m % 5 === 0 ? 20_000 : 300) }), MSS);
    }
  }
  conv.close();
  const packets = conv.packets.map((p) => pcapRecord(p, OPTIONS));
  // Every 40th packet swapped with the next (out of order), every 97th sent twice (a retransmission).
  for (let p = 5; p + 1 < packets.length; p += 40)
    [packets[p], packets[p + 1]] = [packets[p + 1]!, packets[p]!];
  for (let p = packets.length - 2; p > 3; p -= 97) packets.splice(p, 0, packets[p]!);
  return packets;
}

async function writeCapture(file: string): Promise<{ bytes: number; connections: number }> {
  const out = createWriteStream(file);
  out.write(pcapHeader(OPTIONS));
  let bytes = 24;
  let i = 0;
  while (bytes < TARGET_BYTES) {
    const records = conversation(i++);
    for (const r of records) bytes += r.length;
    if (!out.write(joinBytes(records))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, connections: i };
}

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Runs a command with stdout to /dev/null; wall time and, with /usr/bin/time, peak RSS in MB. */
interface Timing {
  seconds: number;
  cpuSeconds?: number;
  rssMb?: number;
}

/** Runs a command with stdout to /dev/null: wall time and, with /usr/bin/time, CPU time and peak RSS. */
function timed(command: string, args: string[]): Timing & { stderr: string; status: number | null } {
  const devNull = openSync('/dev/null', 'w');
  const useTime = existsSync('/usr/bin/time');
  const began = performance.now();
  const run = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M cpu=%U+%S', command, ...args], {
        stdio: ['ignore', devNull, 'pipe'],
        encoding: 'utf8',
      })
    : spawnSync(command, args, { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8' });
  const seconds = (performance.now() - began) / 1000;
  closeSync(devNull);
  const rss = /maxrss_kb=(\d+)/.exec(run.stderr ?? '');
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(run.stderr ?? '');
  return {
    seconds,
    ...(cpu ? { cpuSeconds: Number(cpu[1]) + Number(cpu[2]) } : {}),
    ...(rss ? { rssMb: Number(rss[1]) / 1024 } : {}),
    stderr: run.stderr ?? '',
    status: run.status,
  };
}

async function readerAlone(file: string): Promise<Timing> {
  const began = performance.now();
  const cpu = process.cpuUsage();
  const reader = new CaptureReader();
  let records = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const b = chunk as Buffer;
    records += reader.push(new Uint8Array(b.buffer, b.byteOffset, b.length)).length;
  }
  reader.finish();
  if (records === 0) throw new Error('no records');
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - began) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

export async function benchCapture(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wirescope-bench-capture-'));
  try {
    const file = join(dir, 'bench.pcap');
    const { bytes, connections } = await writeCapture(file);
    const mb = bytes / 1e6;
    console.log(
      `capture import: a ${(statSync(file).size / 1024 / 1024).toFixed(0)} MiB pcap, ${connections} connections ` +
        `(HTTP, SSE, WebSocket), Ethernet, ${MSS}-byte segments, some out of order or retransmitted`,
    );
    console.log(
      'MB/s of wall time, and of CPU time (the machine is shared: CPU time is the steadier figure)',
    );
    const ours = timed(process.execPath, ['--import', 'tsx', 'server/import.ts', '--stats', file]);
    if (ours.status !== 0) throw new Error(`import failed: ${ours.stderr}`);
    const checked = timed(process.execPath, ['--import', 'tsx', 'server/import.ts', '--findings', file]);
    if (checked.status !== 0 && checked.status !== 3) throw new Error(`--findings failed: ${checked.stderr}`);
    const rows: Array<[string, Timing]> = [
      ['npm run import (everything, JSON to /dev/null)', ours],
      ['npm run import --findings (checks, no JSON)', checked],
      ['  our container reader alone (records only)', await readerAlone(file)],
    ];
    if (hasTool('tcpdump')) {
      rows.push([
        'peer: tcpdump -r FILE -w /dev/null (records only)',
        timed('tcpdump', ['-r', file, '-w', '/dev/null']),
      ]);
      rows.push(['peer: tcpdump -nn -r FILE > /dev/null (decode)', timed('tcpdump', ['-nn', '-r', file])]);
    } else console.log('peer: tcpdump is not installed here');
    for (const [label, t] of rows) {
      const wall = `${(mb / t.seconds).toFixed(1).padStart(7)} MB/s wall`;
      const cpu = t.cpuSeconds ? `${(mb / t.cpuSeconds).toFixed(1).padStart(7)} MB/s CPU` : ' '.repeat(16);
      console.log(
        `${label.padEnd(52)} ${wall} ${cpu}${t.rssMb === undefined ? '' : `   peak RSS ${t.rssMb.toFixed(0)} MB`}`,
      );
    }
    const stats = ours.stderr.split('\n').find((l) => l.includes('records')) ?? '';
    console.log(`import: ${stats}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCapture();
