/**
 * The benches' tap reader: a process of its own, as the page is in real use, so that its work is not
 * charged to the bench's own round trips. It opens the tap at the URL it is given, prints the session id,
 * counts the events of every batch it gets and, when its stdin ends, prints the count and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { BATCH_INDEX_AT } from '../../src/lib/trace/batch.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Events in one of the tap's binary batches (src/lib/trace/batch.ts), counted without decoding them (the
 * page's work is not what is measured): in the JSON index each event opens with {"type":.
 */
export function batchEventCount(batch: Buffer): number {
  const indexLength = batch.readUInt32BE(0);
  return batch.toString('latin1', BATCH_INDEX_AT, BATCH_INDEX_AT + indexLength).split('{"type":').length - 1;
}

export interface TapReader {
  child: ChildProcess;
  /** The tap session the reader holds (add `?session=` to the requests it should see). */
  session: string;
  /** Ends the reader; resolves with how many events it got. */
  finish(): Promise<number>;
}

/** Starts a reader on `url` (`ws://…/ws/tap`, or `…/__wirescope/ws/tap?all=1`) once it holds a session. */
export async function startTapReader(url: string): Promise<TapReader> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, url], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!out.includes('\n')) {
    if (child.exitCode !== null) throw new Error(`the tap reader exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return {
    child,
    session: out.split('\n')[0]!.trim(),
    async finish() {
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
      return Number(out.split('\n')[1]);
    },
  };
}

function read(url: string): void {
  const tap = new WebSocket(url);
  let count = 0;
  let session = '';
  tap.on('message', (data: Buffer, binary) => {
    if (binary) count += batchEventCount(data);
    else if (!session) {
      session = (JSON.parse(String(data)) as { session: string }).session;
      process.stdout.write(`${session}\n`);
    }
  });
  process.stdin.resume();
  process.stdin.on('end', () => {
    process.stdout.write(`${count}\n`);
    tap.close();
    process.exit(0);
  });
}

if (process.argv[1] === SELF) read(process.argv[2]!);
