/**
 * Regenerates the lab's recorded fixtures from real runs against the demo server (skipped unless
 * RECORD_FIXTURES=1):
 *
 *   npx vite build && RECORD_FIXTURES=1 npx playwright test tests/e2e/lab-record.spec.ts
 *
 * - tests/fixtures/lab-run.json: a clean 2-second run exported by the lab's own Export button;
 * - tests/fixtures/lab-run-cut.json: the same with "Cut every connection" pressed halfway;
 * - tests/fixtures/lab.har: the lab's API and WebSocket traffic of a run, recorded with the Chrome
 *   DevTools Protocol (Network domain) and written in Chrome's HAR shape, WebSocket messages in
 *   `_webSocketMessages`. The tap's own socket (/ws/tap) is left out: it carries the trace, not the lab's
 *   traffic, and would make the file large.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';

const RECORD = process.env.RECORD_FIXTURES === '1';
const FIXTURES = new URL('../fixtures/', import.meta.url);

async function runLab(page: Page, seconds: number, cutAtMs?: number): Promise<void> {
  await page.goto('/#/en/lab');
  await page.getByLabel('Events per second').fill('10');
  await page.getByLabel('Payload size (bytes)').fill('32');
  await page.getByLabel('Short polling interval (ms)').fill('200');
  await page.getByLabel('Run length (seconds)').fill(String(seconds));
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByTestId('lab-status')).toHaveText(/Running/, { timeout: 10_000 });
  if (cutAtMs !== undefined) {
    await page.waitForTimeout(cutAtMs);
    await page.getByRole('button', { name: 'Cut every connection' }).click();
  }
  await expect(page.getByTestId('lab-status')).toHaveText(/Finished/, { timeout: 30_000 });
}

async function exportRun(page: Page, name: string): Promise<void> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export run (JSON)' }).click();
  await copyFile(await (await downloading).path(), new URL(name, FIXTURES));
}

test.describe('record lab fixtures', () => {
  test.skip(!RECORD, 'set RECORD_FIXTURES=1 to regenerate tests/fixtures');

  test('a clean run', async ({ page }) => {
    await runLab(page, 2);
    await exportRun(page, 'lab-run.json');
  });

  test('a run with every connection cut', async ({ page }) => {
    await runLab(page, 3, 1200);
    await exportRun(page, 'lab-run-cut.json');
  });

  test('a HAR file of a run', async ({ page }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const har = new HarRecorder();
    har.listen(cdp as unknown as CdpLike);
    await runLab(page, 2);
    await page.waitForTimeout(300);
    const text = JSON.stringify(await har.build(cdp as unknown as CdpLike), null, 1);
    await writeFile(new URL('lab.har', FIXTURES), text);
  });
});

type Headers = Record<string, string>;

interface CdpLike {
  on(event: string, listener: (params: never) => void): void;
  send(method: string, params?: object): Promise<unknown>;
}

interface Pending {
  requestId: string;
  url: string;
  method: string;
  headers: Headers;
  postData?: string;
  /** Epoch seconds minus monotonic seconds, for this request's timestamps. */
  clock: number;
  start: number;
  resourceType: string;
  response?: {
    status: number;
    statusText: string;
    headers: Headers;
    mimeType: string;
    connectionId?: number;
    at: number;
  };
  end?: number;
  finished?: boolean;
  messages?: Array<{ type: 'send' | 'receive'; time: number; opcode: number; data: string }>;
}

const keep = (url: string) => /\/(api|ws)\//.test(url) && !url.includes('/ws/tap');
const list = (headers: Headers) => Object.entries(headers).map(([name, value]) => ({ name, value }));

/** Collects Network domain events into HAR 1.2 entries the way Chrome's "Save all as HAR" shapes them. */
class HarRecorder {
  private readonly requests = new Map<string, Pending>();

