/**
 * The incremental HTTP reader against node's own (llhttp, through node:http's HTTPParser), in the same
 * run: one request with a Content-Length body, fed whole in 64 KiB chunks and trickled in 1-byte
 * chunks, at two body sizes. Linear work shows as the same MB/s at 8 KiB and at 256 KiB; a reader that
 * copied its whole buffer or parsed the head again per chunk would fall off with the size.
 *
 * Run: npx tsx tests/bench/http.ts
 */
import { createRequire } from 'node:module';
import { HttpParser } from '../../src/lib/protocol/index.ts';

interface NodeHttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
interface NodeHttpParserClass {
  new (): NodeHttpParser;
  REQUEST: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}
// node:http's parser binding; not in @types/node, so this is the slice of it the bench uses.
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: NodeHttpParserClass };

const KiB = 1024;
const SIZES = [8 * KiB, 256 * KiB];
const CHUNKS: Array<[string, number]> = [
  ['64 KiB', 64 * KiB],
  ['1 B', 1],
];
/** Bytes each side reads per round and case; the best of ROUNDS alternating rounds counts. */
const WORK_BYTES = 4 * 1024 * KiB;
const TRICKLE_WORK_BYTES = 512 * KiB;
const ROUNDS = 3;

function request(size: number): Buffer {
  return Buffer.from(
    `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n${'b'.repeat(size)}`,
  );
}

function ours(bytes: Buffer, chunk: number): number {
  const parser = new HttpParser({ kind: 'request', maxBodyBytes: bytes.length });
  let body = 0;
  for (let i = 0; i < bytes.length; i += chunk) {
    for (const part of parser.read(bytes.subarray(i, i + chunk)))
      if (part.type === 'message') body += part.message.body.length;
  }
  return body;
}

function llhttp(bytes: Buffer, chunk: number): number {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {});
  let body = 0;
  parser[HTTPParser.kOnHeadersComplete] = () => 0;
  parser[HTTPParser.kOnBody] = (data: Buffer) => {
    body += data.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => undefined;
  for (let i = 0; i < bytes.length; i += chunk) parser.execute(bytes.subarray(i, i + chunk));
  return body;
}

function best(run: () => number, expected: number, passes: number): number {
  let ms = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < passes; i++) {
      if (run() !== expected) throw new Error('a parser lost body bytes');
    }
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}

export async function benchHttp(): Promise<void> {
  console.log(
    `HttpParser vs node's llhttp, one request with a Content-Length body, best of ${ROUNDS} rounds`,
  );
  console.log(
    ['chunks', 'body', 'ours MB/s', 'llhttp MB/s', 'ours/llhttp']
      .map((h, i) => (i < 2 ? h.padEnd(8) : h.padStart(13)))
      .join(''),
  );
  for (const [label, chunk] of CHUNKS) {
    for (const size of SIZES) {
      const bytes = request(size);
      const passes = Math.max(1, Math.round((chunk === 1 ? TRICKLE_WORK_BYTES : WORK_BYTES) / bytes.length));
      ours(bytes, chunk);
      llhttp(bytes, chunk);
      const oursMs = best(() => ours(bytes, chunk), size, passes);
      const nodeMs = best(() => llhttp(bytes, chunk), size, passes);
      const mb = (bytes.length * passes) / 1e6;
      const oursMBs = mb / (oursMs / 1000);
      const nodeMBs = mb / (nodeMs / 1000);
      console.log(
        label.padEnd(8) +
          `${size / KiB} KiB`.padEnd(8) +
          oursMBs.toFixed(1).padStart(13) +
          nodeMBs.toFixed(1).padStart(13) +
          `${(oursMBs / nodeMBs).toFixed(2)}x`.padStart(13),
      );
    }
  }
}

const isMain =
  typeof process !== 'undefined' &&
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await benchHttp();
