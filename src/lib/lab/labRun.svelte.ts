/**
 * One lab run, as reactive state for the page: opens the tap (src/lib/live/tap.ts), starts the four
 * contenders on the session's event stream, starts the generator, injects faults on request, and stops;
 * figures are recomputed from the trace and the receipt log while it runs and once at the end.
 */
import { endpoint } from '../live/endpoint';
import { openTap, TAPPED_REQUEST, TapRefusedError, type TapSession } from '../live/tap';
import type { TapRefusal } from '../trace/tap';
import { TRACE_VERSION, type Trace } from '../trace/types';
import { now, startClient, type Client } from './clients';
import { computeFigures, type RunFigures } from './metrics';
import {
  CONTENDERS,
  type ContenderId,
  type ExpectedIds,
  type LogEntry,
  type Receipt,
  type RunSettings,
  type StreamEvent,
} from './types';

export type RunStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'done' | 'error';

/** Payload bytes each contender read (bodies, stream, messages), to set against the tap's count. */
export type PageBytes = Record<ContenderId, number>;

/** Time for contenders to connect before the first event, and for in-flight bytes after the last. */
const CONNECT_MS = 400;
const DRAIN_MS = 500;
const REFRESH_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunData {
  settings: RunSettings;
  trace: Trace;
  receipts: Receipt[];
  log: LogEntry[];
  expected: ExpectedIds;
  pageBytes: PageBytes;
}

function zeroBytes(): PageBytes {
  return { short: 0, long: 0, sse: 0, ws: 0 };
}

export class LabRun {
  status: RunStatus = $state('idle');
  error: string | undefined = $state();
  /** Set when the server turned this page away (every session in use); the page words it. */
  refusal: TapRefusal | undefined = $state.raw();
  data: RunData | undefined = $state.raw();
  figures: RunFigures | undefined = $state.raw();
  paused = $state(false);

  private tap: TapSession | undefined;
  private clients: Client[] = [];
  private receipts: Receipt[] = [];
  private log: LogEntry[] = [];
  private pageBytes = zeroBytes();
  private since = 0;
  private settings: RunSettings | undefined;
  private timers: Array<ReturnType<typeof setTimeout>> = [];
  private latencyMs = 0;

  constructor(private readonly onfinish?: (data: RunData, figures: RunFigures) => void) {}

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'stopping';
  }

  async start(settings: RunSettings): Promise<void> {
    if (this.active) return;
    this.status = 'starting';
    this.error = undefined;
    this.refusal = undefined;
    this.paused = false;
    this.receipts = [];
    this.log = [];
    this.pageBytes = zeroBytes();
    this.settings = settings;
    this.latencyMs = 0;
    try {
      const tap = await openTap();
      this.tap = tap;
      const status = (await (await this.request('GET', '/api/stream/status')).json()) as { lastId: number };
      this.since = status.lastId;
      const hooks = {
        receive: (contender: ContenderId, events: StreamEvent[], bytes: number, at: number) => {
          this.pageBytes[contender] += bytes;
          for (const e of events)
            this.receipts.push({ contender, id: e.id, sentAt: e.sentAt, receivedAt: at });
        },
        log: (contender: ContenderId, kind: LogEntry['kind'], detail?: string) => {
          this.log.push({ contender, at: now(), kind, ...(detail === undefined ? {} : { detail }) });
        },
      };
      this.clients = CONTENDERS.map((c) =>
        startClient(c, {
          base: endpoint('/'),
          session: tap.id,
          since: this.since,
          pollIntervalMs: settings.pollIntervalMs,
          hooks,
        }),
      );
      await sleep(CONNECT_MS);
      await this.request('POST', '/api/stream/start', {
        rate: settings.rate,
        payloadBytes: settings.payloadBytes,
      });
      this.status = 'running';
      this.timers.push(setInterval(() => this.refresh(), REFRESH_MS));
      this.timers.push(setTimeout(() => void this.stop(), settings.durationMs));
    } catch (error) {
      this.fail(error);
    }
  }

  async stop(): Promise<void> {
    if (this.status !== 'running' || !this.tap) return;
    this.status = 'stopping';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    try {
      const status = (await (await this.request('POST', '/api/stream/stop')).json()) as { lastId: number };
      // Let every contender fetch what is still on its way: the short poll's next turn, the added latency.
      await sleep(DRAIN_MS + this.latencyMs + (this.settings?.pollIntervalMs ?? 0));
      await Promise.all(this.clients.map((client) => client.stop()));
      this.clients = [];
      await this.tap.settle(300, 3000);
      this.refresh({ from: this.since + 1, to: status.lastId });
      this.tap.close();
      this.tap = undefined;
      this.status = 'done';
      if (this.data && this.figures) this.onfinish?.(this.data, this.figures);
    } catch (error) {
      this.fail(error);
    }
  }

  async fault(kind: 'latency' | 'cut' | 'pause' | 'resume', latencyMs = 0): Promise<void> {
    if (this.status !== 'running') return;
    try {
      if (kind === 'latency') {
        this.latencyMs = latencyMs;
        await this.request('POST', '/api/faults', { addLatencyMs: latencyMs });
      } else if (kind === 'cut') {
        await this.request('POST', '/api/faults', { cutAll: true });
      } else {
        await this.request('POST', `/api/stream/${kind}`);
        this.paused = kind === 'pause';
      }
    } catch (error) {
      // A fault that could not be applied leaves the run going; the status line says why.
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Shows an imported run (figures recomputed from its trace and receipts). */
  load(data: RunData): void {
    if (this.active) return;
    this.data = data;
    this.figures = computeFigures(data);
    this.status = 'done';
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    for (const client of this.clients) void client.stop();
    this.tap?.close();
  }

  private refresh(expected?: ExpectedIds): void {
    const tap = this.tap;
    if (!tap || !this.settings) return;
    const seen = this.receipts.reduce((m, r) => Math.max(m, r.id), this.since);
    const data: RunData = {
      settings: this.settings,
      trace: { version: TRACE_VERSION, source: 'live', startedAt: tap.startedAt, events: [...tap.events] },
      receipts: [...this.receipts],
      log: [...this.log],
      expected: expected ?? { from: this.since + 1, to: seen },
      pageBytes: { ...this.pageBytes },
    };
    this.data = data;
    this.figures = computeFigures(data);
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    if (!this.tap) throw new Error('no tap session');
    const response = await fetch(endpoint(this.tap.withSession(path)), {
      ...TAPPED_REQUEST,
      method,
      ...(method === 'POST'
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }
        : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
    return response;
  }

  private fail(error: unknown): void {
    this.dispose();
    this.clients = [];
    this.tap = undefined;
    this.timers = [];
    this.status = 'error';
    this.error = error instanceof Error ? error.message : String(error);
    if (error instanceof TapRefusedError) this.refusal = error.refusal;
  }
}
