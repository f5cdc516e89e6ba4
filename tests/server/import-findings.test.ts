/**
 * `npm run import -- --findings`: a capture written by the test (no tcpdump needed) is checked one event
 * at a time (and, without the flag, written as a trace); each finding is a line, the last line counts them, and the exit code says whether any is a
 * violation (3), the file is damaged (1, after what was read before) or all is well (0).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/lib/protocol/index.ts';
import { importCapture } from '../../src/lib/trace/capture/import.ts';
import { eventToJson, traceToJson } from '../../src/lib/trace/json.ts';
import { Conversation, LinkType, pcapngFile } from '../helpers/captureWriter.ts';

const dir = mkdtempSync(join(tmpdir(), 'wirescope-import-findings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A WebSocket (the RFC 6455 section 1.3 handshake) whose client sends `frame`, closed properly or not. */
function capture(name: string, frame: Uint8Array, closeFrames: boolean): string {
  const conv = new Conversation({ address: '127.0.0.1', port: 50001 }, { address: '127.0.0.1', port: 8080 });
  conv.open();
  conv.upgrade('/chat');
  conv.send('c2s', frame);
  if (closeFrames) {
    conv.send(
      'c2s',
      encodeFrame({ opcode: 8, payload: Uint8Array.of(3, 232), mask: Uint8Array.of(1, 2, 3, 4) }),
    );
    conv.send('s2c', encodeFrame({ opcode: 8, payload: Uint8Array.of(3, 232) }));
  }
  conv.close();
  const path = join(dir, name);
  writeFileSync(path, pcapngFile(conv.packets, { linkType: LinkType.Null }));
  return path;
}

const importCli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'server/import.ts', ...args], { encoding: 'utf8' });
const run = (...args: string[]) => importCli('--findings', ...args);

describe('npm run import -- --findings', () => {
  it('names each finding on a line, counts them, and exits 3 on a violation', () => {
    const file = capture('unmasked.pcapng', encodeFrame({ opcode: 1, payload: 'hi' }), false);
    const result = run(file);
    expect(result.status, result.stderr).toBe(3);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      // byte 158: the second byte of the frame (its mask bit), after the 157 bytes of the request
      /^c1 c2s event \d+ byte 158: Violation \(RFC 6455 5\.1\): The client sent an unmasked frame\. /,
    );
    expect(lines[1]).toMatch(/^c1 event \d+: Advice \(RFC 6455 7\.1\.1\): /);
    expect(lines[2]).toBe('findings: 2, violations: 1');
    // Without --findings, the same file is a trace.
    const trace = importCli(file);
    expect(trace.status, trace.stderr).toBe(0);
    expect(JSON.parse(trace.stdout)).toMatchObject({ format: 'wirescope-trace', source: 'capture' });

    const korean = run('--lang', 'ko', file);
    expect(korean.status).toBe(3);
    expect(korean.stdout).toContain('위반 (RFC 6455 5.1): 클라이언트가 마스킹하지 않은 프레임을 보냈어요.');
    expect(korean.stdout.trimEnd().split('\n').at(-1)).toBe('발견한 문제: 2, 위반: 1');
  }, 60_000);

  it('exits 0 on a capture that breaks no rule, and 1 on a cut one after checking what it read', () => {
    const masked = encodeFrame({ opcode: 1, payload: 'hi', mask: Uint8Array.of(1, 2, 3, 4) });
    const clean = run(capture('clean.pcapng', masked, true));
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('findings: 0, violations: 0\n');

    const file = capture('cut.pcapng', encodeFrame({ opcode: 1, payload: 'hi' }), true);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 10));
    const cut = run(file);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/cut\.pcapng: record \d+ at byte \d+/);
    expect(cut.stdout).toContain('The client sent an unmasked frame');

    expect(run('--lang', 'fr', file).status).toBe(2);
  }, 60_000);

  it('checks a wirescope trace too: an export, a --record file of JSON lines, and says what is wrong with a bad one', async () => {
    const file = capture('for-trace.pcapng', encodeFrame({ opcode: 1, payload: 'hi' }), false);
    const { trace } = await importCapture(new Uint8Array(readFileSync(file)), 'for-trace.pcapng');
    const exported = join(dir, 'export.json');
    writeFileSync(exported, JSON.stringify(traceToJson(trace)));
    const recorded = join(dir, 'record.jsonl');
    const { events, ...header } = traceToJson(trace);
    writeFileSync(
      recorded,
      [header, ...trace.events.map(eventToJson)].map((v) => JSON.stringify(v)).join('\n'),
    );
    expect(events.length).toBeGreaterThan(0);
    const fromCapture = run(file).stdout;
    for (const path of [exported, recorded]) {
      const result = run(path);
      expect(result.status, result.stderr).toBe(3);
      expect(result.stdout).toBe(fromCapture);
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format":"something else"}');
    const bad = run(broken);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('broken.json: not a wirescope trace');
  }, 60_000);
});
