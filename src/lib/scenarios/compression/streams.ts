/**
 * The bytes of the compression lesson, all made by the protocol code: the browser's offer and the
 * server's answer (RFC 7692 section 7.1), and each direction's messages compressed in order by one
 * MessageDeflater, as a real connection does, then inflated by one MessageInflater on the other side
 * (section 7.2). Everything is a pure function of the learner's choices, so stepping back and forth
 * shows the same bytes; results are kept (a stream costs zlib's tables, some 300 KiB, to set up).
 */
import {
  deflateDirections,
  formatDeflateOffer,
  MessageDeflater,
  MessageInflater,
  negotiateDeflate,
  type DeflateAgreement,
  type DeflateDirection,
  type DeflatePolicy,
} from '../../protocol/permessageDeflate';
import type { BaseContext } from '../../machines/kit';

/** The server's answer to the offer: the learner's choice at the step `answer`. */
export type Mode = 'takeover' | 'no-takeover' | 'declined';
export const MODES: readonly Mode[] = ['takeover', 'no-takeover', 'declined'];

/** The attacker's guess at the step `guess`. */
export type Guess = 'right' | 'wrong';

/** What browsers offer: permessage-deflate, able to limit their own window if asked (7.1.2.2). */
export const OFFER = formatDeflateOffer();

/** The demo server's policies: /ws/deflate, and /ws/deflate?takeover=off. */
const POLICIES: Record<Exclude<Mode, 'declined'>, DeflatePolicy> = {
  takeover: {},
  'no-takeover': { serverNoContextTakeover: true, clientNoContextTakeover: true },
};

/** The last of the learner's choices that is one of `ids`. */
function lastOf<T extends string>(choices: readonly string[], ids: readonly T[]): T | undefined {
  for (let i = choices.length - 1; i >= 0; i--) {
    if ((ids as readonly string[]).includes(choices[i]!)) return choices[i] as T;
  }
  return undefined;
}

/** The learner's latest answer among the modes (takeover until they choose). */
export function modeOf(context: Pick<BaseContext, 'choices'>): Mode {
  return lastOf(context.choices, MODES) ?? 'takeover';
}

/** The learner's latest guess (a wrong one until they choose). */
export function guessOf(context: Pick<BaseContext, 'choices'>): Guess {
  return lastOf(context.choices, ['right-guess', 'wrong-guess'] as const) === 'right-guess'
    ? 'right'
    : 'wrong';
}

/** The server's choice with the protocol's negotiateDeflate; undefined when it declines. */
export function agreement(mode: Mode): DeflateAgreement | undefined {
  if (mode === 'declined') return undefined;
  return negotiateDeflate(OFFER, POLICIES[mode]).accepted;
}

export const HELLO = 'Hello';
/** A longer message a client program sends in two frames (a page cannot choose how it is framed). */
export const FRAGMENTED = 'Hello again: one message, compressed once, sent in two frames.';
/** The victim's secret, and the part of its format an attacker knows (every key starts with it). */
export const TOKEN = 'tok_k7Qp2x';
export const KNOWN_PREFIX = 'tok_';
/** A message the server sends the victim with the secret in it. */
export const SECRET = JSON.stringify({ type: 'account', apiKey: TOKEN, id: 42 });
/** The characters a key may hold, each a candidate for the next unknown one. */
export const CANDIDATES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const GUESSES: Record<Guess, string> = { right: TOKEN[KNOWN_PREFIX.length]!, wrong: 'a' };

/** The attacker's chat message, relayed by the server on the victim's connection. */
export function guessMessage(next: string): string {
  return JSON.stringify({ type: 'chat', from: 'eve', text: KNOWN_PREFIX + next });
}

/** What the client sends, in order. */
export const CLIENT_MESSAGES = [HELLO, HELLO, HELLO, FRAGMENTED] as const;

/** What the server sends, in order: the echoes of 'Hello', the secret, then the attacker's text. */
export function serverMessages(next: string): string[] {
  return [HELLO, HELLO, HELLO, SECRET, guessMessage(next)];
}

export interface Compressed {
  /** The payload on the wire: DEFLATE data without its final 00 00 ff ff (section 7.2.1). */
  payload: Uint8Array;
  /** What the receiver's inflater made of it (section 7.2.2). */
  inflated: Uint8Array;
}

const encoder = new TextEncoder();
const kept = new Map<string, Compressed[]>();

/** Each message compressed by one direction's deflater, in order, and inflated by the peer's inflater. */
export function compressAll(direction: DeflateDirection, messages: readonly string[]): Compressed[] {
  const key = `${direction.windowBits}|${direction.noContextTakeover}|${messages.join('\u0000')}`;
  const known = kept.get(key);
  if (known) return known;
  const deflater = new MessageDeflater(direction);
  const inflater = new MessageInflater(direction);
  try {
    const out = messages.map((message) => {
      const payload = deflater.compress(encoder.encode(message));
      return { payload, inflated: inflater.inflate(payload) };
    });
    kept.set(key, out);
    return out;
  } finally {
    deflater.close();
    inflater.close();
  }
}

/** Both directions' messages for a mode that compresses, as the agreed parameters say. */
export function streams(mode: Exclude<Mode, 'declined'>, guess: Guess = 'wrong') {
  const params = agreement(mode)!.params;
  const client = deflateDirections(params, 'client').send;
  const server = deflateDirections(params, 'server').send;
  return {
    client: compressAll(client, CLIENT_MESSAGES),
    server: compressAll(server, serverMessages(GUESSES[guess])),
  };
}

/** The candidates the oracle table shows: the right one, its neighbours and a few others. */
export const SHOWN = 'ajklK7';

/** The size of the last message's payload, compressed after the others by one direction's deflater. */
function lastSize(direction: DeflateDirection, messages: readonly string[]): number {
  const deflater = new MessageDeflater(direction);
  try {
    let size = 0;
    for (const message of messages) size = deflater.compress(encoder.encode(message)).length;
    return size;
  } finally {
    deflater.close();
  }
}

const sizes = new Map<string, number>();

/**
 * The attacker's view: the payload size of the relayed chat message for each candidate next character
 * (the right one is the smallest with context takeover; without it every candidate costs the same).
 */
export function oracle(
  mode: Exclude<Mode, 'declined'>,
  candidates: string = SHOWN,
): { guess: string; size: number }[] {
  const server = deflateDirections(agreement(mode)!.params, 'server').send;
  return [...candidates].map((next) => {
    const key = `${mode}|${next}`;
    let size = sizes.get(key);
    if (size === undefined) {
      size = lastSize(server, serverMessages(next));
      sizes.set(key, size);
    }
    return { guess: KNOWN_PREFIX + next, size };
  });
}
