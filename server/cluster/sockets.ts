/**
 * The control API on a socket another node holds. The node that got the request asks every node on one
 * channel; PUBLISH answers with how many nodes heard it, so the asker knows how many answers to wait
 * for. The node that holds the socket runs the same action as for a local one (server/ws/controls.ts)
 * and answers with its outcome; the others answer "not here".
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { isSocketAction, SOCKET_ACTIONS } from '../ws/controls.ts';
import type { Backplane } from './backplane.ts';
import { channels } from './keys.ts';
import type { SocketControlOutcome, SocketControlRequest } from './types.ts';

/** A node that does not answer within this time is taken as not holding the socket. */
const ANSWER_MS = 2_000;

interface Request extends SocketControlRequest {
  rid: string;
  from: string;
}

interface Answer {
  rid: string;
  found: boolean;
  problem?: string;
}

export class SocketRelay {
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private readonly onRequest = (message: string) => this.serve(message);
  private readonly onAnswer = (message: string) => {
    try {
      const answer = JSON.parse(message) as Answer;
      this.waiting.get(answer.rid)?.(answer);
    } catch {
      // Not ours to read.
    }
  };

  constructor(
    private readonly backplane: Backplane,
    private readonly node: string,
    private readonly find: (session: string, name: string) => WebSocket | undefined,
  ) {}

  async start(): Promise<void> {
    await this.backplane.subscribe(channels.sockets, this.onRequest);
    await this.backplane.subscribe(channels.replies(this.node), this.onAnswer);
  }

  async request(request: SocketControlRequest): Promise<SocketControlOutcome> {
    if (!this.backplane.connected) return { found: false };
    const rid = randomBytes(8).toString('hex');
    const tally = { expected: Infinity, answers: 0, done: (_: SocketControlOutcome) => undefined as void };
    const outcome = new Promise<SocketControlOutcome>((resolve) => {
      const timer = setTimeout(() => tally.done({ found: false }), ANSWER_MS);
      tally.done = (result) => {
        clearTimeout(timer);
        this.waiting.delete(rid);
        resolve(result);
      };
      this.waiting.set(rid, (answer) => {
        if (answer.found) tally.done({ found: true, problem: answer.problem });
        else if (++tally.answers >= tally.expected) tally.done({ found: false });
      });
    });
    const message: Request = { ...request, rid, from: this.node };
    try {
      // Every node (this one too) is subscribed to the channel; each of the others answers once.
      tally.expected = (await this.backplane.cmd.publish(channels.sockets, JSON.stringify(message))) - 1;
    } catch {
      tally.expected = 0;
    }
    if (tally.answers >= tally.expected) tally.done({ found: false });
    return outcome;
  }

  private serve(message: string): void {
    let request: Request;
    try {
      request = JSON.parse(message) as Request;
    } catch {
      return;
    }
    if (request.from === this.node || !isSocketAction(request.action)) return;
    const ws = this.find(request.session, request.name);
    const answer: Answer = { rid: request.rid, found: Boolean(ws) };
    if (ws) {
      const url = new URL(`http://wirescope.invalid/${request.search ?? ''}`);
      answer.problem = SOCKET_ACTIONS[request.action](ws, request.body ?? {}, url);
    }
    void this.backplane.publish(channels.replies(request.from), JSON.stringify(answer));
  }

  async stop(): Promise<void> {
    await this.backplane.unsubscribe(channels.sockets, this.onRequest).catch(() => undefined);
    await this.backplane.unsubscribe(channels.replies(this.node), this.onAnswer).catch(() => undefined);
  }
}
