/**
 * Frames on an OPEN connection (RFC 6455 section 5): a masked client text frame and the key that masks
 * it (5.3), the unmasked reply, binary data, the 16- and 64-bit length forms (5.2), a fragmented
 * message with a ping between its fragments (5.4, 5.5.2) and the pong that answers it (5.5.3), and
 * finally whatever the learner types, encoded as they type.
 */
import { PLAYER } from '../../i18n';
import type { BaseContext, BaseInput, StepBuild, StepBuilder } from '../../machines/kit';
import { scenarioMachine } from '../../machines/machine';
import { clientServerLanes, type ScenarioModule } from '../../machines/scenario';
import { Opcode } from '../../protocol/constants';
import { closeAndWait, openSocket, post, sleep, withTap } from '../../live/client';
import { frame, type FrameSpec } from '../wire';
import spec from './spec';

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

function send(b: StepBuilder, spec: FrameSpec): void {
  b.unit(CONN, spec.mask === undefined ? 's2c' : 'c2s', 'ws-frame', frame(spec));
}

export function typedSpec(text: string): FrameSpec {
  return { opcode: Opcode.Text, payload: text, mask: 5 };
}

export const STEPS: Record<string, StepBuild<FramesContext>> = {
  open: (b) => {
    b.openWebSocket(CONN);
    b.note('afterHandshake', undefined, { conn: CONN });
  },
  'client-text': (b) => send(b, FRAME_SPECS['client-text']),
  masking: (b) => {
    b.note('unmask', undefined, { peer: 'server', conn: CONN });
  },
  'server-text': (b) => send(b, FRAME_SPECS['server-text']),
  binary: (b) => send(b, FRAME_SPECS.binary),
  'length-16': (b) => send(b, FRAME_SPECS['length-16']),
  'length-64': (b) => send(b, FRAME_SPECS['length-64']),
  'fragment-first': (b) => send(b, FRAME_SPECS['fragment-first']),
  'ping-between': (b) => send(b, FRAME_SPECS['ping-between']),
  pong: (b) => send(b, FRAME_SPECS.pong),
  'fragment-last': (b) => {
    send(b, FRAME_SPECS['fragment-last']);
    b.note('messageComplete', undefined, { peer: 'server', conn: CONN });
  },
  'your-message': (b, c) => send(b, typedSpec(c.typed)),
};

const scenario: ScenarioModule<FramesContext> = {
  spec,
  machine: scenarioMachine<FramesContext, BaseInput & { typed?: string }>({
    spec,
    context: (input) => ({ typed: input.typed ?? DEFAULT_TYPED }),
    steps: STEPS,
    actions: {
      setTyped: ({ event }) => (event.type === 'learner.type' ? { typed: event.text } : {}),
    },
  }),
  lanes: (lang) => clientServerLanes(PLAYER[lang].lanes),
  controls: (c, lang) => [
    {
      kind: 'text',
      id: 'typed',
      label: PLAYER[lang].yourMessage,
      value: c.typed,
      maxLength: 200,
      event: (text) => ({ type: 'learner.type', text }),
    },
  ],
  runLive: (c) =>
    withTap(async (tap, observe) => {
      const socket = await openSocket(tap, '/ws/echo');
      socket.ws.send('Hello');
      await socket.next();
      socket.ws.send(Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0xfe, 0xff));
      await socket.next();
      socket.ws.send(TEXT_300);
      await socket.next();
      // The 64-bit length form starts at 65 536 bytes, which is also the server's message limit.
      socket.ws.send(Uint8Array.from({ length: 65_536 }, (_, i) => i & 0xff));
      await socket.next();
      // A browser cannot send pings or fragments itself: the server pings, the browser answers.
      await post(tap, `/api/ws/ping?name=${socket.name}`, { payload: 'hb-1' });
      await sleep(100);
      socket.ws.send(c.typed);
      observe('observedEcho', { text: String(await socket.next()) });
      await closeAndWait(socket, 1000, 'done');
    }),
};

export default scenario;
