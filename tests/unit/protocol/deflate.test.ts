/**
 * permessage-deflate (RFC 7692): the header grammar, negotiation both ways, the payload transformation
 * against the RFC's own bytes, bounded inflation, the RSV1 rules and the byte inspector's fields.
 */
import { describe, expect, it } from 'vitest';
import {
  HttpError,
  MessageDeflater,
  MessageInflater,
  MessageReader,
  Opcode,
  ProtocolError,
  RawInflater,
  acceptDeflateResponse,
  annotateFrame,
  compressMessage,
  decodeFrame,
  decompressMessage,
  deflateRaw,
  encodeFrame,
  formatDeflateOffer,
  frameHeaderBits,
  inflateRaw,
  negotiateDeflate,
  parseExtensions,
  toHex,
  type WsEvent,
} from '../../../src/lib/protocol/index.ts';
import { ascii, concat, hex, text, thrown } from './helpers.ts';

const MASK = hex('37 fa 21 3d');
const TAKEOVER = { windowBits: 15, noContextTakeover: false };
const NO_TAKEOVER = { windowBits: 15, noContextTakeover: true };

describe('Sec-WebSocket-Extensions grammar (RFC 6455 section 9.1)', () => {
  it('reads extensions, parameters with and without values, and quoted values', () => {
    const list = parseExtensions(
      'permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-foo ;a = b',
    );
    expect(list.map((e) => [e.name, e.params])).toEqual([
      [
        'permessage-deflate',
        [
          { name: 'client_max_window_bits', value: undefined },
          { name: 'server_max_window_bits', value: '10' },
        ],
      ],
      ['x-foo', [{ name: 'a', value: 'b' }]],
    ]);
    expect(list[1]!.text).toBe('x-foo ;a = b');
  });

  it('joins repeated header lines into one list and skips empty elements', () => {
    const list = parseExtensions(['permessage-deflate', ' , Permessage-Deflate; Client_No_Context_Takeover']);
    expect(list.map((e) => e.name)).toEqual(['permessage-deflate', 'permessage-deflate']);
    expect(list[1]!.params[0]!.name).toBe('client_no_context_takeover');
  });

  it.each([
    ['', 0, 'the list is empty'],
    ['permessage-deflate;', 19, 'expected a parameter name'],
    ['permessage-deflate; a="1 0"', 22, 'not a token'],
    ['permessage-deflate; a="10', 22, 'not closed'],
    ['permessage deflate', 11, 'expected "," or ";"'],
    ['@x', 0, 'expected an extension name'],
  ])('%j is not a valid header: 400 at byte %i', (value, offset, message) => {
    const error = thrown(() => parseExtensions(value)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect([error.code, error.status, error.section, error.offset]).toEqual([
      'BAD_HEADER',
      400,
      'RFC 6455 9.1',
      offset,
    ]);
    expect(error.message).toContain(message);
  });
});

describe('the server chooses (RFC 7692 sections 5 and 7.1)', () => {
  it.each([
    // What browsers offer: the server may answer without any parameter.
    ['permessage-deflate; client_max_window_bits', {}, 'permessage-deflate'],
    ['permessage-deflate', {}, 'permessage-deflate'],
    // 7.1.1.1: an offer with server_no_context_takeover is accepted only by answering with it.
    ['permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover'],
    // 7.1.1.2: the client's hint is echoed, so the server can drop its inflater's window.
    ['permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover'],
    // 7.1.2.1: the same or a smaller value than the offer.
    ['permessage-deflate; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10'],
    [
      'permessage-deflate; server_max_window_bits=12',
      { serverMaxWindowBits: 10 },
      'permessage-deflate; server_max_window_bits=10',
    ],
    // 7.1.2.1: the server may limit its own window unasked.
    ['permessage-deflate', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11'],
    // 7.1.2.2: a limit on the client only where the offer allows one, never above the offered value.
    [
      'permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 9 },
      'permessage-deflate; client_max_window_bits=9',
    ],
    ['permessage-deflate', { clientMaxWindowBits: 9 }, 'permessage-deflate'],
    [
      'permessage-deflate; client_max_window_bits=10',
      { clientMaxWindowBits: 12 },
      'permessage-deflate; client_max_window_bits=10',
    ],
    [
      'permessage-deflate',
      { serverNoContextTakeover: true, clientNoContextTakeover: true },
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    ],
  ])('%s with %j -> %s', (offer, policy, response) => {
    const result = negotiateDeflate(offer, policy);
    expect(result.accepted?.response).toBe(response);
    expect(result.declined).toEqual([]);
  });

  it('declines invalid offers and takes the first valid one (section 7)', () => {
    const result = negotiateDeflate(
      'x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate; client_no_context_takeover=1, ' +
        'permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=010, ' +
        'permessage-deflate; client_max_window_bits; client_max_window_bits, ' +
        'permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9',
    );
    expect(result.declined.map((d) => [d.index, d.section])).toEqual([
      [0, '5'],
      [1, '7'],
      [2, '7.1.1.2'],
      [3, '7.1.2.1'],
      [4, '7.1.2.1'],
      [5, '7'],
      [6, '7.1.2.1'],
    ]);
    expect(result.declined[6]!.reason).toContain('256-byte window');
    expect(result.accepted).toEqual({
      index: 7,
      response: 'permessage-deflate; server_max_window_bits=9',
      params: {
        serverNoContextTakeover: false,
        clientNoContextTakeover: false,
        serverMaxWindowBits: 9,
        clientMaxWindowBits: 15,
      },
    });
  });

  it('declines everything, without an error, when nothing can be served', () => {
    const result = negotiateDeflate('permessage-deflate; server_max_window_bits', {});
    expect(result.accepted).toBeUndefined();
    expect(result.declined[0]!.reason).toContain('needs a value');
  });

  it('refuses a policy it could not keep', () => {
    expect(() => negotiateDeflate('permessage-deflate', { serverMaxWindowBits: 8 })).toThrow(RangeError);
  });
});

describe('the client checks the response (RFC 7692 sections 5 and 7)', () => {
  const browser = formatDeflateOffer();
  it('builds the offer browsers send', () => {
    expect(browser).toBe('permessage-deflate; client_max_window_bits');
    expect(
      formatDeflateOffer({ serverNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 }),
    ).toBe(
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });

  it('reads the agreed parameters, defaults included', () => {
    expect(acceptDeflateResponse('permessage-deflate; client_max_window_bits=10', browser)).toEqual({
      ok: true,
      offer: 0,
      params: {
        serverNoContextTakeover: false,
        clientNoContextTakeover: false,
        serverMaxWindowBits: 15,
        clientMaxWindowBits: 10,
      },
    });
    expect(acceptDeflateResponse(undefined, browser)).toEqual({
      ok: true,
      params: undefined,
      offer: undefined,
    });
  });

  it('matches the response to the offer it accepts', () => {
    const offers = 'permessage-deflate; server_max_window_bits=10, permessage-deflate';
    const check = acceptDeflateResponse('permessage-deflate; server_no_context_takeover', offers);
    expect(check).toMatchObject({ ok: true, offer: 1 });
  });

  it.each([
    ['permessage-deflate; client_max_window_bits=10', 'permessage-deflate', '7.1.2.2'],
    ['permessage-deflate; client_max_window_bits', browser, '7.1.2.2'],
    [
      'permessage-deflate; client_max_window_bits=12',
      'permessage-deflate; client_max_window_bits=10',
      '7.1.2.2',
    ],
    [
      'permessage-deflate; server_max_window_bits=12',
      'permessage-deflate; server_max_window_bits=10',
      '7.1.2.1',
    ],
    ['permessage-deflate', 'permessage-deflate; server_no_context_takeover', '7.1.1.1'],
    ['permessage-deflate; x=1', browser, '7'],
    ['permessage-deflate, permessage-deflate', browser, '5'],
    ['x-other', browser, '5'],
    ['permessage-deflate', 'x-other', '5'],
  ])('fails the connection on %j after offering %j (section %s)', (response, offers, section) => {
    const check = acceptDeflateResponse(response, offers);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.section).toBe(section);
  });

  it('agrees with the server: whatever negotiateDeflate answers, the client accepts', () => {
    const offers = [
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      'permessage-deflate; server_max_window_bits=12; client_max_window_bits=11',
    ];
    for (const offer of offers) {
      for (const policy of [
        {},
        { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
        { serverNoContextTakeover: true },
      ]) {
        const agreed = negotiateDeflate(offer, policy).accepted!;
        const check = acceptDeflateResponse(agreed.response, offer);
        expect(check).toEqual({ ok: true, offer: 0, params: agreed.params });
      }
    }
  });
});

describe('payloads against RFC 7692 section 7.2.3', () => {
  const frameOf = (bytes: string) => decodeFrame(hex(bytes), 0, { deflate: true })!.frame;

  it('7.2.3.1: "Hello" in one compressed block, in one frame and in two', () => {
    const frame = frameOf('c1 07 f2 48 cd c9 c9 07 00');
    expect(frame.rsv).toBe(4);
    expect(text(decompressMessage(frame.payload))).toBe('Hello');
    expect(toHex(compressMessage(ascii('Hello')))).toBe('f2 48 cd c9 c9 07 00');

    const inflater = new MessageInflater(NO_TAKEOVER);
    const first = inflater.push(frameOf('41 03 f2 48 cd').payload, false);
    const second = inflater.push(frameOf('80 04 c9 c9 07 00').payload, true);
    expect(text(concat(first, second))).toBe('Hello');
  });

  it('7.2.3.2: the second "Hello" refers back into the first (context takeover)', () => {
    const deflater = new MessageDeflater(TAKEOVER);
    expect(toHex(deflater.compress(ascii('Hello')))).toBe('f2 48 cd c9 c9 07 00');
    expect(toHex(deflater.compress(ascii('Hello')))).toBe('f2 00 11 00 00');

    const inflater = new MessageInflater(TAKEOVER);
    expect(text(inflater.inflate(frameOf('c1 07 f2 48 cd c9 c9 07 00').payload))).toBe('Hello');
    expect(text(inflater.inflate(frameOf('c1 05 f2 00 11 00 00').payload))).toBe('Hello');
    // Without the first message's window the second one cannot be read.
    const alone = thrown(() => decompressMessage(hex('f2 00 11 00 00'))) as ProtocolError;
    expect([alone.code, alone.closeCode, alone.reference]).toEqual([
      'INVALID_COMPRESSED_DATA',
      1007,
      'RFC 7692 section 7.2.2',
    ]);
  });

  it('7.2.3.3: a stored (uncompressed) DEFLATE block', () => {
    expect(text(decompressMessage(frameOf('c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00').payload))).toBe('Hello');
  });

  it('7.2.3.4: a block with BFINAL set, and context kept past it', () => {
    const inflater = new MessageInflater(TAKEOVER);
    expect(text(inflater.inflate(hex('f3 48 cd c9 c9 07 00 00')))).toBe('Hello');
    expect(text(inflater.inflate(hex('f2 00 11 00 00')))).toBe('Hello');
  });

  it('7.2.3.5: two DEFLATE blocks in one message', () => {
    expect(text(decompressMessage(hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00')))).toBe('Hello');
  });

  it('an empty message is one octet, 00, with or without anything to flush', () => {
    const deflater = new MessageDeflater(TAKEOVER);
    expect(toHex(deflater.compress(new Uint8Array(0)))).toBe('00');
    expect(toHex(deflater.compress(new Uint8Array(0)))).toBe('00');
    const inflater = new MessageInflater(TAKEOVER);
    expect(inflater.inflate(hex('00')).length).toBe(0);
    expect(inflater.inflate(hex('00')).length).toBe(0);
  });

  it('the sync flush ends with the four octets the sender removes (section 7.2.1)', () => {
    expect(toHex(deflateRaw(ascii('Hello')))).toBe('f2 48 cd c9 c9 07 00 00 00 ff ff');
  });
});

describe('context takeover and window size', () => {
  const tick = ascii(JSON.stringify({ symbol: 'ACME', bid: 101.25, ask: 101.27, volume: 1200 }));

  it('with takeover the third identical message is smaller than the first; without it, the same', () => {
    const keep = new MessageDeflater(TAKEOVER);
    const sizes = [1, 2, 3].map(() => keep.compress(tick).length);
    expect(sizes[2]).toBeLessThan(sizes[0]!);
    const reset = new MessageDeflater(NO_TAKEOVER);
    const resetSizes = [1, 2, 3].map(() => reset.compress(tick).length);
    expect(new Set(resetSizes).size).toBe(1);
    expect(resetSizes[0]).toBe(sizes[0]);
  });

  it('the window bounds how far back a message may refer: 2^9 bytes cannot reach the last message', () => {
    // 300 bytes that never repeat and 700 others, then the first 300 again as the next message: its
    // only match lies 1000 bytes back, in the previous message.
    let seed = 7;
    const noise = (n: number) =>
      Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const head = noise(300);
    const messages = [concat(head, noise(700)), head];
    const wide = new MessageDeflater({ windowBits: 15, noContextTakeover: false });
    const narrow = new MessageDeflater({ windowBits: 9, noContextTakeover: false });
    const [wide1, wide2] = messages.map((m) => wide.compress(m));
    const [narrow1, narrow2] = messages.map((m) => narrow.compress(m));
    expect(wide2!.length).toBeLessThan(20);
    expect(narrow2!.length).toBeGreaterThan(290);
    // A receiver that agreed to 2^9 reads the narrow stream, and refuses the wide one (1007).
    const reader = new MessageInflater({ windowBits: 9, noContextTakeover: false });
    expect([reader.inflate(narrow1!), reader.inflate(narrow2!)]).toEqual(messages);
    const strict = new MessageInflater({ windowBits: 9, noContextTakeover: false });
    strict.inflate(wide1!);
    const error = thrown(() => strict.inflate(wide2!)) as ProtocolError;
    expect(error.code).toBe('INVALID_COMPRESSED_DATA');
    expect(error.message).toContain('too far back');
  });

  it('8 bits: Huffman coding alone, readable with a 256-byte window', () => {
    const data = ascii('the same words again and again, the same words again and again');
    const payload = compressMessage(data, { windowBits: 8 });
    expect(payload.length).toBeLessThan(data.length);
    expect(text(decompressMessage(payload, { windowBits: 8 }))).toBe(text(data));
  });
});

describe('bounded inflation', () => {
  // 8 MiB of zeros deflates to about 8 KiB: a decompression bomb of ratio about 1000.
  const bomb = compressMessage(new Uint8Array(8 * 1024 * 1024));

  it('stops a bomb at the limit with 1009, the rest of its input never inflated', () => {
    const inflater = new MessageInflater(TAKEOVER, { maxMessageSize: 64 * 1024 });
    const error = thrown(() => inflater.push(bomb, true, 100)) as ProtocolError;
    expect([error.code, error.closeCode, error.reference]).toEqual([
      'MESSAGE_TOO_BIG',
      1009,
      'RFC 6455 section 10.4',
    ]);
    // It stopped about 64 bytes of input in (64 KiB / ratio 1000), nowhere near the end of the 8 KiB.
    expect(error.offset! - 100).toBeLessThan(bomb.length / 20);
    expect(inflater.messageSize).toBe(64 * 1024);
    // The inflater stays failed: the connection must be failed.
    expect(thrown(() => inflater.push(hex('00'), true))).toBe(error);
  });

  it('counts the whole message across fragments, not each frame', () => {
    const payload = compressMessage(new Uint8Array(3000));
    const inflater = new MessageInflater(TAKEOVER, { maxMessageSize: 2999 });
    inflater.push(payload.subarray(0, 2), false);
    expect((thrown(() => inflater.push(payload.subarray(2), true)) as ProtocolError).code).toBe(
      'MESSAGE_TOO_BIG',
    );
    const exact = new MessageInflater(TAKEOVER, { maxMessageSize: 3000 });
    expect(exact.inflate(payload).length).toBe(3000);
  });

  it('the raw inflater gives back what it inflated before the limit and where it stopped', () => {
    const result = inflateRaw(deflateRaw(new Uint8Array(100_000)), 1000);
    expect(result.output.length).toBe(1000);
    expect(result.failure?.kind).toBe('limit');
    const whole = new RawInflater().write(deflateRaw(ascii('Hello')));
    expect(text(whole.output)).toBe('Hello');
  });

  it("corrupt data is INVALID_COMPRESSED_DATA (1007) naming zlib's reason and the byte", () => {
    // BFINAL=1 and BTYPE=11, a block type RFC 1951 reserves.
    const error = thrown(() => new MessageInflater(TAKEOVER).push(hex('07'), true, 10)) as ProtocolError;
    expect([error.code, error.closeCode, error.rfc]).toEqual(['INVALID_COMPRESSED_DATA', 1007, 7692]);
    expect(error.offset).toBeGreaterThanOrEqual(10);
    expect(error.message).toContain('invalid block type');
  });
});

describe('RSV1 rules (RFC 7692 section 6)', () => {
  const masked = (opcode: number, payload: Uint8Array | string, fin = true, rsv = 0) =>
    encodeFrame({ opcode, payload, fin, rsv, mask: MASK });
  const reader = (maxMessageSize = 1 << 20) =>
    new MessageReader({
      requireMask: true,
      maxMessageSize,
      inflater: new MessageInflater(TAKEOVER, { maxMessageSize }),
    });
  const read = (...frames: Uint8Array[]): WsEvent[] => reader().push(concat(...frames));
  const fails = (...frames: Uint8Array[]): ProtocolError => thrown(() => read(...frames)) as ProtocolError;

  it('inflates a compressed message fragmented around a ping, and leaves plain messages alone', () => {
    const payload = compressMessage(ascii('fragmented and compressed'));
    const events = read(
      masked(Opcode.Text, payload.subarray(0, 5), false, 4),
      masked(Opcode.Ping, 'p'),
      masked(Opcode.Continuation, payload.subarray(5), true),
      masked(Opcode.Text, 'plain'),
    );
    expect(events).toEqual([
      { type: 'ping', data: ascii('p') },
      expect.objectContaining({
        type: 'message',
        text: 'fragmented and compressed',
        frames: 2,
        compressed: true,
      }),
      expect.objectContaining({ type: 'message', text: 'plain', frames: 1 }),
    ]);
    expect('compressed' in events[2]!).toBe(false);
  });

  it.each([
    ['ping', () => fails(masked(Opcode.Ping, 'p', true, 4)), 'COMPRESSED_CONTROL'],
    ['close', () => fails(masked(Opcode.Close, hex('03 e8'), true, 4)), 'COMPRESSED_CONTROL'],
    [
      'continuation',
      () =>
        fails(masked(Opcode.Text, hex('f2 48'), false, 4), masked(Opcode.Continuation, hex('cd'), true, 4)),
      'COMPRESSED_CONTINUATION',
    ],
  ])('RSV1 on a %s frame fails with 1002', (_name, run, code) => {
    const error = run();
    expect([error.code, error.closeCode, error.rfc, error.section]).toEqual([code, 1002, 7692, '6']);
  });

  it('RSV1 without the extension stays 1002 (RFC 6455 section 5.2), RSV2 even with it', () => {
    const withoutDeflate = thrown(() =>
      new MessageReader({ requireMask: true }).push(
        masked(Opcode.Text, hex('f2 48 cd c9 c9 07 00'), true, 4),
      ),
    ) as ProtocolError;
    expect([withoutDeflate.code, withoutDeflate.closeCode, withoutDeflate.rfc]).toEqual([
      'RSV_SET',
      1002,
      6455,
    ]);
    expect(fails(masked(Opcode.Text, 'x', true, 2)).code).toBe('RSV_SET');
  });

  it('inflated text must be UTF-8 (1007), the error pointing at the frame', () => {
    const frame = masked(Opcode.Text, compressMessage(hex('ce ba ed a0 80')), true, 4);
    const error = fails(frame);
    expect([error.code, error.closeCode, error.offset]).toEqual(['INVALID_UTF8', 1007, 6]);
    expect(error.message).toContain('inflated');
  });

  it('refuses an inflater whose limit is above the message limit (it is what stops a bomb)', () => {
    const inflater = new MessageInflater(TAKEOVER);
    expect(() => new MessageReader({ maxMessageSize: 1024, inflater })).toThrow(RangeError);
  });

  it('a corrupt compressed message fails with 1007, a bomb with 1009', () => {
    expect(fails(masked(Opcode.Binary, hex('ff ff ff'), true, 4)).closeCode).toBe(1007);
    const bomb = compressMessage(new Uint8Array(2 * 1024 * 1024));
    const error = thrown(() => reader().push(masked(Opcode.Binary, bomb, true, 4))) as ProtocolError;
    expect([error.code, error.closeCode]).toEqual(['MESSAGE_TOO_BIG', 1009]);
  });
});

describe("the byte inspector's fields for compressed frames", () => {
  it('RSV1 reads "per-message compressed" and the payload carries what it inflates to', () => {
    const fields = annotateFrame(hex('c1 07 f2 48 cd c9 c9 07 00'), {
      deflate: true,
      inflate: decompressMessage,
    });
    expect(fields.map((f) => [f.id, f.start, f.end])).toEqual([
      ['fin-rsv-opcode', 0, 1],
      ['mask-len', 1, 2],
      ['payload', 2, 9],
    ]);
    expect(fields[0]!.note).toContain('RSV1: per-message compressed');
    expect(fields[0]!.compressed).toBe(true);
    const payload = fields[2]!;
    expect([payload.label, payload.compressed, payload.text, payload.value]).toEqual([
      'Payload (compressed)',
      true,
      'Hello',
      'Hello',
    ]);
    expect(text(payload.inflated!)).toBe('Hello');
    expect(payload.note).toContain('7 bytes of DEFLATE data inflate to 5 bytes');
  });

  it('a masked compressed frame keeps both the wire bytes and the unmasked DEFLATE bytes', () => {
    const frame = encodeFrame({ opcode: 1, rsv: 4, payload: hex('f2 48 cd c9 c9 07 00'), mask: MASK });
    const payload = annotateFrame(frame, { deflate: true, inflate: decompressMessage }).find(
      (f) => f.id === 'payload',
    )!;
    expect(payload.label).toBe('Payload (masked, compressed)');
    expect(toHex(payload.unmasked!)).toBe('f2 48 cd c9 c9 07 00');
    expect(payload.text).toBe('Hello');
  });

  it('a message that needs earlier context says so, and shows it when the context is given', () => {
    const bytes = hex('c1 05 f2 00 11 00 00');
    const alone = annotateFrame(bytes, { deflate: true, inflate: decompressMessage }).at(-1)!;
    expect(alone.inflated).toBeUndefined();
    expect(alone.note).toContain('context takeover');
    const given = annotateFrame(bytes, { deflate: true, inflated: ascii('Hello') }).at(-1)!;
    expect(given.text).toBe('Hello');
    // With no inflater at all the payload is still marked compressed, its bytes shown as they are.
    const bare = annotateFrame(bytes, { deflate: true }).at(-1)!;
    expect([bare.compressed, bare.inflated, bare.value]).toEqual([true, undefined, 'f2 00 11 00 00']);
  });

  it('without the extension RSV1 is a fault (1002) covering the rest', () => {
    const fields = annotateFrame(hex('c1 07 f2 48 cd c9 c9 07 00'));
    expect(fields.map((f) => [f.id, f.start, f.end, f.value])).toEqual([['fault', 0, 9, 'RSV_SET']]);
    const control = annotateFrame(hex('c9 00'), { deflate: true });
    expect(control.map((f) => [f.id, f.value])).toEqual([['fault', 'COMPRESSED_CONTROL']]);
    expect(control[0]!.note).toContain('RFC 7692 section 6');
  });

  it('the bit view names RSV1 as the compressed bit', () => {
    const rsv1 = frameHeaderBits(hex('c1 07'), { deflate: true });
    expect(rsv1.find((b) => b.id === 'rsv1')!.meaning).toBe('per-message compressed (RFC 7692)');
    expect(frameHeaderBits(hex('c1 07')).find((b) => b.id === 'rsv1')!.meaning).toContain('extension');
  });
});
