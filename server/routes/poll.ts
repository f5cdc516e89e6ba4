/**
 * Long polling (`GET /api/poll`): the response is held until the stream has an event after `since` or
 * the wait expires (204 No Content, RFC 9110 section 15.3.5). Held requests are bounded: past the cap the
 * answer is 503 with Retry-After (RFC 9110 sections 15.6.4 and 10.2.3). A client that goes away is
 * removed from the pending set at once, not when its wait would have expired.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { intParam, sendJson } from '../http-util.ts';
import type { EventStream, StreamEvent } from '../stream.ts';

interface PendingPoll {
  finish(events: StreamEvent[] | undefined): void;
}

export class PendingPolls {
  private readonly pending = new Set<PendingPoll>();

  constructor(
    private readonly cap: number,
    private readonly defaultWaitMs: number,
    private readonly maxWaitMs: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL, stream: EventStream): void {
    const since = intParam(url, 'since', stream.latestId, 0, Number.MAX_SAFE_INTEGER);
    const waitMs = intParam(url, 'wait', this.defaultWaitMs, 0, this.maxWaitMs);
    const ready = stream.since(since);
    if (ready.length > 0) {
      stream.delayed(() => respondWith(res, ready));
      return;
    }
    if (this.pending.size >= this.cap) {
      sendJson(res, 503, { error: 'too many pending long polls' }, { 'retry-after': '1' });
      return;
    }
    let done = false;
    const poll: PendingPoll = {
      finish: (events) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        this.pending.delete(poll);
        res.removeListener('close', gone);
        if (events) respondWith(res, events);
        else if (!res.writableEnded) res.writeHead(204, { 'cache-control': 'no-store' }).end();
      },
    };
    const timer = setTimeout(() => poll.finish(undefined), waitMs);
    const unsubscribe = stream.subscribe({
      // The stream already applied its injected latency before calling deliver.
      deliver: () => poll.finish(stream.since(since)),
      // A cut is a network failure, not an answer: the client sees its request fail and must re-request.
      cut: () => {
        gone();
        req.socket.destroy();
      },
    });
    const gone = () => {
      done = true;
      clearTimeout(timer);
      unsubscribe();
      this.pending.delete(poll);
    };
    res.once('close', gone);
    this.pending.add(poll);
  }

  /** Shutdown: every held poll gets its answer (204) now. */
  answerAll(): void {
    for (const poll of [...this.pending]) poll.finish(undefined);
  }
}

function respondWith(res: ServerResponse, events: StreamEvent[]): void {
  if (res.writableEnded || res.destroyed) return;
  const last = events.at(-1);
  sendJson(res, 200, { events, next: last?.id ?? null });
}
