/**
 * Finds English UI text on a Korean page: every visible text node and every accessible name of a control,
 * outside code (code, pre, kbd, samp, the hex view, a diagram's message labels and the byte values, which
 * are bytes and protocol text as sent), with protocol tokens allowed. What is left of Latin letters is
 * English a learner would read.
 */
import type { Page } from '@playwright/test';

/**
 * Protocol and product tokens that read the same in a Korean text: names from the RFCs and the WHATWG
 * standards (header fields, methods, states, frame types), units, file formats, API names.
 */
const TOKENS = [
  'wirescope',
  'tcpdump',
  'Wireshark',
  'WebSocket',
  'WebSockets',
  'HTTP',
  'HTTPS',
  'TCP',
  'TLS',
  'SSE',
  'RFC',
  'IANA',
  'WHATWG',
  'HTML',
  'SYN',
  'SYN-ACK',
  'ACK',
  'FIN',
  'RST',
  'TIME-WAIT',
  'CLOSE-WAIT',
  'FIN-WAIT',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'LAST-ACK',
  'ESTABLISHED',
  'SYN-SENT',
  'LISTEN',
  'SYN-RECEIVED',
  'CLOSED',
  'OPEN',
  'CLOSING',
  'CONNECTING',
  'readyState',
  'wasClean',
  'bufferedAmount',
  'lastEventId',
  'Close',
  'Ping',
  'Pong',
  'Text',
  'Binary',
  'Continuation',
  'text',
  'binary',
  'close',
  'ping',
  'pong',
  'continuation',
  'MASK',
  'RSV',
  'RSV1',
  'RSV2',
  'RSV3',
  'opcode',
  'Opcode',
  'payload',
  'Masking-key',
  'GET',
  'POST',
  'HEAD',
  'CONNECT',
  'OK',
  'Switching',
  'Protocols',
  'Content',
  'Upgrade',
  'Required',
  'Bad',
  'Request',
  'Forbidden',
  'Not',
  'Found',
  'Misdirected',
  'Connection',
  'Host',
  'Origin',
  'Accept',
  'Sec-WebSocket-Key',
  'Sec-WebSocket-Accept',
  'Sec-WebSocket-Version',
  'Sec-WebSocket-Protocol',
  'Sec-WebSocket-Extensions',
  'Content-Length',
  'Content-Type',
  'Transfer-Encoding',
  'Cache-Control',
  'Date',
  'Last-Event-ID',
  'Retry-After',
  'Cookie',
  'Set-Cookie',
  'SameSite',
  'HttpOnly',
  'CORS',
  'SecurityError',
  'Lax',
  'Strict',
  'keep-alive',
  'websocket',
  'chunked',
  'permessage-deflate',
  'DEFLATE',
  'deflate',
  'no-store',
  'close',
  'SHA-1',
  'base64',
  'GUID',
  'UTF-8',
  'XOR',
  'JSON',
  'CSV',
  'HAR',
  'pcap',
  'pcapng',
  'URL',
  'URI',
  'API',
  'EventSource',
  'fetch',
  'send',
  'message',
  'onmessage',
  'error',
  'event',
  'data',
  'retry',
  'id',
  'request-line',
  'status-line',
  'header',
  'field',
  'chunk-size',
  'chunk-data',
  'CRLF',
  'reason',
  'status',
  'code',
  'body',
  'obs-fold',
  'ws',
  'wss',
  'npm',
  'start',
  'English',
  'p50',
  'p95',
  'max',
  'ms',
  'KB',
  'MB',
  'Node',
  'Chromium',
  'Chrome',
  'DevTools',
  'Redis',
  'INCR',
  'XADD',
  'PUBLISH',
  'KiB',
  'CPU',
  'Debian',
  'HAProxy',
  'README',
  'nginx',
  'localhost',
  'Home',
  'true',
  'false',
  'key',
  'mod',
  'len',
  'RSV1-3',
  'UDP',
  'NAT',
  'JavaScript',
  'ASCII',
  'protobuf',
  'origin-form',
  'absolute-form',
  'IPv4',
  'IPv6',
  'DNS',
  // Compression (RFC 7692, RFC 1951): units, the library and formats, RFC 1951's field names, the
  // attacks' names, the WebSocket attribute, a key's prefix in the lesson's example.
  'KiB',
  'GiB',
  'CPU',
  'zlib',
  'gzip',
  'zip',
  'BFINAL',
  'BTYPE',
  'CRIME',
  'BREACH',
  'extensions',
  'tok',
];

export interface EnglishFinding {
  where: string;
  text: string;
  words: string[];
}

/** English words left on the page after protocol tokens, code and glosses in parentheses are removed. */
export async function findEnglish(page: Page, root = 'body'): Promise<EnglishFinding[]> {
  return page.evaluate(
    ({ root, tokens }) => {
      const allowed = new Set(tokens.map((t) => t.toLowerCase()));
      const CODE =
        'code, pre, kbd, samp, script, style, textarea, svg, [translate="no"], .hex, .message .summary, .value';
      const findings: { where: string; text: string; words: string[] }[] = [];
      const check = (text: string, where: string) => {
        // A Latin gloss in parentheses right after Korean is the RFC's term beside its Korean name.
        const stripped = text
          .replace(/([\uAC00-\uD7A3])\s*\([^()]*\)/g, '$1')
          // A gloss whose Korean ends the element before: "**짧은 폴링**(short polling)이에요".
          .replace(/^\s*\([A-Za-z][A-Za-z0-9\s,./-]*\)/, '')
          // Quoted payloads and values are bytes as sent; base64 is a value.
          .replace(/'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”/g, ' ')
          .replace(/[A-Za-z0-9+/]{16,}={0,2}/g, ' ')
          // A header field's name is protocol text whatever it is ("헤더 필드 User-Agent").
          .replace(/(헤더|트레일러) 필드 \S+/g, ' ')
          // Commands, command-line flags and file names.
          .replace(/\bnpm run [\w:-]+/g, ' ')
          .replace(/--[a-z][a-z-]*|[\w.-]*\.(json|jsonl|har|pcap|pcapng|md|ts)\b/g, ' ')
          .replace(/https?:\/\/\S+|#\/\S+|\/[\w./?=&%-]+/g, ' ')
          .replace(/0x[0-9a-f]+/gi, ' ')
          // An error's stable code is an identifier, the same in every language (NON_MINIMAL_LENGTH).
          .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, ' ');
        const words = (stripped.match(/[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]/g) ?? []).filter(
          (w) => w.length >= 3 && !allowed.has(w.toLowerCase()) && !/^[A-F0-9]+$/.test(w),
        );
        if (words.length) findings.push({ where, text: text.trim().slice(0, 160), words });
      };
      const base = document.querySelector(root) ?? document.body;
      const walker = document.createTreeWalker(base, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(CODE)) continue;
        if (!parent.checkVisibility?.() && parent.offsetParent === null) continue;
        const text = node.textContent ?? '';
        if (/[A-Za-z]/.test(text))
          check(text, parent.tagName.toLowerCase() + (parent.className ? `.${parent.className}` : ''));
      }
      for (const el of base.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (el.closest(CODE)) continue;
        for (const attr of ['aria-label', 'title', 'placeholder']) {
          const value = el.getAttribute(attr);
          if (value && /[A-Za-z]/.test(value)) check(value, `${el.tagName.toLowerCase()}[${attr}]`);
        }
      }
      return findings;
    },
    { root, tokens: TOKENS },
  );
}
