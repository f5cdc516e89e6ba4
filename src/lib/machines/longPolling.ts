/**
 * Long polling: the server holds each request until it has news (200) or its wait expires (204), and
 * the client asks again at once. The learner decides at each held request whether data arrives; left
 * alone, the wait expires by itself after the named delay `pollWait`.
 */
import { assign, setup } from 'xstate';
import type { ChoiceParams, ScenarioEvent } from './events';
import {
  baseContext,
  chose,
  enterStepOf,
  httpDate,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { headLength } from '../protocol/http';
import { httpResponse, jsonGet, jsonOk, statusSummary } from './wire';

export interface LongPollingContext extends BaseContext {
  speed: number;
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

/** The wait the client asks for (ms), as in `?wait=25000`. */
export const POLL_WAIT = 25_000;
const CONN = 'c1';

function poll(b: StepBuilder, c: LongPollingContext): Partial<LongPollingContext> {
  const target = `/api/poll?wait=${POLL_WAIT}&since=${c.lastId}`;
  const bytes = jsonGet(target);
  b.unit(CONN, 'c2s', 'http-request', `GET ${target} HTTP/1.1`, bytes);
  return { requests: c.requests + 1, headerBytes: c.headerBytes + headLength(bytes) };
}

export const STEPS: Record<string, StepBuild<LongPollingContext>> = {
  request: (b, c) => {
    b.connect(CONN);
    return poll(b, c);
  },
  held: (b, c) => {
    b.note(NOTES.held(POLL_WAIT / 1000), 'server');
    return { held: c.held + 1, maxHeld: Math.max(c.maxHeld, c.held + 1) };
  },
  'data-arrives': (b) => {
    b.wait(1800).note(NOTES.eventHappens, 'server');
  },
  'response-data': (b, c) => {
    const id = c.lastId + 1;
    const body = `{"id":${id},"text":"hello"}`;
    const bytes = jsonOk(b.t, body, ['Cache-Control', 'no-store']);
    b.unit(CONN, 's2c', 'http-response', `${statusSummary(200)} ${body}`, bytes);
    return {
      held: c.held - 1,
      responses: c.responses + 1,
      delivered: c.delivered + 1,
      lastId: id,
      headerBytes: c.headerBytes + headLength(bytes),
    };
  },
  'wait-expires': (b) => {
    b.wait(POLL_WAIT).note(NOTES.waitExpires(POLL_WAIT / 1000), 'server');
  },
  'response-empty': (b, c) => {
    const bytes = httpResponse(204, [
      ['Date', httpDate(b.t)],
      ['Cache-Control', 'no-store'],
    ]);
    b.unit(CONN, 's2c', 'http-response', statusSummary(204), bytes);
    return { held: c.held - 1, responses: c.responses + 1, headerBytes: c.headerBytes + headLength(bytes) };
  },
  're-request': (b, c) => poll(b, c),
  summary: (b, c) => {
    const per = c.delivered ? Math.round(c.headerBytes / c.delivered) : c.headerBytes;
    b.note(NOTES.longPollSummary(c.requests, c.delivered, c.headerBytes, per, c.maxHeld));
  },
};

export const longPollingMachine = setup({
  types: {
    context: {} as LongPollingContext,
    events: {} as ScenarioEvent,
    input: {} as BaseInput | undefined,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
    record: assign(({ context }, params: ChoiceParams) => ({ choices: [...context.choices, params.choice] })),
  },
  guards: {
    chose,
    nothingDeliveredYet: ({ context }) => context.delivered === 0,
    twoResponsesSeen: ({ context }) => context.responses >= 2,
  },
  delays: {
    /** The server's wait, in real time at speed 1 (so the lesson's "25 s" is 25 s), scaled by speed. */
    pollWait: ({ context }) => POLL_WAIT / context.speed,
  },
}).createMachine({
  id: 'long-polling',
  context: ({ input }) => ({
    ...baseContext(),
    speed: input?.speed ?? 1,
    held: 0,
    maxHeld: 0,
    requests: 0,
    responses: 0,
    delivered: 0,
    headerBytes: 0,
    lastId: 0,
  }),
  initial: 'request',
  states: {
    request: { entry: { type: 'enter', params: { step: 'request' } }, on: { 'step.next': 'held' } },
    held: {
      entry: { type: 'enter', params: { step: 'held' } },
      after: {
        pollWait: { target: 'wait-expires', actions: { type: 'record', params: { choice: 'timeout' } } },
      },
      on: {
        'learner.choose': [
          {
            guard: { type: 'chose', params: { choice: 'data' } },
            target: 'data-arrives',
            actions: { type: 'record', params: { choice: 'data' } },
          },
          {
            guard: { type: 'chose', params: { choice: 'timeout' } },
            target: 'wait-expires',
            actions: { type: 'record', params: { choice: 'timeout' } },
          },
        ],
        'step.next': [{ guard: 'nothingDeliveredYet', target: 'data-arrives' }, { target: 'wait-expires' }],
      },
    },
    'data-arrives': {
      entry: { type: 'enter', params: { step: 'data-arrives' } },
      on: { 'step.next': 'response-data' },
    },
    'response-data': {
      entry: { type: 'enter', params: { step: 'response-data' } },
      on: { 'step.next': 're-request' },
    },
    'wait-expires': {
      entry: { type: 'enter', params: { step: 'wait-expires' } },
      on: { 'step.next': 'response-empty' },
    },
    'response-empty': {
      entry: { type: 'enter', params: { step: 'response-empty' } },
      on: { 'step.next': 're-request' },
    },
    're-request': {
      entry: { type: 'enter', params: { step: 're-request' } },
      on: { 'step.next': [{ guard: 'twoResponsesSeen', target: 'summary' }, { target: 'held' }] },
    },
    summary: { entry: { type: 'enter', params: { step: 'summary' } } },
  },
});
