import { describe, expect, it } from 'vitest';
import { HexParseError, classify, parseHex, toHex } from '../../../src/lib/protocol/index.ts';
import { ascii, thrown } from './helpers.ts';

const HELLO = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

describe('parseHex', () => {
  it.each([
    ['spaced pairs', '81 85 37 fa 21 3d 7f 9f 4d 51 58'],
    ['0x and commas', '0x81,0x85,0x37,0xfa,0x21,0x3d,0x7f,0x9f,0x4d,0x51,0x58'],
    ['groups of four', '8185 37fa 213d 7f9f 4d51 58'],
    ['one run, upper case', '818537FA213D7F9F4D5158'],
    ['newlines', '81 85\n37 fa 21 3d\r\n7f 9f 4d 51 58\n'],
    ['Wireshark hex dump', '0000   81 85 37 fa 21 3d 7f 9f 4d 51 58         ..7.!=..MQX'],
    ['xxd dump', '00000000: 8185 37fa 213d 7f9f 4d51 58                   ..7.!=..MQX'],
  ])('reads %s', (_name, input) => {
    expect([...parseHex(input)]).toEqual(HELLO);
  });

  it('reads a multi-line dump and skips its ASCII column', () => {
    const dump =
      '0000  48 54 54 50 2f 31 2e 31 20 31 30 31 20 53 77 69   HTTP/1.1 101 Swi\n0010  74 63                                             tc';
    expect(new TextDecoder().decode(parseHex(dump))).toBe('HTTP/1.1 101 Switc');
  });

  it('names the position of a bad character', () => {
    const e = thrown(() => parseHex('81 85\n37 zz')) as HexParseError;
    expect(e).toBeInstanceOf(HexParseError);
    expect([e.line, e.column, e.position]).toEqual([2, 4, 9]);
    expect(e.message).toContain('"z"');
  });

  it('reports an odd number of digits', () => {
    const e = thrown(() => parseHex('81 853')) as HexParseError;
    expect(e.message).toMatch(/Odd number/);
    expect(e.column).toBe(4);
  });

  it('toHex is the inverse', () => {
    expect(toHex(Uint8Array.from(HELLO))).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    expect(toHex(Uint8Array.of(0, 255), '')).toBe('00ff');
    expect(parseHex('')).toEqual(new Uint8Array(0));
  });
});

describe('classify', () => {
  it.each([
    [ascii('GET /chat HTTP/1.1\r\nHost: x\r\n\r\n'), 'http-request'],
    [ascii('HTTP/1.1 101 Switching Protocols\r\n'), 'http-response'],
    [Uint8Array.from(HELLO), 'websocket-frame'],
    [Uint8Array.of(0x81), 'websocket-frame'],
    [Uint8Array.of(0xc3, 0x00), 'unknown'],
    [Uint8Array.of(0xff), 'unknown'],
    [new Uint8Array(0), 'empty'],
  ])('%#: %s', (bytes, kind) => {
    expect(classify(bytes)).toBe(kind);
  });
});
