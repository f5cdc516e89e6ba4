/**
 * The few responses wirescope writes itself in front of an app, instead of the app: the target cannot
 * be reached (502, RFC 9110 section 15.6.3), wirescope's own page asked for from another machine (403),
 * a request head that never finished (408, section 15.5.9). Each closes the connection: after it the
 * client starts again on a fresh one, which reaches the target once it is back.
 */
import { serializeResponse } from '../../src/lib/protocol/index.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, lines: string[]): string {
  const body = lines.map((line) => `<p>${line}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{font-size:.95em}</style>
<h1>${escapeHtml(title)}</h1>
${body}
</html>
`;
}

function answer(status: number, html: string, head: boolean): Uint8Array {
  const body = new TextEncoder().encode(html);
  return serializeResponse({
    status,
    headers: [
      { name: 'Content-Type', value: 'text/html; charset=utf-8' },
      { name: 'Content-Length', value: String(body.length) },
      { name: 'Cache-Control', value: 'no-store' },
      { name: 'Connection', value: 'close' },
    ],
    // RFC 9110 section 9.3.2: the same head for HEAD, without the body.
    body: head ? new Uint8Array(0) : body,
  });
}

/** What a connection error code means, in a few words. */
function reasonOf(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing is listening there';
    case 'ETIMEDOUT':
      return 'it did not answer in time';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'that host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'that address cannot be reached';
    default:
      return 'the connection failed';
  }
}

export function badGateway(target: string, code: string | undefined, method: string | undefined): Uint8Array {
  const html = page('502 Bad Gateway: the app is not answering', [
    `wirescope could not reach your app at <code>${escapeHtml(target)}</code>: ${escapeHtml(reasonOf(code))}${
      code ? ` (<code>${escapeHtml(code)}</code>)` : ''
    }.`,
    'Start the app (or check the <code>--target</code> address), then reload this page. wirescope keeps running and tries again on every new connection.',
    'wirescope itself is at <a href="/__wirescope/">/__wirescope/</a>.',
  ]);
  return answer(502, html, method === 'HEAD');
}

export function ownPageRemote(method: string | undefined): Uint8Array {
  const html = page('403 Forbidden: wirescope is served on this machine only', [
    'wirescope shows every byte of the traffic it proxies, so its own page and endpoints under <code>/__wirescope/</code> answer clients on the same machine only.',
    'To open them from another machine, start wirescope with <code>--inspect-remote on</code>.',
  ]);
  return answer(403, html, method === 'HEAD');
}

export function headTimeout(): Uint8Array {
  const html = page('408 Request Timeout', ['The request head did not arrive in time.']);
  return answer(408, html, false);
}
