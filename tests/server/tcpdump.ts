/**
 * Recording loopback traffic with tcpdump for the tests: whether this machine can, and a capture that
 * starts only once packets reach the file and stops only once the file stops growing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Can this machine capture on loopback? Ask tcpdump itself: it says "listening on" once it can (then the
 * probe stops it), and fails at once without tcpdump or the right to capture.
 */
export function loopbackCapturePossible(): boolean {
  const probe = spawnSync('tcpdump', ['-i', 'lo', '-c', '1', '-w', '/dev/null', 'tcp port 9'], {
    timeout: 1500,
    encoding: 'utf8',
  });
  return typeof probe.stderr === 'string' && probe.stderr.includes('listening on');
}

/** Starts tcpdump on `device` (lo: Ethernet link type; any: Linux cooked v2) for the server's port. */
/** What tcpdump said when it stopped: packets the kernel dropped (the capture then lacks them). */
export interface CaptureEnd {
  dropped: number;
}

export async function capture(port: number, file: string, device = 'lo'): Promise<() => Promise<CaptureEnd>> {
  const child = spawn(
    'tcpdump',
    // -B: a 32 MiB kernel buffer, so a busy machine drops fewer packets before tcpdump reads them.
    ['-i', device, '--immediate-mode', '-U', '-s', '0', '-B', '32768', '-w', file, `tcp port ${port}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let said = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited with ${code}: ${said}`)));
  });
  // "listening" can come before the filter sees packets: knock (connect, send nothing, close) until
  // the capture file grows past its 24-byte header, so no byte of the exchange can be missed.
  const deadline = Date.now() + 10_000;
  while ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) <= 24) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // never leave a capture running behind a failed test
      throw new Error('tcpdump captured nothing on loopback');
    }
    const knock = connect(port, '127.0.0.1');
    await once(knock, 'connect');
    knock.end();
    await new Promise((r) => setTimeout(r, 100));
  }
  return async () => {
    // Let the last segments reach the capture: wait until the file has stopped growing for a while
    // (a busy machine can be slow to hand packets to tcpdump), then stop it.
    let size = -1;
    for (let waited = 0; waited < 5_000; waited += 300) {
      await new Promise((r) => setTimeout(r, 300));
      const now = statSync(file).size;
      if (now === size) break;
      size = now;
    }
    child.kill('SIGINT');
    await once(child, 'exit');
    return { dropped: Number(/(\d+) packets? dropped by kernel/.exec(said)?.[1] ?? 0) };
  };
}
