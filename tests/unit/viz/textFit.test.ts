import { describe, expect, it } from 'vitest';
import { textWidth, wrapText } from '../../../src/lib/viz/textFit';

describe('textWidth', () => {
  it('counts Hangul and other wide characters as a full em, narrow ones as less', () => {
    expect(textWidth('서버', 10)).toBe(20);
    expect(textWidth('iiii', 10)).toBeLessThan(textWidth('mmmm', 10));
    expect(textWidth('abc', 10, 'mono')).toBe(textWidth('ilm', 10, 'mono'));
  });
});

describe('wrapText', () => {
  const size = 10;
  const fitsIn = (lines: string[], width: number) =>
    lines.every((l) => textWidth(l.trimEnd(), size) <= width);

  it('keeps short text on one line', () => {
    expect(wrapText('Server', 200, { size })).toEqual(['Server']);
    expect(wrapText('', 200, { size })).toEqual(['']);
  });

  it('breaks at spaces, keeping them so the lines join back to the text', () => {
    const text = 'The server unmasks: payload[i] XOR key[i mod 4]';
    const lines = wrapText(text, 120, { size });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(text);
    expect(fitsIn(lines, 120)).toBe(true);
    expect(lines.slice(0, -1).every((l) => l.endsWith(' '))).toBe(true);
  });

  it('cuts a word only when it alone is too wide', () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const lines = wrapText(`Key: ${key}`, 80, { size, face: 'mono' });
    expect(lines[0]).toBe('Key: ');
    expect(lines.join('')).toBe(`Key: ${key}`);
    expect(lines.every((l) => textWidth(l.trimEnd(), size, 'mono') <= 80)).toBe(true);
  });

  it('wraps Korean between words', () => {
    const text = '서버가 마스크를 풀어요: 페이로드 XOR 키';
    const lines = wrapText(text, 100, { size });
    expect(lines.join('')).toBe(text);
    expect(fitsIn(lines, 100)).toBe(true);
  });

  it('gives the first line less room when it is shared', () => {
    const text = 'aaaa bbbb cccc';
    const lines = wrapText(text, 80, { size, face: 'mono', firstWidth: 30 });
    expect(lines[0]).toBe('aaaa ');
    expect(wrapText(text, 80, { size, face: 'mono' })[0]).toBe('aaaa bbbb ');
    // A word too long for the shared line but not for a whole one starts on the next line, uncut.
    expect(wrapText('HTTP/1.1 200', 80, { size, face: 'mono', firstWidth: 30 })).toEqual([
      '',
      'HTTP/1.1 200',
    ]);
  });

  it('ends at maxLines with an ellipsis that still fits', () => {
    const lines = wrapText('one two three four five six seven eight', 50, { size, maxLines: 2 });
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('…')).toBe(true);
    expect(fitsIn(lines, 50)).toBe(true);
  });
});
