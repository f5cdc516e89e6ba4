/**
 * HTTP request/response and short polling: one keep-alive connection, a request, its response, then
 * the client asking again on an interval whether anything happened, mostly for nothing.
 */
import { PLAYER } from '../../i18n';
import type { StepBuild, StepBuilder, BaseContext } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import { headLength } from '../../protocol/http';
import { get, post, withTap } from '../../live/client';
import { jsonGet, jsonOk } from '../wire';
import spec from './spec';

export interface RequestResponseContext extends BaseContext {
  requests: number;
  delivered: number;
  headerBytes: number;
}

/** Short polling interval of the simulated client (ms). */
export const POLL_INTERVAL = 5000;
const CONN = 'c1';

function exchange(
  b: StepBuilder,
  c: RequestResponseContext,
  target: string,
): Partial<RequestResponseContext> {
  const bytes = jsonGet(target);
  b.unit(CONN, 'c2s', 'http-request', bytes);
  return { requests: c.requests + 1, headerBytes: c.headerBytes + headLength(bytes) };
}

function answer(
  b: StepBuilder,
  c: RequestResponseContext,
  body: string,
  delivers: boolean,
): Partial<RequestResponseContext> {
  b.wait(2);
  const bytes = jsonOk(b.t, body, ['Cache-Control', 'no-store']);
  b.unit(CONN, 's2c', 'http-response', bytes);
  return { headerBytes: c.headerBytes + headLength(bytes), delivered: c.delivered + (delivers ? 1 : 0) };
}

export const STEPS: Record<string, StepBuild<RequestResponseContext>> = {
  'tcp-connect': (b) => {
    b.connect(CONN);
  },
  request: (b, c) => exchange(b, c, '/api/time'),
  response: (b, c) => answer(b, c, '{"time":"09:00:00Z"}', true),
  'poll-request': (b, c) => {
    b.wait(POLL_INTERVAL).note('pollElapsed', undefined, { peer: 'client' });
    return exchange(b, c, '/api/events?since=0');
  },
  'poll-empty': (b, c) => answer(b, c, '[]', false),
  'poll-request-again': (b, c) => {
    b.wait(POLL_INTERVAL).note('eventHappened', { secondsAgo: 3 }, { peer: 'server' });
    b.note('pollElapsed', undefined, { peer: 'client' });
    return exchange(b, c, '/api/events?since=0');
  },
  'poll-data': (b, c) => answer(b, c, '[{"id":1,"text":"hello"}]', true),
  summary: (b, c) => {
    b.note('shortPollSummary', { requests: c.requests, delivered: c.delivered, headerBytes: c.headerBytes });
  },
};

const scenario: ScenarioModule<RequestResponseContext> = {
  spec,
  machine: scenarioMachine<RequestResponseContext>({
    spec,
    context: () => ({ requests: 0, delivered: 0, headerBytes: 0 }),
    steps: STEPS,
  }),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  runLive: () =>
    withTap(async (tap) => {
      await get(tap, '/api/time');
      await get(tap, '/api/stream/poll?since=0');
      await post(tap, '/api/stream/publish', { payload: 'hello' });
      await get(tap, '/api/stream/poll?since=0');
    }),
};

export default scenario;
