/**
 * What the server prints at start for a class: the address students open (and a QR code of it), or,
 * when it listens beyond loopback without a name students could use, what to add. The Host check
 * (server/guard.ts) answers only the names it was given, so a LAN address must be named.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import QRCode from 'qrcode';
import { isLoopback, isWildcard, normalisePublicHost } from './guard.ts';

export interface LanAddress {
  /** The interface's name (eth0, wlan0, en0). */
  iface: string;
  address: string;
}

/** This machine's addresses other machines could reach (not loopback, not IPv6 link-local). */
export function lanAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [iface, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      // A link-local IPv6 address needs a zone id (%eth0) that browsers do not accept in a URL.
      if (info.internal || (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:')))
        continue;
      out.push({ iface, address: info.address });
    }
  }
  return out;
}

/** http://NAME:PORT/ as a student types it (port 80 left out). */
export function studentUrl(name: string, port: number): string {
  const host = normalisePublicHost(name);
  return `http://${host}${port === 80 ? '' : `:${port}`}/`;
}

export interface ClassroomNotes {
  /** Lines to print, in order. */
  lines: string[];
  /** The address to show as a QR code, if there is one students can use. */
  qrUrl: string | undefined;
}

/** The notes for a server bound to `host` on `port` that answers to `publicHosts`. */
export function classroomNotes(
  host: string,
  port: number,
  publicHosts: readonly string[],
  lan: readonly LanAddress[],
): ClassroomNotes {
  const names = [...publicHosts];
  // One concrete address given to --host is a name the server answers to as well.
  if (!isWildcard(host) && !isLoopback(host)) names.unshift(host);
  const lines: string[] = [];
  const example = lan.find((a) => !a.address.includes(':'))?.address ?? lan[0]?.address ?? '192.168.1.20';
  const listed = lan.map((a) => `${a.address} on ${a.iface}`).join(', ');
  if (names.length === 0) {
    if (isWildcard(host)) {
      lines.push(
        `wirescope: listening on every interface, but answering only to loopback names: a student's browser would get 421.`,
        `  Name the address students will open, e.g. --public-host ${example}` +
          (listed ? ` (this machine's addresses: ${listed})` : ''),
      );
    }
    return { lines, qrUrl: undefined };
  }
  const urls = [...new Set(names.map((name) => studentUrl(name, port)))];
  if (isLoopback(host)) {
    lines.push(
      `wirescope: --public-host is set, but the server listens on ${host} only, which other machines cannot reach.`,
      `  Add --host 0.0.0.0 (every interface) or --host ${example} (one).`,
    );
  }
  lines.push(`Students open: ${urls.join('  or  ')}`);
  return { lines, qrUrl: urls[0] };
}

/** The QR code of `url` for a terminal: two modules per character row, black on white. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true });
}
