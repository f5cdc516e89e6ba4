import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, withLang } from '../../../src/lib/lessons/router';

describe('hash routes', () => {
  it.each([
    ['', { kind: 'home', lang: 'ko' }],
    ['#/en/', { kind: 'home', lang: 'en' }],
    ['#/ko', { kind: 'home', lang: 'ko' }],
    ['#/en/lab', { kind: 'lab', lang: 'en' }],
    ['#/ko/inspector', { kind: 'inspector', lang: 'ko' }],
    ['#/en/inspect', { kind: 'inspect', lang: 'en' }],
    ['#/ko/03-opening-handshake/5', { kind: 'lesson', lang: 'ko', slug: '03-opening-handshake', step: 4 }],
    ['#/en/01-request-response', { kind: 'lesson', lang: 'en', slug: '01-request-response', step: 0 }],
    [
      '#/en/03-opening-handshake/3?choice=bad-key',
      { kind: 'lesson', lang: 'en', slug: '03-opening-handshake', step: 2, choice: 'bad-key' },
    ],
    ['#/en/03-opening-handshake/0', { kind: 'lesson', lang: 'en', slug: '03-opening-handshake', step: 0 }],
    ['#/en/03-opening-handshake/x?choice=<b>', { kind: 'lesson', lang: 'en', slug: '03-opening-handshake', step: 0 }],
    ['#/fr/', { kind: 'not-found', lang: 'ko', path: '/fr/' }],
    ['#/en/nope', { kind: 'not-found', lang: 'en', path: '/en/nope' }],
  ])('%s', (hash, route) => {
    expect(parseHash(hash, 'ko')).toEqual(route);
  });

  it('round-trips lesson places and switches language keeping the place', () => {
    const hash = '#/en/03-opening-handshake/3?choice=wrong-version';
    const route = parseHash(hash, 'en');
    expect(formatHash(route)).toBe(hash);
    expect(formatHash(withLang(route, 'ko'))).toBe('#/ko/03-opening-handshake/3?choice=wrong-version');
    expect(formatHash(withLang(parseHash('#/en/lab', 'en'), 'ko'))).toBe('#/ko/lab');
  });
});
