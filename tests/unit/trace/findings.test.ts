/**
 * Findings on hex fixtures: each trace is built the way the tap builds one (the unit parser fed the
 * bytes of each direction), so the findings see what they see in real use, error units included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex } from '../../../src/lib/protocol/index.ts';
import {
  findFindings,
  findingsChecker,
  type Finding,
  type FindingId,
} from '../../../src/lib/trace/findings.ts';
import { FINDING_TEXT, describeFinding } from '../../../src/lib/trace/findingsText.ts';
import { createUnitParser } from '../../../src/lib/trace/units.ts';
import type { Direction, TraceEvent } from '../../../src/lib/trace/index.ts';

/** A head written with \n (or already with CRLF) as CRLF bytes. */
const text = (s: string): Uint8Array => Uint8Array.from(s.replace(/\r?\n/g, '\r\n'), (c) => c.charCodeAt(0));
const str = (b: Uint8Array): string => new TextDecoder().decode(b);
const hex = parseHex;

type Step = [Direction, Uint8Array, number?];

/** One connection: conn.open, the bytes of each step and the units they make, conn.close. */
function connection(
  conn: string,
  steps: Step[],
  options: { close?: number; leg?: object } = {},
): TraceEvent[] {
  const parser = createUnitParser(conn);
  const events: TraceEvent[] = [{ type: 'conn.open', t: 0, conn, ...options.leg }];
  let t = 0;
  for (const [dir, bytes, at] of steps) {
    t = at ?? t + 1;
    events.push({ type: 'bytes', t, conn, dir, bytes });
    events.push(...parser.push(dir, bytes, t));
  }
  if (options.close !== undefined) events.push({ type: 'conn.close', t: options.close, conn, by: 'client' });
  return events;
}

// RFC 6455 section 1.3: the sample key and the Accept computed from it.
const REQUEST = text(
  'GET /chat HTTP/1.1\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nOrigin: http://server.example.com\nSec-WebSocket-Version: 13\n\n',
);
const RESPONSE = text(
  'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n',
);

/** A WebSocket after the RFC's handshake, then `frames`. */
function ws(frames: Step[], close?: number): TraceEvent[] {
  return connection('c1', [['c2s', REQUEST], ['s2c', RESPONSE], ...frames], { close });
}

const ids = (list: Finding[]): FindingId[] => list.map((f) => f.id);

describe('findings: a clean trace has none', () => {
  it('handshake, fragmented text, ping/pong, binary, closing handshake, and a chunked HTTP exchange', async () => {
    const events = [
      ...ws(
        [
          // client text "€(" in two fragments, the euro sign split across them, masked with key 00000000
          ['c2s', hex('01 82 00 00 00 00 e2 82')],
          ['c2s', hex('89 80 00 00 00 00')], // a ping between the fragments
          ['s2c', hex('8a 00')],
          ['c2s', hex('80 82 00 00 00 00 ac 28')],
          ['s2c', hex('81 05 48 65 6c 6c 6f')], // RFC 6455 5.7: unmasked "Hello"
          ['s2c', hex('82 7e 01 00'), undefined],
          ['s2c', new Uint8Array(256)],
          ['c2s', hex('88 82 00 00 00 00 03 e8')],
          ['s2c', hex('88 02 03 e8')],
        ],
        20,
      ),
      ...connection(
        'c2',
        [
          ['c2s', text('POST /api HTTP/1.1\nHost: a\nContent-Length: 2\n\nhi')],
          ['s2c', text('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n')],
          [
            'c2s',
            text(
              'GET /ws HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Version: 8\n\n',
            ),
          ],
          [
            's2c',
            text(
              'HTTP/1.1 426 Upgrade Required\nUpgrade: websocket\nSec-WebSocket-Version: 13\nContent-Length: 0\n\n',
            ),
          ],
        ],
        { close: 30 },
      ),
    ];
    expect(await findFindings(events)).toEqual([]);
  });
});

