import { describe, expect, it } from 'vitest';
import { decodePasted, EXAMPLES } from '../../../src/lib/viz/paste';
import { unitLabel } from '../../../src/lib/trace/label';
import { PROTOCOL_ERROR_KO, faultText, fieldNote } from '../../../src/lib/i18n/fields';

describe('decodePasted', () => {
  it('decodes the RFC 6455 masked "Hello" frame', () => {
    const r = decodePasted(EXAMPLES.maskedText);
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.kind).toBe('ws-frame');
    expect(unitLabel(r, 'en')).toBe("Text 'Hello' (masked)");
    expect(unitLabel(r, 'ko')).toBe("Text 'Hello' (마스킹됨)");
    expect(r.fields.find((f) => f.id === 'payload')?.text).toBe('Hello');
  });

  it('decodes an HTTP upgrade request', () => {
    const r = decodePasted(EXAMPLES.upgrade);
    expect(r.status).toBe('ok');
    if (r.status === 'ok') {
      expect(r.kind).toBe('http-request');
      expect(unitLabel(r, 'en')).toBe('GET /chat HTTP/1.1');
    }
  });

  it('names the rule and the byte of a malformed frame', () => {
    const r = decodePasted(EXAMPLES.rsvSet);
    expect(r.status).toBe('fault');
    if (r.status !== 'fault') return;
    expect(r.fault).toMatchObject({ code: 'RSV_SET', rfc: 6455, section: '5.2', offset: 0, closeCode: 1002 });
    expect(faultText(r.fault!, r.fault!.message, 'en')).toMatch(
      /^RSV bits 100 set .*\(RFC 6455 section 5\.2; a conforming peer closes with 1002\)$/,
    );
    expect(faultText(r.fault!, r.fault!.message, 'ko')).toBe(
      `${PROTOCOL_ERROR_KO.RSV_SET} (RFC 6455 5.2절; 종료 코드 1002로 끊어요)`,
    );
    const nm = decodePasted(EXAMPLES.nonMinimal);
    expect(nm.status === 'fault' && nm.fault?.code).toBe('NON_MINIMAL_LENGTH');
    expect(nm.status === 'fault' && nm.fault?.offset).toBe(2);
  });

  it('says what a frame cut short is missing', () => {
    const r = decodePasted('81 85 37 fa 21 3d 7f 9f 4d 51');
    expect(r).toMatchObject({ status: 'truncated', missing: { note: 'the payload has 4 of 5 bytes' } });
    if (r.status === 'truncated')
      expect(fieldNote(r.missing!, 'ko')).toBe('페이로드가 5바이트 중 4바이트만 왔어요');
    expect(decodePasted('81 fe 01')).toMatchObject({
      status: 'truncated',
      missing: { note: expect.stringMatching(/2-byte extended length/) },
    });
  });

  it('says where the hex is not hex', () => {
    const r = decodePasted('81 85\n37 zz');
    expect(r).toMatchObject({ status: 'bad-hex', line: 2, column: 4, fault: { kind: 'not-hex', text: 'z' } });
    expect(decodePasted('81 8')).toMatchObject({
      status: 'bad-hex',
      fault: { kind: 'odd-digits', text: '8' },
    });
  });

  it('reports a truncated frame and an empty paste', () => {
    expect(decodePasted('81 85 37').status).toBe('truncated');
    expect(decodePasted('   ').status).toBe('empty');
  });

  it('explains a malformed HTTP head with the status a server answers', () => {
    const hex = Array.from(new TextEncoder().encode('GET / HTTP/1.1\r\nHost : x\r\n\r\n'), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join(' ');
    const r = decodePasted(hex);
    expect(r.status).toBe('fault');
    if (r.status === 'fault') expect(r.fault?.status).toBe(400);
  });
});
