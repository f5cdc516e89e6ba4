/**
 * Same-origin checks for the demo endpoints. The server listens on loopback, but a page from any other
 * site the learner has open could still reach it through the browser, so:
 *
 * - Host must name this server (RFC 9112 section 3.2: missing or repeated Host is 400; RFC 9110 section
 *   15.5.20: a request for another authority is 421 Misdirected Request). This also defeats DNS
 *   rebinding, where a foreign name resolves to 127.0.0.1.
 * - Origin, when present, must be this server's own origin (RFC 6455 section 10.2 for upgrades; the
 *   same rule for the API, since we send no CORS headers at all). Command-line tools send no Origin and
 *   are let through.
 */
import type { IncomingMessage } from 'node:http';

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 403 | 421; reason: string };

/** The authorities (host:port) this server answers to, computed from the port it actually listens on. */
export function ownAuthorities(host: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  return new Set([...names].map((name) => `${name}:${port}`.toLowerCase()));
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

export function checkHost(req: IncomingMessage, authorities: Set<string>): GuardVerdict {
  const hosts = headerValues(req, 'host');
  if (hosts.length !== 1) return { ok: false, status: 400, reason: 'exactly one Host header is required' };
  if (!authorities.has(hosts[0]!.trim().toLowerCase())) {
    return { ok: false, status: 421, reason: `this server does not answer for ${hosts[0]}` };
  }
  return { ok: true };
}

/**
 * Whether a request with this Origin value (several fields joined by ", ", or undefined when absent)
 * may use the API or open a WebSocket: none at all, or exactly this server's own http origin.
 */
export function originAllowed(origin: string | undefined, authorities: Set<string>): boolean {
  if (origin === undefined) return true;
  const value = origin.trim().toLowerCase();
  return value.startsWith('http://') && authorities.has(value.slice('http://'.length));
}

export function checkOrigin(req: IncomingMessage, authorities: Set<string>): GuardVerdict {
  const origins = headerValues(req, 'origin');
  if (originAllowed(origins.length === 0 ? undefined : origins.join(', '), authorities)) return { ok: true };
  return { ok: false, status: 403, reason: `cross-origin request from ${origins.join(', ')} refused` };
}