describe('findings: frames', () => {
  it('a masked server frame (RFC 6455 5.7 masked "Hello"), with where it is', async () => {
    const [finding, ...rest] = await findFindings(ws([['s2c', hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]]));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      id: 'ws-masked-server-frame',
      level: 'violation',
      section: 'RFC 6455 5.1',
      conn: 'c1',
      dir: 's2c',
      start: 1,
      end: 2,
      streamOffset: RESPONSE.length + 1,
    });
  });

  it('an unmasked client frame', async () => {
    const list = await findFindings(ws([['c2s', hex('81 05 48 65 6c 6c 6f')]]));
    expect(list[0]).toMatchObject({
      id: 'ws-unmasked-client-frame',
      dir: 'c2s',
      start: 1,
      streamOffset: REQUEST.length + 1,
    });
  });

  it('RSV1 with no extension negotiated, but not after permessage-deflate', async () => {
    expect(ids(await findFindings(ws([['s2c', hex('c1 05 48 65 6c 6c 6f')]])))).toEqual([
      'ws-rsv-without-extension',
    ]);
    const deflate = connection(
      'c1',
      [
        [
          'c2s',
          text(str(REQUEST).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n')),
        ],
        [
          's2c',
          text(str(RESPONSE).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n')),
        ],
        // a compressed text message (its payload is not UTF-8 until inflated), then RSV2 which no one defined
        ['s2c', hex('c1 07 f2 48 cd c9 c9 07 00')],
        ['s2c', hex('a1 01 61')],
      ],
      { close: 10 },
    );
    const list = await findFindings(deflate);
    expect(ids(list)).toEqual(['ws-rsv-without-extension', 'ws-closed-without-close-frame']);
    expect(list[0]!.params).toEqual({ bits: '010' });
  });

  it('a reserved opcode, a control frame over 125 bytes, a fragmented ping, a non-minimal length', async () => {
    for (const [frame, id] of [
      ['83 00', 'ws-reserved-opcode'],
      [`89 7e 00 7e ${'00 '.repeat(126)}`, 'ws-control-too-long'],
      ['09 00', 'ws-control-fragmented'],
      ['82 7e 00 05 01 02 03 04 05', 'ws-non-minimal-length'],
      ['82 7f 80 00 00 00 00 00 00 01 00', 'ws-length-msb-set'],
    ] as const) {
      const list = await findFindings(ws([['s2c', hex(frame)]]));
      expect(ids(list), frame.slice(0, 12)).toEqual([id]);
    }
  });

  it('close codes 1005, 1006 and 1015 on the wire, an invalid code, a 1-byte body, a reason not UTF-8', async () => {
    for (const [body, id, code] of [
      ['88 02 03 ed', 'ws-close-code-local-only', 1005],
      ['88 02 03 ee', 'ws-close-code-local-only', 1006],
      ['88 02 03 f7', 'ws-close-code-local-only', 1015],
      ['88 02 03 e7', 'ws-close-code-invalid', 999],
      ['88 02 03 ec', 'ws-close-code-invalid', 1004],
    ] as const) {
      const list = await findFindings(ws([['s2c', hex(body)]]));
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ id, params: { code }, start: 2, end: 4 });
    }
    expect(ids(await findFindings(ws([['s2c', hex('88 01 03')]])))).toEqual(['ws-close-body-one-byte']);
    expect(ids(await findFindings(ws([['s2c', hex('88 03 03 e8 ff')]])))).toEqual([
      'ws-close-reason-invalid-utf8',
    ]);
  });

  it('invalid UTF-8 in a text message, within one frame and across fragments', async () => {
    const one = await findFindings(ws([['s2c', hex('81 03 61 ff 62')]]));
    expect(one[0]).toMatchObject({ id: 'ws-invalid-utf8', start: 3, params: { fragment: 1 } });
    // E2 82 starts a euro sign; the next fragment's 0x28 cannot continue it.
    const split = await findFindings(
      ws([
        ['s2c', hex('01 02 e2 82')],
        ['s2c', hex('80 01 28')],
      ]),
    );
    expect(split).toHaveLength(1);
    expect(split[0]).toMatchObject({ id: 'ws-invalid-utf8', start: 2, params: { fragment: 2 } });
    // A message that ends in the middle of a character.
    expect(ids(await findFindings(ws([['s2c', hex('81 02 e2 82')]])))).toEqual(['ws-invalid-utf8']);
  });

  it('continuations out of place, and a frame after the close frame', async () => {
    expect(ids(await findFindings(ws([['s2c', hex('80 01 61')]])))).toEqual(['ws-unexpected-continuation']);
    expect(
      ids(
        await findFindings(
          ws([
            ['s2c', hex('01 01 61')],
            ['s2c', hex('81 01 62')],
          ]),
        ),
      ),
    ).toEqual(['ws-expected-continuation']);
    expect(
      ids(
        await findFindings(
          ws([
            ['s2c', hex('88 02 03 e8')],
            ['s2c', hex('81 01 61')],
          ]),
        ),
      ),
    ).toEqual(['ws-frame-after-close']);
  });

  it('keeps reading after a fault the unit parser stopped at', async () => {
    // A masked server frame, then an invalid close code: the parser stops at the first, findings see both.
    const list = await findFindings(ws([['s2c', hex('81 81 00 00 00 00 61 88 02 03 ed')]]));
    expect(ids(list)).toEqual(['ws-masked-server-frame', 'ws-close-code-local-only']);
    expect(list[1]).toMatchObject({ start: 9, end: 11 });
  });
});

