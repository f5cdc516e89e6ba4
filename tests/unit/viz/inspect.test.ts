import { describe, expect, it } from 'vitest';
import { annotate, byByte, fieldAt, inspect, MAX_CELLS_PER_FIELD } from '../../../src/lib/viz/inspect';
import { parseHex } from '../../../src/lib/protocol/hex';
import { encodeFrame } from '../../../src/lib/protocol/frame';
import { encodeCloseBody } from '../../../src/lib/protocol/close';
import { concatBytes } from '../../../src/lib/protocol/bytes';
import { LAST_CHUNK, encodeChunk } from '../../../src/lib/protocol/http/index';

const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

describe('inspect', () => {
  it('covers every byte of a masked frame with fields and shows the XOR with the real key', () => {
    const bytes = encodeFrame({ opcode: 1, payload: 'Hello', mask: key });
    const view = inspect('ws-frame', bytes);
    const covered = view.fields.flatMap((f) => f.cells.map((c) => c.offset));
    expect(covered).toEqual([...bytes.keys()]);
    expect(view.bits?.map((b) => b.id)).toEqual([
      'fin',
      'rsv1',
      'rsv2',
      'rsv3',
      'opcode',
      'mask',
      'payload-len',
    ]);
    expect(view.masking?.key).toEqual(['37', 'fa', '21', '3d']);
    expect(view.masking?.rows[0]).toEqual({ offset: 6, masked: '7f', key: '37', plain: '48', char: 'H' });
    expect(view.masking?.rows.map((r) => r.char).join('')).toBe('Hello');
    expect(fieldAt(view, 0)?.id).toBe('fin-rsv-opcode');
    expect(fieldAt(view, 3)?.id).toBe('mask-key');
  });

  it('runs the XOR across a close frame split into code and reason', () => {
    const bytes = encodeFrame({ opcode: 8, payload: encodeCloseBody(1000, 'ok'), mask: key });
    const view = inspect('ws-frame', bytes);
    expect(view.masking?.rows.map((r) => r.plain)).toEqual(['03', 'e8', '6f', '6b']);
  });

  it('has no masking table for an unmasked server frame', () => {
    expect(inspect('ws-frame', encodeFrame({ opcode: 1, payload: 'hi' })).masking).toBeUndefined();
  });

  it('shortens long payloads but keeps the byte count', () => {
    const bytes = encodeFrame({ opcode: 2, payload: new Uint8Array(300) });
    const payload = inspect('ws-frame', bytes).fields.find((f) => f.id === 'payload')!;
    expect(payload.cells).toHaveLength(MAX_CELLS_PER_FIELD);
    expect(payload.hidden).toBe(300 - MAX_CELLS_PER_FIELD);
  });

  it('annotates HTTP messages line by line', () => {
    const bytes = new TextEncoder().encode('GET /chat HTTP/1.1\r\nHost: a\r\n\r\n');
    const view = inspect('http-request', bytes);
    expect(view.fields[0]!.id).toBe('request-line');
    expect(view.fields.some((f) => f.id === 'header:host')).toBe(true);
    expect(view.fields.at(-1)!.end).toBe(bytes.length);
  });

  it('unmasks the payload bytes that arrived of a frame cut short', () => {
    // RFC 6455 section 5.7's masked "Hello" without its last byte.
    const view = inspect('ws-frame', parseHex('81 85 37 fa 21 3d 7f 9f 4d 51'));
    expect(view.masking?.rows.map((r) => r.offset)).toEqual([6, 7, 8, 9]);
    expect(view.masking?.rows.map((r) => r.char).join('')).toBe('Hell');
    expect(view.masking?.rows[3]).toMatchObject({ masked: '51', key: '3d', plain: '6c' });
    expect(inspect('ws-frame', parseHex('81 85 37 fa 21 3d')).masking?.rows).toEqual([]);
  });

  it('groups the header bits by byte: FIN, RSV and opcode, then MASK and length', () => {
    const view = inspect('ws-frame', encodeFrame({ opcode: 1, payload: 'Hello', mask: key }));
    expect(byByte(view.bits!).map((g) => g.map((b) => b.id))).toEqual([
      ['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode'],
      ['mask', 'payload-len'],
    ]);
  });

  describe('a frame from a connection that negotiated permessage-deflate (RFC 7692)', () => {
    // RFC 7692 section 7.2.3.2: the second 'Hello' with context takeover, which only the connection's
    // history inflates; the first fragment of section 7.2.3.1's split message.
    const second = parseHex('c1 05 f2 00 11 00 00');
    const firstFragment = parseHex('41 03 f2 48 cd');
    const hello = new TextEncoder().encode('Hello');

    it('without the connection, RSV1 is a fault', () => {
      const view = inspect('ws-frame', second, annotate('ws-frame', second));
      expect(view.fields.at(-1)).toMatchObject({ id: 'fault', fault: true, value: 'RSV_SET' });
    });

    it('reads RSV1 as per-message compressed and shows the DEFLATE bytes with what they inflated to', () => {
      const view = inspect(
        'ws-frame',
        second,
        annotate('ws-frame', second, { deflate: true, inflated: hello }),
      );
      expect(view.fields.some((f) => f.fault)).toBe(false);
      const payload = view.fields.find((f) => f.id === 'payload')!;
      expect(payload.value).toBe("'Hello'");
      expect(payload.cells.map((c) => c.hex).join(' ')).toBe('f2 00 11 00 00');
      expect(payload.note).toContain('5 bytes of DEFLATE data inflate to 5 bytes');
      expect(view.bits!.find((b) => b.id === 'rsv1')!.meaning).toBe('per-message compressed (RFC 7692)');
      const ko = inspect(
        'ws-frame',
        second,
        annotate('ws-frame', second, { deflate: true, inflated: hello }),
        'ko',
      );
      expect(ko.fields[0]!.note).toBe('FIN=1 RSV=100 (RSV1: 메시지 단위 압축) opcode=0x1 (text)');
      expect(ko.fields.find((f) => f.id === 'payload')!.note).toContain('DEFLATE 데이터 5바이트가 5바이트로');
    });

    it('a first fragment is compressed but not inflated on its own; a plain frame stays plain', () => {
      const view = inspect('ws-frame', firstFragment, annotate('ws-frame', firstFragment, { deflate: true }));
      expect(view.fields.some((f) => f.fault)).toBe(false);
      expect(view.fields.find((f) => f.id === 'payload')!.note).toContain('not inflated here');
      const plain = encodeFrame({ opcode: 1, payload: 'Hello' });
      const fields = annotate('ws-frame', plain, { deflate: true });
      expect(fields.find((f) => f.id === 'payload')).toMatchObject({ text: 'Hello' });
      expect(fields.some((f) => f.compressed)).toBe(false);
      expect(inspect('ws-frame', plain, fields).bits!.find((b) => b.id === 'rsv1')!.meaning).toBe('not set');
    });
  });
});

