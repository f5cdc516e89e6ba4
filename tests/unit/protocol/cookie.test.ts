import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cookieValue, formatSetCookie, parseCookieHeader } from '../../../src/lib/protocol/cookie';

describe('Set-Cookie (RFC 6265 section 4.1)', () => {
  it('writes the attributes in a fixed order', () => {
    expect(
      formatSetCookie({
        name: 'wirescope_lesson',
        value: '3f9c',
        path: '/',
        maxAge: 600,
        httpOnly: true,
        sameSite: 'Lax',
      }),
    ).toBe('wirescope_lesson=3f9c; Path=/; Max-Age=600; HttpOnly; SameSite=Lax');
    expect(formatSetCookie({ name: 'a', value: '', maxAge: 0 })).toBe('a=; Max-Age=0');
    expect(formatSetCookie({ name: 'id', value: 'x', secure: true, sameSite: 'None' })).toBe(
      'id=x; Secure; SameSite=None',
    );
  });

  it.each([
    ['a name with a space', { name: 'my cookie', value: 'x' }],
    ['a name with "="', { name: 'a=b', value: 'x' }],
    ['a value with ";"', { name: 'a', value: 'x;y' }],
    ['a value with a space', { name: 'a', value: 'x y' }],
    ['a value with a comma', { name: 'a', value: 'x,y' }],
    ['a path with ";"', { name: 'a', value: 'x', path: '/;x' }],
    ['a fractional Max-Age', { name: 'a', value: 'x', maxAge: 1.5 }],
  ])('refuses %s', (_what, cookie) => {
    expect(() => formatSetCookie(cookie)).toThrow(RangeError);
  });
});

describe('Cookie (RFC 6265 section 5.4)', () => {
  it('reads the pairs a browser sends, in order', () => {
    expect(parseCookieHeader('lax=1; strict=1; none=1; plain=1')).toEqual([
      { name: 'lax', value: '1' },
      { name: 'strict', value: '1' },
      { name: 'none', value: '1' },
      { name: 'plain', value: '1' },
    ]);
  });

  it('is lenient: trims, skips pairs without a name or "=", keeps quotes and "=" inside values', () => {
    expect(parseCookieHeader(' a = 1 ;b;=2; c="q"; d=x=y;;')).toEqual([
      { name: 'a', value: '1' },
      { name: 'c', value: '"q"' },
      { name: 'd', value: 'x=y' },
    ]);
    expect(parseCookieHeader('')).toEqual([]);
  });

  it('finds one cookie among the fields, case-insensitively by field name, first match first', () => {
    const headers = [
      { name: 'Host', value: '127.0.0.1:8080' },
      { name: 'cookie', value: 'other=1; wirescope_lesson=abc' },
      { name: 'Cookie', value: 'wirescope_lesson=later' },
    ];
    expect(cookieValue(headers, 'wirescope_lesson')).toBe('abc');
    expect(cookieValue(headers, 'missing')).toBeUndefined();
    expect(cookieValue([], 'wirescope_lesson')).toBeUndefined();
  });

  it('a Set-Cookie pair reads back through the Cookie parser (seeded property)', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,16}$/);
    const octets = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,24}$/);
    fc.assert(
      fc.property(token, octets, (name, value) => {
        const pair = formatSetCookie({ name, value, path: '/', httpOnly: true }).split(';')[0]!;
        expect(cookieValue([{ name: 'Cookie', value: `x=1; ${pair}` }], name)).toBe(
          name === 'x' ? '1' : value,
        );
      }),
      { seed: 6265, numRuns: 300 },
    );
  });
});