describe('findings: connections', () => {
  it('a TCP close with no close frame either way', async () => {
    const list = await findFindings(ws([['s2c', hex('81 01 61')]], 10));
    expect(list).toMatchObject([{ id: 'ws-closed-without-close-frame', level: 'advice', conn: 'c1' }]);
  });

  it('a WebSocket silent past the limit with no ping or pong, but not with a heartbeat', async () => {
    const quiet = ws([
      ['s2c', hex('81 01 61'), 5],
      ['s2c', hex('81 01 62'), 125_000],
      ['s2c', hex('88 00'), 125_001],
    ]);
    const list = await findFindings(quiet, { idleMs: 60_000 });
    expect(list).toMatchObject([{ id: 'ws-idle-no-heartbeat', params: { seconds: 125, limit: 60 } }]);
    const alive = ws([
      ['s2c', hex('89 00'), 5],
      ['s2c', hex('81 01 62'), 125_000],
      ['s2c', hex('88 00'), 125_001],
    ]);
    expect(await findFindings(alive, { idleMs: 60_000 })).toEqual([]);
    // Still open: idle until the end time given.
    const open = ws([['s2c', hex('81 01 61'), 5]]);
    expect(ids(await findFindings(open, { idleMs: 60_000, endTime: 90_000 }))).toEqual([
      'ws-idle-no-heartbeat',
    ]);
  });

  it('reports a proxied exchange once: on the target leg, not on the client leg it serves', async () => {
    const frame: Step = ['s2c', hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')];
    const events = [
      ...connection('c1', [['c2s', REQUEST], ['s2c', RESPONSE], frame], { leg: { leg: 'client' } }),
      ...connection('c2', [['c2s', REQUEST], ['s2c', RESPONSE], frame], {
        leg: { leg: 'target', pair: 'c1' },
      }),
    ];
    expect((await findFindings(events)).map((f) => `${f.conn} ${f.id}`)).toEqual([
      'c2 ws-masked-server-frame',
    ]);
  });
});

describe('findings: handshakes and HTTP', () => {
  /** The RFC's 101 with one more field. */
  const respond = (extra: string): Uint8Array =>
    text(str(RESPONSE).replace(/\r\n\r\n$/, `\r\n${extra}\r\n\r\n`));

  it('a wrong or missing Sec-WebSocket-Accept, a 101 without Upgrade', async () => {
    const wrong = text(str(RESPONSE).replace('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='));
    const list = await findFindings(
      connection('c1', [
        ['c2s', REQUEST],
        ['s2c', wrong],
      ]),
    );
    expect(list).toMatchObject([{ id: 'ws-accept-wrong', section: 'RFC 6455 4.1', dir: 's2c' }]);
    // The span is the Accept field line.
    const line = str(wrong.subarray(list[0]!.start, list[0]!.end));
    expect(line).toBe('Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n');
    const missing = text(str(RESPONSE).replace(/Sec-WebSocket-Accept: .*\r\n/, ''));
    expect(
      ids(
        await findFindings(
          connection('c1', [
            ['c2s', REQUEST],
            ['s2c', missing],
          ]),
        ),
      ),
    ).toEqual(['ws-accept-missing']);
    const noUpgrade = text(str(RESPONSE).replace('Upgrade: websocket\r\n', ''));
    expect(
      ids(
        await findFindings(
          connection('c1', [
            ['c2s', REQUEST],
            ['s2c', noUpgrade],
          ]),
        ),
      ),
    ).toEqual(['ws-101-without-upgrade']);
  });

  it('an extension or subprotocol the client never offered', async () => {
    const ext = respond('Sec-WebSocket-Extensions: permessage-deflate');
    expect(
      ids(
        await findFindings(
          connection('c1', [
            ['c2s', REQUEST],
            ['s2c', ext],
          ]),
        ),
      ),
    ).toEqual(['ws-extension-not-offered']);
    const proto = respond('Sec-WebSocket-Protocol: chat');
    expect(
      ids(
        await findFindings(
          connection('c1', [
            ['c2s', REQUEST],
            ['s2c', proto],
          ]),
        ),
      ),
    ).toEqual(['ws-protocol-not-offered']);
  });

  it('a 101 to a request the server must refuse (version 8)', async () => {
    const v8 = text(str(REQUEST).replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'));
    const list = await findFindings(
      connection('c1', [
        ['c2s', v8],
        ['s2c', RESPONSE],
      ]),
    );
    expect(list).toMatchObject([
      { id: 'ws-accepted-invalid-request', params: { code: 'UNSUPPORTED_VERSION' } },
    ]);
  });

  it('an upgrade accepted from a foreign Origin, pointing at the Origin line', async () => {
    const foreign = text(
      new TextDecoder()
        .decode(REQUEST)
        .replace('Origin: http://server.example.com', 'Origin: http://evil.example'),
    );
    const list = await findFindings(
      connection('c1', [
        ['c2s', foreign],
        ['s2c', RESPONSE],
      ]),
    );
    expect(list).toMatchObject([
      {
        id: 'ws-foreign-origin-accepted',
        level: 'advice',
        dir: 'c2s',
        params: { origin: 'http://evil.example', host: 'server.example.com' },
      },
    ]);
    expect(str(foreign.subarray(list[0]!.start, list[0]!.end))).toBe('Origin: http://evil.example\r\n');
    // The same host on its default port is the same origin.
    const port = text(str(REQUEST).replace('Host: server.example.com', 'Host: server.example.com:80'));
    expect(
      await findFindings(
        connection('c1', [
          ['c2s', port],
          ['s2c', RESPONSE],
        ]),
      ),
    ).toEqual([]);
  });

  it('a 426 without Upgrade, Content-Length with chunked, a malformed head', async () => {
    const steps: Step[] = [
      ['c2s', text('GET / HTTP/1.1\nHost: a\n\n')],
      ['s2c', text('HTTP/1.1 426 Upgrade Required\nContent-Length: 0\n\n')],
    ];
    expect(ids(await findFindings(connection('c1', steps)))).toEqual(['http-426-without-upgrade']);
    const both = await findFindings(
      connection('c1', [
        ['c2s', text('GET / HTTP/1.1\nHost: a\n\n')],
        ['s2c', text('HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n')],
      ]),
    );
    expect(both).toMatchObject([
      { id: 'http-content-length-and-chunked', section: 'RFC 9112 6.1', dir: 's2c' },
    ]);
    const folded = await findFindings(
      connection('c1', [['c2s', text('GET / HTTP/1.1\nHost: a\n folded\n\n')]]),
    );
    expect(folded).toMatchObject([
      { id: 'http-malformed', section: 'RFC 9112 5.2', params: { code: 'OBS_FOLD' } },
    ]);
  });
});

describe('findings: words', () => {
  it('every finding has a title and an explanation in English and Korean, with its params filled', () => {
    for (const [id, langs] of Object.entries(FINDING_TEXT)) {
      for (const lang of ['en', 'ko'] as const) {
        expect(langs[lang].title, `${id} ${lang}`).not.toBe('');
        expect(langs[lang].detail, `${id} ${lang}`).not.toBe('');
        // Both languages name the same params.
        const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(names(langs.ko.title + langs.ko.detail), id).toEqual(names(langs.en.title + langs.en.detail));
      }
    }
    const finding: Finding = {
      id: 'ws-close-code-local-only',
      level: 'violation',
      section: 'RFC 6455 7.4.1',
      conn: 'c1',
      event: 0,
      t: 0,
      params: { code: 1006 },
    };
    expect(describeFinding(finding, 'en').title).toBe('Close code 1006 sent on the wire');
    expect(describeFinding(finding, 'ko').title).toBe('닫기 코드 1006를 실제로 보냈어요');
  });
});

describe('findings: one event at a time', () => {
  // Connections with findings of every kind of check, a proxied pair whose client leg is read before its
  // target leg opens, and a WebSocket that falls silent.
  const frame: Step = ['s2c', hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')];
  const connections = [
    connection('p1', [['c2s', REQUEST], ['s2c', RESPONSE], frame], { leg: { leg: 'client' } }),
    connection('p2', [['c2s', REQUEST], ['s2c', RESPONSE], frame], { leg: { leg: 'target', pair: 'p1' } }),
    connection(
      'w1',
      [
        ['c2s', REQUEST, 1],
        ['s2c', RESPONSE, 2],
        ['c2s', hex('81 05 48 65 6c 6c 6f'), 3],
        ['s2c', hex('01 01 61'), 70_000],
        ['s2c', hex('81 01 62'), 70_001],
        ['s2c', hex('88 02 03 ed'), 70_002],
      ],
      { close: 70_010 },
    ),
    connection('h1', [
      ['c2s', text('GET /ws HTTP/1.1\nHost: a\nUpgrade: websocket\nConnection: Upgrade\n\n')],
      ['s2c', text('HTTP/1.1 426 Upgrade Required\nContent-Length: 0\n\n')],
      ['c2s', text('GET / HTTP/1.1\nHost: a\n\n')],
      ['s2c', text('HTTP/1.1 200 OK\nContent-Length: 2\nTransfer-Encoding: chunked\n\n0\n\n')],
    ]),
  ];
  const EXPECTED_IDS: FindingId[] = [
    'ws-masked-server-frame',
    'ws-unmasked-client-frame',
    'ws-expected-continuation',
    'ws-close-code-local-only',
    'ws-idle-no-heartbeat',
    'http-426-without-upgrade',
    'http-content-length-and-chunked',
  ];
  const describe = (list: Finding[]) => list.map((f) => `${f.event} ${f.conn} ${f.id} ${f.start ?? ''}`);

  it('after every event, for any interleaving of the connections, what one read of the trace so far finds', async () => {
    const whole = await findFindings(connections.flat(), { idleMs: 60_000 });
    expect(new Set(ids(whole))).toEqual(new Set(EXPECTED_IDS));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(connections.length - 1), { minLength: 40, maxLength: 40 }),
        async (picks) => {
          // Each pick takes the next event of one connection (or of the next one with events left).
          const next = connections.map(() => 0);
          const events: TraceEvent[] = [];
          const total = connections.reduce((sum, c) => sum + c.length, 0);
          for (let i = 0; events.length < total; i++) {
            let c = picks[i % picks.length]!;
            while (next[c]! >= connections[c]!.length) c = (c + 1) % connections.length;
            events.push(connections[c]![next[c]!++]!);
          }
          const checker = findingsChecker({ idleMs: 60_000 });
          for (const [index, event] of events.entries()) {
            checker.push(event, index);
            if (index % 5 !== 4 && index !== events.length - 1) continue;
            const sofar = events.slice(0, index + 1);
            expect(describe(await checker.findings())).toEqual(
              describe(await findFindings(sofar, { idleMs: 60_000 })),
            );
          }
        },
      ),
      { seed: 6455, numRuns: 40 },
    );
  });

  it('a time out of order is sorted in with the later ones, not taken for a silence', async () => {
    const checker = findingsChecker({ idleMs: 60_000 });
    const events = ws([
      ['s2c', hex('81 01 61'), 10],
      ['s2c', hex('81 01 62'), 50_000],
      ['s2c', hex('81 01 63'), 30_000], // earlier than the one before: 30 s to 100 s is not silent
      ['s2c', hex('81 01 64'), 100_000],
    ]);
    events.forEach((e, i) => checker.push(e, i));
    expect(ids(await checker.findings(100_000))).toEqual([]);
    expect(await checker.findings(100_000)).toEqual(await findFindings(events, { idleMs: 60_000 }));
    expect(ids(await checker.findings(160_001))).toEqual(['ws-idle-no-heartbeat']);
  });
});