  listen(cdp: CdpLike): void {
    cdp.on(
      'Network.requestWillBeSent',
      (p: {
        requestId: string;
        request: { url: string; method: string; headers: Headers; postData?: string };
        timestamp: number;
        wallTime: number;
        type?: string;
      }) => {
        if (!keep(p.request.url)) return;
        this.requests.set(p.requestId, {
          requestId: p.requestId,
          url: p.request.url,
          method: p.request.method,
          headers: p.request.headers,
          ...(p.request.postData === undefined ? {} : { postData: p.request.postData }),
          clock: p.wallTime - p.timestamp,
          start: p.timestamp,
          resourceType: (p.type ?? 'Other').toLowerCase(),
        });
      },
    );
    cdp.on(
      'Network.responseReceived',
      (p: {
        requestId: string;
        timestamp: number;
        response: {
          status: number;
          statusText: string;
          headers: Headers;
          mimeType: string;
          connectionId?: number;
        };
      }) => {
        const r = this.requests.get(p.requestId);
        if (r) r.response = { ...p.response, at: p.timestamp };
      },
    );
    cdp.on('Network.loadingFinished', (p: { requestId: string; timestamp: number }) => {
      const r = this.requests.get(p.requestId);
      if (r) Object.assign(r, { end: p.timestamp, finished: true });
    });
    cdp.on('Network.webSocketCreated', (p: { requestId: string; url: string }) => {
      if (!keep(p.url)) return;
      this.requests.set(p.requestId, {
        requestId: p.requestId,
        url: p.url,
        method: 'GET',
        headers: {},
        clock: 0,
        start: 0,
        resourceType: 'websocket',
        messages: [],
      });
    });
    cdp.on(
      'Network.webSocketWillSendHandshakeRequest',
      (p: { requestId: string; timestamp: number; wallTime: number; request: { headers: Headers } }) => {
        const r = this.requests.get(p.requestId);
        if (r)
          Object.assign(r, {
            headers: p.request.headers,
            clock: p.wallTime - p.timestamp,
            start: p.timestamp,
          });
      },
    );
    cdp.on(
      'Network.webSocketHandshakeResponseReceived',
      (p: {
        requestId: string;
        timestamp: number;
        response: { status: number; statusText: string; headers: Headers };
      }) => {
        const r = this.requests.get(p.requestId);
        if (r) r.response = { ...p.response, mimeType: '', at: p.timestamp };
      },
    );
    const frame =
      (type: 'send' | 'receive') =>
      (p: { requestId: string; timestamp: number; response: { opcode: number; payloadData: string } }) => {
        const r = this.requests.get(p.requestId);
        r?.messages?.push({
          type,
          time: r.clock + p.timestamp,
          opcode: p.response.opcode,
          data: p.response.payloadData,
        });
      };
    cdp.on('Network.webSocketFrameSent', frame('send'));
    cdp.on('Network.webSocketFrameReceived', frame('receive'));
  }

  async build(cdp: CdpLike): Promise<object> {
    const entries = [];
    for (const r of [...this.requests.values()].sort((a, b) => a.start - b.start)) {
      if (!r.start) continue;
      let content: { size: number; mimeType: string; text?: string; encoding?: string } = {
        size: 0,
        mimeType: r.response?.mimeType ?? '',
      };
      if (r.finished && r.resourceType !== 'websocket') {
        try {
          const body = (await cdp.send('Network.getResponseBody', { requestId: r.requestId })) as {
            body: string;
            base64Encoded: boolean;
          };
          content = {
            ...content,
            size: body.body.length,
            text: body.body,
            ...(body.base64Encoded ? { encoding: 'base64' } : {}),
          };
        } catch {
          // Aborted or streaming responses keep no body.
        }
      }
      const url = new URL(r.url);
      const wait = r.response ? (r.response.at - r.start) * 1000 : 0;
      const receive = r.end && r.response ? (r.end - r.response.at) * 1000 : 0;
      entries.push({
        startedDateTime: new Date((r.clock + r.start) * 1000).toISOString(),
        time: wait + receive,
        request: {
          method: r.method,
          url: r.url,
          httpVersion: 'HTTP/1.1',
          headers: list(r.headers),
          queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
          cookies: [],
          headersSize: -1,
          bodySize: r.postData?.length ?? 0,
          ...(r.postData === undefined
            ? {}
            : { postData: { mimeType: r.headers['Content-Type'] ?? 'application/json', text: r.postData } }),
        },
        response: {
          status: r.response?.status ?? 0,
          statusText: r.response?.statusText ?? '',
          httpVersion: 'HTTP/1.1',
          headers: list(r.response?.headers ?? {}),
          cookies: [],
          content,
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
        },
        cache: {},
        timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive },
        ...(r.response?.connectionId === undefined ? {} : { connection: String(r.response.connectionId) }),
        _resourceType: r.resourceType,
        ...(r.messages ? { _webSocketMessages: r.messages } : {}),
      });
    }
    return {
      log: {
        version: '1.2',
        creator: { name: 'wirescope tests/e2e/lab-record.spec.ts (Chrome DevTools Protocol)', version: '1' },
        pages: [],
        entries,
      },
    };
  }
}