describe('inspect: an event-stream unit in Korean', () => {
  const HANGUL = /[\uAC00-\uD7A3]/;
  // Chunks that cut through a field line, as a proxy may re-chunk a stream, then the last chunk.
  const ascii = (t: string) => new TextEncoder().encode(t);
  const unit = concatBytes([
    ...['id: 2\nevent: pri', 'ce\ndata: x\n\n', ': keep\nretry\n\n'].map((t) => encodeChunk(ascii(t))),
    LAST_CHUNK,
  ]);

  it('names every field by what it is, and explains it in Korean from the protocol’s facts', () => {
    const en = inspect('sse-event', unit, undefined, 'en');
    const ko = inspect('sse-event', unit, undefined, 'ko');
    expect(ko.fields.map((f) => f.id)).toEqual(en.fields.map((f) => f.id));
    for (const f of ko.fields) {
      expect(f.label, f.id).toMatch(HANGUL);
      if (f.note !== undefined) expect(f.note, f.id).toMatch(HANGUL);
    }
    const byId = (id: string) => ko.fields.find((f) => f.id === id)!;
    expect(byId('chunk-size:0').note).toBe('16진수 10 = 이벤트 스트림 16바이트가 이어져요(RFC 9112 7.1절)');
    expect(byId('sse-id:0').note).toContain('Last-Event-ID: 2');
    expect(byId('sse-event:1').note).toBe("이벤트 타입: 'price' 이벤트로 전달돼서 onmessage에는 오지 않아요");
    expect(byId('sse-event:1.1').label).toBe('event 필드(이벤트 타입) (이어짐)');
    expect(byId('sse-dispatch:3').note).toContain("addEventListener('price')");
    expect(byId('sse-retry:5').label).toBe('retry 필드(무시됨)');
    expect(byId('sse-dispatch:6').note).toContain('이벤트는 전달되지 않아요');
    expect(byId('last-chunk').note).toContain('응답 본문이 여기서 끝나요');
  });
});
