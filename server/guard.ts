/**
 * Same-origin checks for the demo endpoints. The server listens on loopback, but a page from any other
 * site the learner has open could still reach it through the browser, so:
 *
 * - Host must name this server (RFC 9112 section 3.2: missing or repeated Host is 400; RFC 9110 section
 *   15.5.20: a request for another authority is 421 Misdirected Request). This also defeats DNS
 *   rebinding, where a foreign name resolves to 127.0.0.1. The names are the loopback ones, the address
 *   given to --host when it is one address (not a wildcard), and each --public-host a class uses.
 * - Origin, when present, must be this server's own origin (RFC 6455 section 10.2 for upgrades; the
 *   same rule for the API, since we send no CORS headers at all). Command-line tools send no Origin and
 *   are let through.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { headerValues } from './http-util.ts';

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 403 | 421; reason: string };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Addresses that mean "every interface" rather than one name a client could use. */
export function isWildcard(host: string): boolean {
  return ['', '0.0.0.0', '::', '[::]'].includes(host.trim());
}

export function isLoopback(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** A socket's peer address is on this machine (an IPv4-mapped IPv6 loopback counts too). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return isLoopback(address.replace(/^::ffff:/i, ''));
}

/** A DNS name (RFC 1123 section 2.1 labels): letters, digits and inner hyphens, dot-separated. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * A --public-host value as it appears in a Host header (RFC 9110 section 7.2: uri-host), lowercased and
 * with an IPv6 address in brackets; throws with the reason when it is not a bare name or address.
 */
export function normalisePublicHost(raw: string): string {
  const value = raw.trim().toLowerCase();
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 6) return `[${bare}]`;
  if (isIP(bare) === 4 || HOST_NAME.test(bare)) return bare;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) {
    throw new Error(`takes a name or address, not a URL: ${raw} (try ${new URL(value).hostname})`);
  }
  if (/^[^:]+:\d+$/.test(value) || /^\[.*\]:\d+$/.test(value)) {
    throw new Error(
      `takes a name or address without a port (the port is the one the server listens on): ${raw}`,
    );
  }
  throw new Error(`is not a host name or an IP address: ${raw}`);
}

/**
 * The authorities (host:port) this server answers to, computed from the port it actually listens on.
 * On port 80 a Host without a port names it too (RFC 9110 section 4.2.1: the default port may be left out).
 */
export function ownAuthorities(host: string, port: number, publicHosts: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (!isWildcard(host)) names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  for (const name of publicHosts) names.add(normalisePublicHost(name));
  const authorities = [...names].map((name) => `${name}:${port}`.toLowerCase());
  if (port === 80) authorities.push(...[...names].map((name) => name.toLowerCase()));
  return new Set(authorities);
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
export function originAllowed(
  origin: string | undefined,
  authorities: Set<string>,
  peers: ReadonlySet<string> = new Set(),
): boolean {
  if (origin === undefined) return true;
  const value = origin.trim().toLowerCase();
  return value.startsWith('http://') && (authorities.has(value.slice('http://'.length)) || peers.has(value));
}

/** `peers`: the origins of the other nodes of a cluster (their pages may use this node too). */
export function checkOrigin(
  req: IncomingMessage,
  authorities: Set<string>,
  peers?: ReadonlySet<string>,
): GuardVerdict {
  const origins = headerValues(req, 'origin');
  if (originAllowed(origins.length === 0 ? undefined : origins.join(', '), authorities, peers))
    return { ok: true };
  return { ok: false, status: 403, reason: `cross-origin request from ${origins.join(', ')} refused` };
}
