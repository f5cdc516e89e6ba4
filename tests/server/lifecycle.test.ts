import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { traceFromJsonLines } from '../../src/lib/trace/index.ts';
import { headEnd, RawClient, start, upgradeRequest, waitFor, wsUrl } from './helpers.ts';

describe('shutdown', () => {
  it('on SIGTERM closes WebSockets with 1001, answers held polls and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => /listening on http:\/\/\S+/.test(out), 15_000);
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const ws = new WebSocket(wsUrl(url, '/ws/echo'));
    await once(ws, 'open');
    const poll = fetch(`${url}/api/poll?wait=30000`);
    // Signal only once the poll is held: sent any later, it would rightly be refused with 503.
    const held = async () =>
      ((await (await fetch(`${url}/api/stats`)).json()) as { pendingPolls: number }).pendingPolls === 1;
    const deadline = Date.now() + 5000;
    while (!(await held()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const closed = once(ws, 'close');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await closed) as [number];
    expect(code).toBe(1001);
    expect((await poll).status).toBe(204);
    const [exitCode] = (await exited) as [number];
    expect(exitCode).toBe(0);
  });
});

describe('heartbeat', () => {
  it('drops a peer that stops answering pings', async () => {
    const server = await start({ heartbeatMs: 100 });
    const client = await RawClient.open(server.port);
    client.send(upgradeRequest('/ws/echo', server.port));
    await client.until((b) => headEnd(b) > 0);
    // The raw client never answers with a pong.
    await client.closed(2000);
    expect(client.receivedBytes.subarray(headEnd(client.receivedBytes) + 4)[0]).toBe(0x89);
    await server.close();
  });
});

describe('--record', () => {
  it('writes JSON lines the app can import', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wirescope-')), 'trace.jsonl');
    const server = await start({ record: file });
    const ws = new WebSocket(wsUrl(server.url, '/ws/echo'));
    await once(ws, 'open');
    ws.send('recorded');
    await once(ws, 'message');
    ws.close();
    await once(ws, 'close');
    await fetch(`${server.url}/api/time`);
    await server.close();
    const text = readFileSync(file, 'utf8');
    const lines = text.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const trace = traceFromJsonLines(text);
    expect(trace.source).toBe('live');
    const units = trace.events.flatMap((e) => (e.type === 'unit' ? [e.summary] : []));
    expect(units).toContain("Text 'recorded' (masked)");
    expect(units).toContain('GET /api/time HTTP/1.1');
    const bytes = trace.events.filter((e) => e.type === 'bytes');
    expect(bytes.every((e) => 'conn' in e && (e.dir === 'c2s' || e.dir === 's2c'))).toBe(true);
  });
});
