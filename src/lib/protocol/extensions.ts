/**
 * The `Sec-WebSocket-Extensions` header (RFC 6455 section 9.1):
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * A quoted value must still be a token once unquoted. The header may be repeated; its lines form one
 * list (RFC 9110 section 5.3), and empty list elements are skipped (RFC 9110 section 5.6.1). Whitespace
 * is allowed around the separators (RFC 6455 uses RFC 2616's implied linear whitespace). Names are
 * compared without regard to case and come out in lower case.
 *
 * The order matters: a client lists its offers in order of preference, and may offer one extension
 * several times with different parameters (RFC 7692 section 5).
 */
import { HttpError } from './errors.ts';
import { TCHAR, isToken } from './http/syntax.ts';

export interface ExtensionParam {
  name: string;
  /** undefined for a parameter without a value (`client_max_window_bits`). */
  value: string | undefined;
}

export interface ExtensionElement {
  name: string;
  params: ExtensionParam[];
  /** The element as it was written (trimmed), for messages and the lessons. */
  text: string;
  /** Where the element starts in the header value (several lines joined with ", "). */
  offset: number;
}

/** RFC 9110 section 5.6.2: one tchar (the token rule itself lives in http/syntax.ts). */
const TCHAR_CHAR = new RegExp(`[${TCHAR}]`);

function bad(message: string, offset: number): HttpError {
  return new HttpError(`Sec-WebSocket-Extensions: ${message}`, {
    code: 'BAD_HEADER',
    status: 400,
    section: 'RFC 6455 9.1',
    offset,
  });
}

/** A small cursor over the header value. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  token(what: string): string {
    const start = this.pos;
    while (!this.done && TCHAR_CHAR.test(this.peek())) this.pos++;
    if (this.pos === start) {
      const found = this.done ? 'the end of the header' : `"${this.peek()}"`;
      throw bad(`expected ${what}, found ${found}`, start);
    }
    return this.text.slice(start, this.pos);
  }

  /** RFC 9110 section 5.6.4: DQUOTE *( qdtext / quoted-pair ) DQUOTE, unescaped. */
  quoted(): string {
    const start = this.pos;
    this.pos++; // the opening quote
    let value = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        return value;
      }
      if (c === '\\') {
        this.pos++;
        if (this.done) break;
      }
      const code = this.text.charCodeAt(this.pos);
      if (code < 0x20 && code !== 0x09) throw bad('a control character inside a quoted value', this.pos);
      value += this.text.charAt(this.pos);
      this.pos++;
    }
    throw bad('a quoted value is not closed', start);
  }
}

/**
 * Parse the header's value (or its lines, in order). Throws HttpError BAD_HEADER (400): a server that
 * cannot read the header answers 400 (RFC 6455 section 4.2.1), a client fails the connection.
 */
export function parseExtensions(header: string | readonly string[]): ExtensionElement[] {
  const text = typeof header === 'string' ? header : header.join(', ');
  const s = new Scanner(text);
  const out: ExtensionElement[] = [];
  for (;;) {
    s.skipSpace();
    if (s.done) break;
    if (s.peek() === ',') {
      s.pos++; // an empty element
      continue;
    }
    const offset = s.pos;
    const name = s.token('an extension name').toLowerCase();
    const params: ExtensionParam[] = [];
    s.skipSpace();
    while (s.peek() === ';') {
      s.pos++;
      s.skipSpace();
      const paramName = s.token('a parameter name').toLowerCase();
      s.skipSpace();
      let value: string | undefined;
      if (s.peek() === '=') {
        s.pos++;
        s.skipSpace();
        const at = s.pos;
        if (s.peek() === '"') {
          value = s.quoted();
          // RFC 6455 section 9.1: "the value after quoted-string unescaping MUST conform to the 'token' ABNF".
          if (!isToken(value)) throw bad(`the quoted value "${value}" is not a token`, at);
        } else {
          value = s.token(`a value for ${paramName}`);
        }
        s.skipSpace();
      }
      params.push({ name: paramName, value });
    }
    out.push({ name, params, text: text.slice(offset, s.pos).trim(), offset });
    if (s.done) break;
    if (s.peek() !== ',') throw bad(`expected "," or ";", found "${s.peek()}"`, s.pos);
    s.pos++;
  }
  if (out.length === 0) throw bad('the list is empty', 0);
  return out;
}

/** One element as it goes on the wire: `permessage-deflate; client_max_window_bits=10`. */
export function formatExtension(element: { name: string; params: readonly ExtensionParam[] }): string {
  const params = element.params.map((p) => {
    if (p.value === undefined) return p.name;
    const value = isToken(p.value) ? p.value : `"${p.value.replace(/(["\\])/g, '\\$1')}"`;
    return `${p.name}=${value}`;
  });
  return [element.name, ...params].join('; ');
}

/** A whole header value: elements joined with ", ". */
export function formatExtensions(
  elements: readonly { name: string; params: readonly ExtensionParam[] }[],
): string {
  return elements.map(formatExtension).join(', ');
}
