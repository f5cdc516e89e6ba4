/**
 * `--record FILE` writes "the format the app can import": a real server's record file, appended by two
 * runs, goes through the lab's importer (the same code the page's file picker calls) as a trace whose
 * frames are the bytes that crossed the wire.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ImportError, importText } from '../../src/lib/lab/importFile.ts';
import { decodeFrame, Opcode } from '../../src/lib/protocol/index.ts';
import { TraceFormatError, type UnitEvent } from '../../src/lib/trace/index.ts';
import { start, wsUrl } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'wirescope-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function echoOnce(record: string, text: string): Promise<void> {
  const server = await start({ record });
  const ws = new WebSocket(wsUrl(server.url, '/ws/echo'));
  await once(ws, 'open');
  ws.send(text);
  await once(ws, 'message');
  ws.close(1000);
  await once(ws, 'close');
  await server.close();
}

it('imports a --record file of two runs as one trace with the echoed frames', async () => {
  const record = join(dir, 'two-runs.jsonl');
  await echoOnce(record, 'first run');
  await echoOnce(record, 'second run');
  const imported = importText(readFileSync(record, 'utf8'), 'two-runs.jsonl');
  expect(imported.kind).toBe('trace');
  if (imported.kind !== 'trace') return;
  const texts = imported.trace.events
    .filter((e): e is UnitEvent => e.type === 'unit' && e.kind === 'ws-frame' && e.dir === 's2c')
    .map((e) => decodeFrame(e.bytes)!.frame)
    .filter((f) => f.opcode === Opcode.Text)
    .map((f) => new TextDecoder().decode(f.payload));
  expect(texts).toEqual(['first run', 'second run']);
  const times = imported.trace.events.map((e) => e.t);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

it('names the line of a damaged record file and imports nothing', () => {
  const record = join(dir, 'two-runs.jsonl');
  const lines = readFileSync(record, 'utf8').split('\n');
  lines[2] = '{"type":"bytes","t":1,"conn":"c1","dir":"up","bytes":""}';
  expect(() => importText(lines.join('\n'), 'bad.jsonl')).toThrow(TraceFormatError);
  expect(() => importText(lines.join('\n'), 'bad.jsonl')).toThrow(/event \d+: dir must be/);
  lines[2] = '{"type":"bytes",';
  expect(() => importText(lines.join('\n'), 'bad.jsonl')).toThrow(/line 3 is not JSON/);
  expect(() => importText('{"type":"bytes"}\n{"type":"bytes"}\n', 'x.jsonl')).toThrow(ImportError);
});
