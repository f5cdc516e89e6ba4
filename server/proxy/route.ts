/**
 * Which upstream a request goes to in front of an app: wirescope's own server for paths under the
 * reserved prefix, the app for everything else.
 */
import { OWN_PREFIX } from '../../src/lib/trace/index.ts';

export type Route = 'target' | 'own';

/** The path of a request target in origin form (`/a?b`) or absolute form (`http://host/a?b`). */
function pathOf(target: string): string | undefined {
  if (target.startsWith('/')) return target.split(/[?#]/, 1)[0];
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      return undefined;
    }
  }
  return undefined; // authority form (CONNECT) or asterisk form (OPTIONS *): the app's
}

export function routeOf(target: string): Route {
  const path = pathOf(target);
  return path !== undefined && (path === OWN_PREFIX || path.startsWith(`${OWN_PREFIX}/`)) ? 'own' : 'target';
}

export interface TargetAddress {
  /** As given, normalised: `http://host:port`. */
  url: string;
  host: string;
  port: number;
}

/** `--target`: an http:// URL with a host (and an optional port); anything else is refused. */
export function parseTarget(raw: string): TargetAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--target takes a URL such as http://127.0.0.1:3000, not ${raw}`);
  }
  if (url.protocol !== 'http:') {
    throw new Error(`--target must be an http:// URL (wirescope reads the bytes, so no TLS): ${raw}`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`--target is an origin (scheme, host, port) without a path: ${raw}`);
  }
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { url: `http://${url.host}`, host, port };
}
