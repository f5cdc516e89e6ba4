import { describe, expect, it } from 'vitest';
import { compileLesson, escapeHtml, renderBlock } from '../../../src/lib/lessons/compile';
import { loadValidLessons } from '../../../src/lib/lessons/vitePlugin';

describe('compile', () => {
  it('escapes raw HTML instead of passing it through', () => {
    const html = renderBlock('Hi <script>alert(1)</script> and <img src=x onerror=alert(1)>\n\n<div>block</div>');
    expect(html).not.toMatch(/<script|<img|<div/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;div&gt;block&lt;/div&gt;');
  });

  it('renders Markdown: code, emphasis, tables, links', () => {
    expect(renderBlock('`GET /chat` and **FIN**')).toBe('<p><code>GET /chat</code> and <strong>FIN</strong></p>');
    expect(renderBlock('| a |\n| - |\n| 1 |')).toContain('<table>');
    expect(renderBlock('[lab](#/en/lab)')).toBe('<p><a href="#/en/lab">lab</a></p>');
    expect(escapeHtml(`<"'&>`)).toBe('&lt;&quot;&#39;&amp;&gt;');
  });

  it('compiles every real lesson with no raw tag other than those Markdown makes', () => {
    const allowed = new Set(['p', 'code', 'pre', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br']);
    for (const lesson of loadValidLessons(process.cwd())) {
      const json = JSON.stringify(compileLesson(lesson));
      for (const [, tag] of json.matchAll(/<\/?([a-z0-9]+)/g)) expect(allowed, `${lesson.slug}: <${tag}>`).toContain(tag);
      expect(json, `${lesson.slug} has unrendered emphasis`).not.toMatch(/[^\\]\*\*/);
    }
  });
});
