/**
 * `/ws/deflate` on real sockets: permessage-deflate negotiated with the protocol's rules, the echo of
 * /ws/echo with and without the extension, and the failures RFC 7692 and RFC 6455 name, driven by a
 * hand-written client whose every byte comes from the protocol code.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { CliError, parseCli } from '../../server/cli.ts';
import { withDefaults } from '../../server/options.ts';
import { deflatePolicy } from '../../server/ws/deflate.ts';
import {
  Opcode,
  compressMessage,
  encodeFrame,
  getHeader,
  negotiateDeflate,
} from '../../src/lib/protocol/index.ts';
import { DeflateClient, HandshakeRefused } from './deflateClient.ts';
import { start, wsUrl } from './helpers.ts';

const LIMIT = 64 * 1024;
const BROWSER_OFFER = 'permessage-deflate; client_max_window_bits';
const MASK = Uint8Array.of(1, 2, 3, 4);

let server: RunningServer;
beforeAll(async () => {
  server = await start({ maxMessageBytes: LIMIT, maxFragments: 4 });
});
afterAll(() => server.close());

const open = (offer: string[] = [BROWSER_OFFER], path = '/ws/deflate', maxMessageSize?: number) =>
  DeflateClient.open(server.port, { offer, path, ...(maxMessageSize ? { maxMessageSize } : {}) });

async function refusal(offer: string[], path: string): Promise<number> {
  try {
    await open(offer, path);
  } catch (e) {
    if (e instanceof HandshakeRefused) return e.response.status;
    throw e;
  }
  throw new Error('the handshake succeeded');
}

describe('negotiation (RFC 7692 section 7.1)', () => {
  it.each([
    [[BROWSER_OFFER], '', 'permessage-deflate'],
    [['permessage-deflate'], '', 'permessage-deflate'],
    [
      [BROWSER_OFFER],
      '?takeover=off',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    ],
    [
      [BROWSER_OFFER],
      '?window_bits=10',
      'permessage-deflate; server_max_window_bits=10; client_max_window_bits=10',
    ],
    [
      ['permessage-deflate; server_max_window_bits=12; client_max_window_bits=11'],
      '',
      'permessage-deflate; server_max_window_bits=12; client_max_window_bits=11',
    ],
    // Declined offers are skipped, never refused: the first one the server can serve wins.
    [
      [
        'x-webkit-deflate-frame',
        'permessage-deflate; foo, permessage-deflate; server_max_window_bits=8',
        'permessage-deflate; server_no_context_takeover',
      ],
      '',
      'permessage-deflate; server_no_context_takeover',
    ],
  ])('offer %j%s -> %s, as the protocol chooses', async (offer, query, response) => {
    const client = await open(offer, `/ws/deflate${query}`);
    expect(client.extensions).toBe(response);
    const policy = deflatePolicy(withDefaults(), new URL(`http://x/ws/deflate${query}`));
    expect(typeof policy === 'object' && negotiateDeflate(offer, policy).accepted?.response).toBe(response);
    client.close();
  });

  it('answers without the extension when nothing is offered or every offer is declined', async () => {
    for (const offer of [[], ['permessage-deflate; client_max_window_bits=20'], ['x-other']]) {
      const client = await open(offer);
      expect(client.extensions).toBeUndefined();
      expect(client.params).toBeUndefined();
      client.close();
    }
  });

  it('/ws/echo stays extension-free whatever the client offers', async () => {
    const client = await open([BROWSER_OFFER], '/ws/echo');
    expect(client.extensions).toBeUndefined();
    client.close();
  });

  it('refuses a header that does not parse, and a bad query, with 400', async () => {
    expect(await refusal(['permessage-deflate; a="1 0"'], '/ws/deflate')).toBe(400);
    expect(await refusal([BROWSER_OFFER], '/ws/deflate?window_bits=8')).toBe(400);
    expect(await refusal([BROWSER_OFFER], '/ws/deflate?takeover=maybe')).toBe(400);
  });

  it("takes its window and memory level from the command line, within zlib's bounds", () => {
    expect(parseCli(['--deflate-window-bits', '10', '--deflate-mem-level=4'])).toEqual({
      help: false,
      options: { deflateWindowBits: 10, deflateMemLevel: 4 },
    });
    expect(() => parseCli(['--deflate-window-bits', '8'])).toThrow(CliError);
    expect(() => parseCli(['--deflate-mem-level', '10'])).toThrow(/1 to 9/);
  });

  it('interoperates with ws as a client: its offer, its inflater', async () => {
    const ws = new WebSocket(wsUrl(server.url, '/ws/deflate'), { perMessageDeflate: true });
    const opened = once(ws, 'open');
    const [response] = (await once(ws, 'upgrade')) as [{ headers: Record<string, string> }];
    expect(response.headers['sec-websocket-extensions']).toBe('permessage-deflate');
    await opened;
    ws.send('compressed both ways');
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect(data.toString()).toBe('compressed both ways');
    ws.close();
  });
});

describe.each([
  ['/ws/echo', []],
  ['/ws/deflate', []],
  ['/ws/deflate', [BROWSER_OFFER]],
  ['/ws/deflate?takeover=off', [BROWSER_OFFER]],
  ['/ws/deflate?window_bits=9', [BROWSER_OFFER]],
] as Array<[string, string[]]>)('echo on %s offering %j', (path, offer) => {
  const compressed = offer.length > 0 && path.startsWith('/ws/deflate');

  it('echoes text as text and binary as binary', async () => {
    const client = await open(offer, path);
    expect(client.params !== undefined).toBe(compressed);
    client.send('héllo');
    expect(await client.next()).toMatchObject({ type: 'message', text: 'héllo', binary: false });
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
    client.send(bytes, { binary: true });
    const echo = await client.next();
    expect(echo).toMatchObject({ type: 'message', binary: true });
    expect(echo.type === 'message' && new Uint8Array(echo.data)).toEqual(bytes);
    expect(echo.type === 'message' && echo.compressed === true).toBe(compressed);
    client.close();
    expect(await client.closeCode()).toBe(1000);
  });

  it('reassembles a fragmented message around a ping and returns it as one', async () => {
    const client = await open(offer, path);
    const frames = client.send('fragmented, and compressed where it may be', { fragments: 3 });
    expect(frames).toHaveLength(3);
    expect(await client.next()).toMatchObject({
      type: 'message',
      text: 'fragmented, and compressed where it may be',
    });
    client.sendRaw(encodeFrame({ opcode: Opcode.Ping, payload: 'are you there', mask: MASK }));
    const pong = await client.next();
    expect(pong.type === 'pong' && new TextDecoder().decode(pong.data)).toBe('are you there');
    client.close(4321);
    expect(await client.closeCode()).toBe(4321);
  });

  it('sends a message of exactly the limit, and fails one byte over it with 1009', async () => {
    const client = await open(offer, path, LIMIT);
    const full = new Uint8Array(LIMIT).fill(0x61);
    client.send(full, { binary: true });
    const echo = await client.next();
    expect(echo.type === 'message' && echo.data.length).toBe(LIMIT);
    // Uncompressed, the frame itself is over the limit; compressed, the message it inflates to is.
    client.send(new Uint8Array(LIMIT + 1), { binary: true });
    expect(await client.closeCode()).toBe(1009);
  });
});

describe('context takeover on the wire', () => {
  async function echoSizes(path: string): Promise<number[]> {
    const client = await open([BROWSER_OFFER], path);
    const tick = JSON.stringify({ type: 'tick', symbol: 'ACME', bid: 101.25, ask: 101.27, volume: 1200 });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = client.raw.receivedBytes.length;
      client.send(tick);
      expect(await client.next()).toMatchObject({ text: tick, compressed: true });
      sizes.push(client.raw.receivedBytes.length - before);
    }
    client.close();
    return sizes;
  }

  it("the server's third identical echo is smaller than its first with takeover, the same without", async () => {
    const kept = await echoSizes('/ws/deflate');
    expect(kept[2]).toBeLessThan(kept[0]! / 2);
    const reset = await echoSizes('/ws/deflate?takeover=off');
    expect(new Set(reset).size).toBe(1);
  });
});

describe('/ws/deflate failures carry the close code a conforming endpoint sends', () => {
  it('a compressed control frame -> 1002 (RFC 7692 section 6)', async () => {
    const client = await open();
    client.sendRaw(
      encodeFrame({ opcode: Opcode.Ping, rsv: 4, payload: compressMessage(new Uint8Array(1)), mask: MASK }),
    );
    expect(await client.closeCode()).toBe(1002);
  });

  it('RSV1 on a continuation frame -> 1002 (RFC 7692 section 6)', async () => {
    const client = await open();
    const payload = compressMessage(new TextEncoder().encode('two frames'));
    client.sendRaw(
      encodeFrame({ opcode: Opcode.Text, rsv: 4, fin: false, payload: payload.subarray(0, 3), mask: MASK }),
    );
    client.sendRaw(
      encodeFrame({ opcode: Opcode.Continuation, rsv: 4, payload: payload.subarray(3), mask: MASK }),
    );
    expect(await client.closeCode()).toBe(1002);
  });

  it('RSV1 without the extension negotiated stays 1002 (RFC 6455 section 5.2)', async () => {
    const client = await open([]);
    client.send('not negotiated', { compress: true });
    expect(await client.closeCode()).toBe(1002);
  });

  it('corrupt DEFLATE data -> 1007', async () => {
    const client = await open();
    // BFINAL=1 with BTYPE=11, a block type RFC 1951 reserves.
    client.sendRaw(encodeFrame({ opcode: Opcode.Binary, rsv: 4, payload: Uint8Array.of(0x07), mask: MASK }));
    expect(await client.closeCode()).toBe(1007);
  });

  it('text that is not UTF-8 once inflated -> 1007', async () => {
    const client = await open();
    client.sendRaw(
      encodeFrame({
        opcode: Opcode.Text,
        rsv: 4,
        payload: compressMessage(Uint8Array.of(0xed, 0xa0, 0x80)),
        mask: MASK,
      }),
    );
    expect(await client.closeCode()).toBe(1007);
  });

  it('too many fragments of a compressed message -> 1008', async () => {
    const client = await open();
    client.send(
      new Uint8Array(200).map((_, i) => i),
      { binary: true, fragments: 5 },
    );
    expect(await client.closeCode()).toBe(1008);
  });

  it('a decompression bomb stops at the limit with 1009; the server and every other connection go on', async () => {
    const bystander = await open();
    bystander.send('before');
    expect(await bystander.next()).toMatchObject({ text: 'before' });

    // 32 MiB of zeros in about 32 KiB: a frame within the limit whose message is 512 times over it.
    const bomb = compressMessage(new Uint8Array(32 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT);
    const attacker = await open();
    attacker.sendRaw(encodeFrame({ opcode: Opcode.Binary, rsv: 4, payload: bomb, mask: MASK }));
    expect(await attacker.closeCode()).toBe(1009);

    // The bystander's context is intact: the same text again, now referring back to "before".
    for (const text of ['before', 'after', 'after']) {
      bystander.send(text);
      expect(await bystander.next()).toMatchObject({ text, compressed: true });
    }
    const late = await open();
    late.send('still up');
    expect(await late.next()).toMatchObject({ text: 'still up' });
    bystander.close();
    late.close();
    expect(getHeader(late.response.headers, 'sec-websocket-extensions')).toBe('permessage-deflate');
  });
});
