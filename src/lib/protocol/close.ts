/**
 * Close frames: status codes and the close body (RFC 6455 sections 5.5.1, 7.1.5, 7.1.6, 7.4).
 */
import { MAX_CLOSE_REASON_BYTES } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { Utf8Validator, decodeUtf8, encodeUtf8 } from './utf8.ts';

export interface CloseCodeInfo {
  code: number;
  name: string;
  /** One line of meaning, English; the UI translates by code. */
  meaning: string;
  /** May this code appear in a close frame on the wire? (sections 7.4.1, 7.4.2) */
  onWire: boolean;
  section: string;
}

/** RFC 6455 section 7.4.1 plus the IANA registry additions 1012-1014 (section 11.7). */
export const CLOSE_CODES: readonly CloseCodeInfo[] = [
  {
    code: 1000,
    name: 'Normal Closure',
    meaning: 'The purpose of the connection has been fulfilled.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1001,
    name: 'Going Away',
    meaning: 'The endpoint is going away: server shutdown or a page navigated away.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1002,
    name: 'Protocol Error',
    meaning: 'The endpoint received a frame that breaks the protocol.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1003,
    name: 'Unsupported Data',
    meaning: 'The endpoint received a type of data it cannot accept (e.g. binary when it only takes text).',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1004,
    name: 'Reserved',
    meaning: 'Reserved; its meaning might be defined in the future. Never sent.',
    onWire: false,
    section: '7.4.1',
  },
  {
    code: 1005,
    name: 'No Status Received',
    meaning: 'Reported locally when a close frame carried no status code. Never sent.',
    onWire: false,
    section: '7.4.1',
  },
  {
    code: 1006,
    name: 'Abnormal Closure',
    meaning: 'Reported locally when the connection dropped without a close frame. Never sent.',
    onWire: false,
    section: '7.4.1',
  },
  {
    code: 1007,
    name: 'Invalid Frame Payload Data',
    meaning: 'A message carried data inconsistent with its type, e.g. invalid UTF-8 in text.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1008,
    name: 'Policy Violation',
    meaning: 'A message violated the endpoint\u2019s policy (generic code when nothing better fits).',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1009,
    name: 'Message Too Big',
    meaning: 'A message is too big for the endpoint to process.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1010,
    name: 'Mandatory Extension',
    meaning: 'The client expected the server to negotiate an extension it did not.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1011,
    name: 'Internal Error',
    // The RFC's text says "a server"; erratum 3227 corrects it to "a remote endpoint": either side sends it.
    meaning: 'The endpoint met an unexpected condition that stopped it fulfilling the request.',
    onWire: true,
    section: '7.4.1',
  },
  {
    code: 1012,
    name: 'Service Restart',
    meaning: 'The service is restarting; reconnect later.',
    onWire: true,
    section: '11.7',
  },
  {
    code: 1013,
    name: 'Try Again Later',
    meaning: 'The service is overloaded; try again later.',
    onWire: true,
    section: '11.7',
  },
  {
    code: 1014,
    name: 'Bad Gateway',
    meaning: 'A gateway or proxy received an invalid response from upstream.',
    onWire: true,
    section: '11.7',
  },
  {
    code: 1015,
    name: 'TLS Handshake',
    meaning: 'Reported locally when the TLS handshake failed. Never sent.',
    onWire: false,
    section: '7.4.1',
  },
];

const byCode = new Map(CLOSE_CODES.map((c) => [c.code, c]));

/** Name and meaning of a close code, including the ranges of section 7.4.2. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = byCode.get(code);
  if (known) return known;
  if (code >= 3000 && code <= 3999) {
    return {
      code,
      name: 'Registered (libraries, frameworks)',
      meaning: 'Registered with IANA for use by libraries, frameworks and applications.',
      onWire: true,
      section: '7.4.2',
    };
  }
  if (code >= 4000 && code <= 4999) {
    return {
      code,
      name: 'Private use',
      meaning: 'Private use; meaning agreed between the two applications.',
      onWire: true,
      section: '7.4.2',
    };
  }
  if (code >= 1000 && code <= 2999) {
    return {
      code,
      name: 'Reserved for the protocol',
      meaning: 'Reserved for this protocol and its future revisions; not valid today.',
      onWire: false,
      section: '7.4.2',
    };
  }
  return {
    code,
    name: 'Unused',
    meaning: 'Codes below 1000 (and above 4999) are not used.',
    onWire: false,
    section: '7.4.2',
  };
}

/**
 * May `code` appear in a close frame? RFC 6455 section 7.4.1/7.4.2: 1000-1003 and 1007-1011 (plus 1012-1014,
 * registered since), and 3000-4999. 1004 is reserved; 1005, 1006 and 1015 are local-only; everything
 * else below 3000 is reserved for the protocol.
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return byCode.get(code)?.onWire === true;
}

/** RFC 6455 section 5.5.1: a 2-byte big-endian status code followed by a UTF-8 reason. */
export function encodeCloseBody(code?: number, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') {
      throw new ProtocolError('A close reason needs a status code in front of it', {
        code: 'BAD_CLOSE_BODY',
        closeCode: 1002,
        section: '5.5.1',
      });
    }
    return new Uint8Array(0);
  }
  if (!isValidCloseCode(code)) {
    throw new ProtocolError(`Close code ${code} must not be sent`, {
      code: 'INVALID_CLOSE_CODE',
      closeCode: 1002,
      section: '7.4.1',
    });
  }
  const text = encodeUtf8(reason);
  if (text.length > MAX_CLOSE_REASON_BYTES) {
    throw new ProtocolError(`Close reason is ${text.length} bytes; at most ${MAX_CLOSE_REASON_BYTES} fit`, {
      code: 'CLOSE_REASON_TOO_LONG',
      closeCode: 1002,
      section: '5.5.1',
    });
  }
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

export type CloseBody = { ok: true; code?: number; reason: string } | { ok: false; error: ProtocolError };

/**
 * Parse and check a close frame payload (already unmasked). An empty body means "no status" (the
 * receiver reports 1005). One byte cannot hold a code. Offsets are relative to the payload.
 */
export function parseCloseBody(payload: Uint8Array): CloseBody {
  if (payload.length === 0) return { ok: true, reason: '' };
  if (payload.length === 1) {
    return fail(
      'A close body of 1 byte cannot hold a 2-byte status code',
      'BAD_CLOSE_BODY',
      1002,
      '5.5.1',
      0,
    );
  }
  if (payload.length - 2 > MAX_CLOSE_REASON_BYTES) {
    return fail(
      `Close reason is ${payload.length - 2} bytes; a control frame leaves room for ${MAX_CLOSE_REASON_BYTES}`,
      'CLOSE_REASON_TOO_LONG',
      1002,
      '5.5.1',
      2 + MAX_CLOSE_REASON_BYTES,
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    return fail(`Close code ${code} must never be sent on the wire`, 'INVALID_CLOSE_CODE', 1002, '7.4.1', 0);
  }
  const reasonBytes = payload.subarray(2);
  const v = new Utf8Validator();
  try {
    v.push(reasonBytes);
    v.end();
  } catch (e) {
    if (e instanceof ProtocolError) return { ok: false, error: e.shifted(2) };
    throw e;
  }
  return { ok: true, code, reason: decodeUtf8(reasonBytes) };
}

function fail(
  message: string,
  code: 'BAD_CLOSE_BODY' | 'INVALID_CLOSE_CODE' | 'CLOSE_REASON_TOO_LONG',
  closeCode: number,
  section: string,
  offset: number,
): CloseBody {
  return { ok: false, error: new ProtocolError(message, { code, closeCode, section, offset }) };
}
