/**
 * UTF-8 for WebSocket text. RFC 6455 section 8.1: text payloads must be valid UTF-8 (RFC 3629) once the
 * message is complete, and an endpoint that receives invalid data fails the connection with 1007
 * (section 7.4.1). Section 5.6 notes a fragment may end in the middle of a character, so validation
 * must be streaming: the state carries across fragment boundaries and only the end of the message
 * may complain about an incomplete sequence.
 */
import { ProtocolError } from './errors.ts';

const encoder = new TextEncoder();
// fatal: a lossy decode would hide exactly the bug a lesson wants to show.
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode UTF-8 that is known to be valid (throws TypeError otherwise). */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

function invalid(offset: number, why: string): ProtocolError {
  return new ProtocolError(`Invalid UTF-8 at byte ${offset}: ${why}`, {
    code: 'INVALID_UTF8',
    closeCode: 1007,
    section: '8.1',
    offset,
  });
}

/**
 * Streaming UTF-8 validator following the well-formed byte sequences of Unicode table 3-7 (RFC 3629
 * section 4). It rejects at the first byte that cannot belong to a valid text: overlong forms,
 * surrogates (ED A0..BF), code points above U+10FFFF, stray continuation bytes, C0/C1/F5..FF.
 * Offsets in errors count from the first byte ever pushed.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current character. */
  private needed = 0;
  /** Allowed range of the next continuation byte (narrower right after E0, ED, F0, F4). */
  private lower = 0x80;
  private upper = 0xbf;
  private seen = 0;

  /** True when the bytes so far end on a character boundary. */
  get complete(): boolean {
    return this.needed === 0;
  }

  /** Bytes validated so far. */
  get length(): number {
    return this.seen;
  }

  /** Validate the next piece; throws ProtocolError INVALID_UTF8 (1007) at the first bad byte. */
  push(bytes: Uint8Array): void {
    let needed = this.needed;
    let lower = this.lower;
    let upper = this.upper;
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      const b = bytes[i]!;
      if (needed === 0) {
        // Fast run over ASCII, the overwhelmingly common case.
        if (b < 0x80) {
          i++;
          continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
          needed = 2;
          // E0 needs A0..BF (else overlong); ED needs 80..9F (else a UTF-16 surrogate).
          if (b === 0xe0) lower = 0xa0;
          else if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          needed = 3;
          // F0 needs 90..BF (else overlong); F4 needs 80..8F (else above U+10FFFF).
          if (b === 0xf0) lower = 0x90;
          else if (b === 0xf4) upper = 0x8f;
        } else {
          this.seen += i;
          throw invalid(
            this.seen,
            b >= 0x80 && b <= 0xbf
              ? `unexpected continuation byte 0x${hex2(b)}`
              : `byte 0x${hex2(b)} never appears in UTF-8`,
          );
        }
      } else {
        if (b < lower || b > upper) {
          this.seen += i;
          throw invalid(this.seen, `byte 0x${hex2(b)} cannot continue this character`);
        }
        needed--;
        lower = 0x80;
        upper = 0xbf;
      }
      i++;
    }
    this.needed = needed;
    this.lower = lower;
    this.upper = upper;
    this.seen += n;
  }

  /** The message ended: an unfinished character is invalid (RFC 6455 section 8.1 -> 1007). */
  end(): void {
    if (this.needed !== 0) {
      throw invalid(this.seen, 'the text ends in the middle of a character');
    }
  }

  reset(): void {
    this.needed = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
    this.seen = 0;
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Whole-buffer check. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  try {
    v.push(bytes);
    v.end();
    return true;
  } catch {
    return false;
  }
}

/** Validate and decode; throws ProtocolError INVALID_UTF8 with the offset of the first bad byte. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  const v = new Utf8Validator();
  v.push(bytes);
  v.end();
  return decoder.decode(bytes);
}
