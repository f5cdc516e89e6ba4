/**
 * HTTP request/response and short polling: one keep-alive connection, a request, its response, then
 * the client asking again on an interval whether anything happened, mostly for nothing.
 */
import { assign, setup } from 'xstate';
import type { ScenarioEvent } from './events';
import {
  baseContext,
  enterStepOf,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { headLength } from '../protocol/http';
import { jsonGet, jsonOk, statusSummary } from './wire';

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
  b.unit(CONN, 'c2s', 'http-request', `GET ${target} HTTP/1.1`, bytes);
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
  b.unit(CONN, 's2c', 'http-response', `${statusSummary(200)} ${body}`, bytes);
  return { headerBytes: c.headerBytes + headLength(bytes), delivered: c.delivered + (delivers ? 1 : 0) };
}

export const STEPS: Record<string, StepBuild<RequestResponseContext>> = {
  'tcp-connect': (b) => {
    b.connect(CONN);
  },
  request: (b, c) => exchange(b, c, '/api/time'),
  response: (b, c) => answer(b, c, '{"time":"09:00:00Z"}', true),
  'poll-request': (b, c) => {
    b.wait(POLL_INTERVAL).note(NOTES.pollElapsed, 'client');
    return exchange(b, c, '/api/events?since=0');
  },
  'poll-empty': (b, c) => answer(b, c, '[]', false),
  'poll-request-again': (b, c) => {
    b.wait(POLL_INTERVAL).note(NOTES.eventHappened(3), 'server');
    b.note(NOTES.pollElapsed, 'client');
    return exchange(b, c, '/api/events?since=0');
  },
  'poll-data': (b, c) => answer(b, c, '[{"id":1,"text":"hello"}]', true),
  summary: (b, c) => {
    b.note(NOTES.shortPollSummary(c.requests, c.delivered, c.headerBytes));
  },
};

export const requestResponseMachine = setup({
  types: {
    context: {} as RequestResponseContext,
    events: {} as ScenarioEvent,
    input: {} as BaseInput | undefined,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
  },
}).createMachine({
  id: 'request-response',
  context: () => ({
    ...baseContext(),
    requests: 0,
    delivered: 0,
    headerBytes: 0,
  }),
  initial: 'tcp-connect',
  states: {
    'tcp-connect': {
      entry: { type: 'enter', params: { step: 'tcp-connect' } },
      on: { 'step.next': 'request' },
    },
    request: { entry: { type: 'enter', params: { step: 'request' } }, on: { 'step.next': 'response' } },
    response: { entry: { type: 'enter', params: { step: 'response' } }, on: { 'step.next': 'poll-request' } },
    'poll-request': {
      entry: { type: 'enter', params: { step: 'poll-request' } },
      on: { 'step.next': 'poll-empty' },
    },
    'poll-empty': {
      entry: { type: 'enter', params: { step: 'poll-empty' } },
      on: { 'step.next': 'poll-request-again' },
    },
    'poll-request-again': {
      entry: { type: 'enter', params: { step: 'poll-request-again' } },
      on: { 'step.next': 'poll-data' },
    },
    'poll-data': { entry: { type: 'enter', params: { step: 'poll-data' } }, on: { 'step.next': 'summary' } },
    summary: { entry: { type: 'enter', params: { step: 'summary' } } },
  },
});
