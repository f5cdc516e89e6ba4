/**
 * Long polling: the server holds each request until it has news (200) or its wait expires (204), and
 * the client asks again at once. The learner decides at each held request whether data arrives; left
 * alone, the wait expires by itself after POLL_WAIT of scenario time (scaled by the player's speed).
 */
import { PLAYER } from '../../i18n';
import { httpDate, type BaseContext, type StepBuild, type StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import { headLength } from '../../protocol/http';
import { get, post, sleep, withTap } from '../../live/client';
import { httpResponse, jsonGet, jsonOk } from '../wire';
import spec, { POLL_WAIT } from './spec';

export { POLL_WAIT };

export interface LongPollingContext extends BaseContext {
  /** Requests the server is holding open right now (one connection each). */
  held: number;
  /** Most requests held at once. */
  maxHeld: number;
  requests: number;
  responses: number;
  delivered: number;
  headerBytes: number;
  lastId: number;
}

const CONN = 'c1';

function poll(b: StepBuilder, c: LongPollingContext): Partial<LongPollingContext> {
  const target = `/api/poll?wait=${POLL_WAIT}&since=${c.lastId}`;
  const bytes = jsonGet(target);
  b.unit(CONN, 'c2s', 'http-request', bytes);
  return { requests: c.requests + 1, headerBytes: c.headerBytes + headLength(bytes) };
}

export const STEPS: Record<string, StepBuild<LongPollingContext>> = {
  request: (b, c) => {
    b.connect(CONN);
    return poll(b, c);
  },
  held: (b, c) => {
    b.note('held', { seconds: POLL_WAIT / 1000 }, { peer: 'server' });
    return { held: c.held + 1, maxHeld: Math.max(c.maxHeld, c.held + 1) };
  },
  'data-arrives': (b) => {
    b.wait(1800).note('eventHappens', undefined, { peer: 'server' });
  },
  'response-data': (b, c) => {
    const id = c.lastId + 1;
    const body = `{"id":${id},"text":"hello"}`;
    const bytes = jsonOk(b.t, body, ['Cache-Control', 'no-store']);
    b.unit(CONN, 's2c', 'http-response', bytes);
    return {
      held: c.held - 1,
      responses: c.responses + 1,
      delivered: c.delivered + 1,
      lastId: id,
      headerBytes: c.headerBytes + headLength(bytes),
    };
  },
  'wait-expires': (b) => {
    b.wait(POLL_WAIT).note('waitExpires', { seconds: POLL_WAIT / 1000 }, { peer: 'server' });
  },
  'response-empty': (b, c) => {
    const bytes = httpResponse(204, [
      ['Date', httpDate(b.t)],
      ['Cache-Control', 'no-store'],
    ]);
    b.unit(CONN, 's2c', 'http-response', bytes);
    return { held: c.held - 1, responses: c.responses + 1, headerBytes: c.headerBytes + headLength(bytes) };
  },
  're-request': (b, c) => poll(b, c),
  summary: (b, c) => {
    const per = c.delivered ? Math.round(c.headerBytes / c.delivered) : c.headerBytes;
    b.note('longPollSummary', {
      requests: c.requests,
      delivered: c.delivered,
      headerBytes: c.headerBytes,
      per,
      held: c.maxHeld,
    });
  },
};

const scenario: ScenarioModule<LongPollingContext> = {
  spec,
  machine: scenarioMachine<LongPollingContext>({
    spec,
    context: () => ({
      held: 0,
      maxHeld: 0,
      requests: 0,
      responses: 0,
      delivered: 0,
      headerBytes: 0,
      lastId: 0,
    }),
    steps: STEPS,
    guards: {
      nothingDeliveredYet: ({ context }) => context.delivered === 0,
      twoResponsesSeen: ({ context }) => context.responses >= 2,
    },
  }),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  runLive: () =>
    withTap(async (tap, observe) => {
      const first = get(tap, '/api/poll?since=0&wait=3000');
      await sleep(300);
      await post(tap, '/api/stream/publish', { payload: 'hello' });
      observe('observedPoll', { n: 1, status: (await first).status });
      const second = await get(tap, '/api/poll?since=1&wait=600');
      observe('observedPoll', { n: 2, status: second.status });
    }),
};

export default scenario;
