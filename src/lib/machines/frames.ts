/**
 * Frames on an OPEN connection (RFC 6455 section 5): a masked client text frame and the key that masks
 * it (5.3), the unmasked reply, binary data, the 16- and 64-bit length forms (5.2), a fragmented
 * message with a ping between its fragments (5.4, 5.5.2) and the pong that answers it (5.5.3), and
 * finally whatever the learner types, encoded as they type.
 */
import { assign, setup } from 'xstate';
import { Opcode } from '../protocol/constants';
import type { ScenarioEvent } from './events';
import {
  baseContext,
  enterStepOf,
  rewindStep,
  type BaseContext,
  type BaseInput,
  type StepBuild,
  type StepBuilder,
} from './kit';
import { NOTES } from './notes';
import { frame, frameSummary, type FrameSpec } from './wire';

export interface FramesContext extends BaseContext {
  /** The learner's message for the last step. */
  typed: string;
}

export const DEFAULT_TYPED = 'Hi from me 👋';
const CONN = 'ws';

/** 300 bytes of text: too long for the 7-bit length, so the 16-bit form follows 126. */
export const TEXT_300 = 'The quick brown fox jumps over the lazy dog. '.repeat(7).slice(0, 300);
/** 70 000 bytes: beyond 65 535, so the 64-bit form follows 127. */
export const BINARY_70K = Uint8Array.from({ length: 70_000 }, (_, i) => i & 0xff);

/** Every frame of the scenario, by step: exported so tests compare against encodeFrame directly. */
export const FRAME_SPECS = {
  'client-text': { opcode: Opcode.Text, payload: 'Hello', mask: 0 },
  'server-text': { opcode: Opcode.Text, payload: 'Hello' },
  binary: { opcode: Opcode.Binary, payload: Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0xfe, 0xff), mask: 1 },
  'length-16': { opcode: Opcode.Text, payload: TEXT_300 },
  'length-64': { opcode: Opcode.Binary, payload: BINARY_70K },
  'fragment-first': { opcode: Opcode.Text, payload: 'Hel', fin: false, mask: 2 },
  'ping-between': { opcode: Opcode.Ping, payload: 'hb-1', mask: 3 },
  pong: { opcode: Opcode.Pong, payload: 'hb-1' },
  'fragment-last': { opcode: Opcode.Continuation, payload: 'lo!', mask: 4 },
} satisfies Record<string, FrameSpec>;

function send(b: StepBuilder, spec: FrameSpec, extra?: string): void {
  b.unit(CONN, spec.mask === undefined ? 's2c' : 'c2s', 'ws-frame', frameSummary(spec, extra), frame(spec));
}

export function typedSpec(text: string): FrameSpec {
  return { opcode: Opcode.Text, payload: text, mask: 5 };
}

export const STEPS: Record<string, StepBuild<FramesContext>> = {
  open: (b) => {
    b.openWebSocket(CONN);
    b.note(NOTES.afterHandshake, undefined, CONN);
  },
  'client-text': (b) => send(b, FRAME_SPECS['client-text']),
  masking: (b) => {
    b.note(NOTES.unmask, 'server', CONN);
  },
  'server-text': (b) => send(b, FRAME_SPECS['server-text']),
  binary: (b) => send(b, FRAME_SPECS.binary),
  'length-16': (b) => send(b, FRAME_SPECS['length-16'], 'length 126 + 16 bits'),
  'length-64': (b) => send(b, FRAME_SPECS['length-64'], 'length 127 + 64 bits'),
  'fragment-first': (b) => send(b, FRAME_SPECS['fragment-first']),
  'ping-between': (b) => send(b, FRAME_SPECS['ping-between'], 'between fragments'),
  pong: (b) => send(b, FRAME_SPECS.pong),
  'fragment-last': (b) => {
    send(b, FRAME_SPECS['fragment-last']);
    b.note(NOTES.messageComplete, 'server', CONN);
  },
  'your-message': (b, c) => send(b, typedSpec(c.typed)),
};

export const framesMachine = setup({
  types: {
    context: {} as FramesContext,
    events: {} as ScenarioEvent,
    input: {} as (BaseInput & { typed?: string }) | undefined,
  },
  actions: {
    enter: assign(enterStepOf(STEPS)),
    rewind: assign(({ context }) => rewindStep(context)),
    setTyped: assign(({ event }) => (event.type === 'learner.type' ? { typed: event.text } : {})),
  },
}).createMachine({
  id: 'frames',
  context: ({ input }) => ({
    ...baseContext(),
    typed: input?.typed ?? DEFAULT_TYPED,
  }),
  initial: 'open',
  states: {
    open: { entry: { type: 'enter', params: { step: 'open' } }, on: { 'step.next': 'client-text' } },
    'client-text': {
      entry: { type: 'enter', params: { step: 'client-text' } },
      on: { 'step.next': 'masking' },
    },
    masking: { entry: { type: 'enter', params: { step: 'masking' } }, on: { 'step.next': 'server-text' } },
    'server-text': {
      entry: { type: 'enter', params: { step: 'server-text' } },
      on: { 'step.next': 'binary' },
    },
    binary: { entry: { type: 'enter', params: { step: 'binary' } }, on: { 'step.next': 'length-16' } },
    'length-16': {
      entry: { type: 'enter', params: { step: 'length-16' } },
      on: { 'step.next': 'length-64' },
    },
    'length-64': {
      entry: { type: 'enter', params: { step: 'length-64' } },
      on: { 'step.next': 'fragment-first' },
    },
    'fragment-first': {
      entry: { type: 'enter', params: { step: 'fragment-first' } },
      on: { 'step.next': 'ping-between' },
    },
    'ping-between': {
      entry: { type: 'enter', params: { step: 'ping-between' } },
      on: { 'step.next': 'pong' },
    },
    pong: { entry: { type: 'enter', params: { step: 'pong' } }, on: { 'step.next': 'fragment-last' } },
    'fragment-last': {
      entry: { type: 'enter', params: { step: 'fragment-last' } },
      on: { 'step.next': 'your-message' },
    },
    'your-message': {
      entry: { type: 'enter', params: { step: 'your-message' } },
      on: {
        // Re-encode live: rewind this step and send the new text in its place.
        'learner.type': { target: 'your-message', reenter: true, actions: ['rewind', 'setTyped'] },
      },
    },
  },
});
