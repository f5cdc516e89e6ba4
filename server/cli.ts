/**
 * Command-line options: `--name value` for every field of ServerOptions (kebab-case), `--help`.
 * A `list` option may be given several times (`--public-host a --public-host b`).
 */
import { normalisePublicHost } from './guard.ts';
import { DEFAULT_OPTIONS, type ServerOptions } from './options.ts';

interface OptionSpec {
  key: keyof ServerOptions;
  flag: string;
  kind: 'string' | 'int' | 'bool' | 'host-list';
  help: string;
  /** Bounds of an int option, inclusive. */
  range?: [number, number];
}

const SPECS: OptionSpec[] = [
  { key: 'host', flag: 'host', kind: 'string', help: 'address to bind (loopback by default)' },
  { key: 'port', flag: 'port', kind: 'int', help: 'port; 0 picks a free one (env PORT)' },
  {
    key: 'publicHosts',
    flag: 'public-host',
    kind: 'host-list',
    help: 'a LAN address or host name students use (repeatable)',
  },
  { key: 'staticDir', flag: 'static', kind: 'string', help: 'directory of the built app (default dist/)' },
  { key: 'record', flag: 'record', kind: 'string', help: 'append every trace event to FILE as JSON lines' },
  { key: 'tap', flag: 'tap', kind: 'bool', help: 'capture bytes for tap sessions (on|off)' },
  {
    key: 'backplane',
    flag: 'backplane',
    kind: 'string',
    help: 'redis://HOST:PORT: join the nodes that share this Redis',
  },
  {
    key: 'node',
    flag: 'node',
    kind: 'string',
    help: "this node's name in a cluster (default HOSTNAME-PORT)",
  },
  { key: 'maxMessageBytes', flag: 'max-message-bytes', kind: 'int', help: 'WebSocket message limit (1009)' },
  { key: 'maxFragments', flag: 'max-fragments', kind: 'int', help: 'frames per fragmented message (1008)' },
  {
    key: 'deflateWindowBits',
    flag: 'deflate-window-bits',
    kind: 'int',
    help: '/ws/deflate window, 2^N bytes (9-15)',
    range: [9, 15],
  },
  {
    key: 'deflateMemLevel',
    flag: 'deflate-mem-level',
    kind: 'int',
    help: '/ws/deflate zlib memory level (1-9)',
    range: [1, 9],
  },
  { key: 'maxHeaderBytes', flag: 'max-header-bytes', kind: 'int', help: 'request head size (431)' },
  { key: 'maxHeadersCount', flag: 'max-headers-count', kind: 'int', help: 'header fields kept per request' },
  { key: 'headersTimeoutMs', flag: 'headers-timeout-ms', kind: 'int', help: 'time for a request head' },
  { key: 'requestTimeoutMs', flag: 'request-timeout-ms', kind: 'int', help: 'time for a whole request' },
  { key: 'keepAliveTimeoutMs', flag: 'keep-alive-timeout-ms', kind: 'int', help: 'idle keep-alive time' },
  { key: 'maxBodyBytes', flag: 'max-body-bytes', kind: 'int', help: 'API request body size (413)' },
  { key: 'maxConnections', flag: 'max-connections', kind: 'int', help: 'TCP connections at once (503)' },
  {
    key: 'maxConnectionsPerClient',
    flag: 'max-connections-per-client',
    kind: 'int',
    help: 'TCP connections from one address, 0 = any (503)',
  },
  { key: 'maxPendingPolls', flag: 'max-pending-polls', kind: 'int', help: 'long polls held at once (503)' },
  { key: 'pollWaitMs', flag: 'poll-wait-ms', kind: 'int', help: 'default long-poll wait' },
  { key: 'maxPollWaitMs', flag: 'max-poll-wait-ms', kind: 'int', help: 'largest long-poll wait' },
  { key: 'tapBufferEvents', flag: 'tap-buffer-events', kind: 'int', help: 'tap events buffered per session' },
  { key: 'maxSessions', flag: 'max-sessions', kind: 'int', help: 'tap sessions (pages in the lab) at once' },
  { key: 'heartbeatMs', flag: 'heartbeat-ms', kind: 'int', help: 'WebSocket ping interval' },
  { key: 'streamHistory', flag: 'stream-history', kind: 'int', help: 'stream events kept for resends' },
  {
    key: 'streamMaxBufferedBytes',
    flag: 'stream-max-buffered-bytes',
    kind: 'int',
    help: 'unsent bytes a stream subscriber may queue before it is closed as too slow',
  },
  { key: 'maxStreamRate', flag: 'max-stream-rate', kind: 'int', help: 'largest generator rate (events/s)' },
  {
    key: 'maxStreamPayloadBytes',
    flag: 'max-stream-payload-bytes',
    kind: 'int',
    help: 'largest generator payload',
  },
  { key: 'shutdownGraceMs', flag: 'shutdown-grace-ms', kind: 'int', help: 'time for closing handshakes' },
  {
    key: 'target',
    flag: 'target',
    kind: 'string',
    help: 'inspect an app: proxy to this http:// URL; wirescope moves to /__wirescope/',
  },
  {
    key: 'inspectRemote',
    flag: 'inspect-remote',
    kind: 'bool',
    help: 'serve /__wirescope/ to other machines too (on|off)',
  },
  {
    key: 'targetConnectTimeoutMs',
    flag: 'target-connect-timeout-ms',
    kind: 'int',
    help: 'time to reach the target before 502',
  },
  {
    key: 'proxyIdleTimeoutMs',
    flag: 'proxy-idle-timeout-ms',
    kind: 'int',
    help: 'close a proxied connection idle this long (0: never)',
  },
  {
    key: 'tapBacklogEvents',
    flag: 'tap-backlog-events',
    kind: 'int',
    help: 'proxied events kept for a late tap',
  },
  { key: 'tapBacklogBytes', flag: 'tap-backlog-bytes', kind: 'int', help: 'bytes of those events at most' },
  { key: 'attacker', flag: 'attacker', kind: 'bool', help: "the security lesson's attacker page (on|off)" },
  {
    key: 'attackerPort',
    flag: 'attacker-port',
    kind: 'int',
    help: 'its port on 127.0.0.1 (default: the main port + 1, or a free one)',
  },
];

export class CliError extends Error {
  override name = 'CliError';
}

export type CliResult = { help: true } | { help: false; options: Partial<ServerOptions> };

function parseValue(spec: OptionSpec, raw: string): string | number | boolean {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'host-list') {
    try {
      return normalisePublicHost(raw);
    } catch (error) {
      throw new CliError(`--${spec.flag} ${(error as Error).message}`);
    }
  }
  if (spec.kind === 'bool') {
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    throw new CliError(`--${spec.flag} takes on or off, not ${raw}`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${spec.flag} takes a whole number, not ${raw}`);
  if (spec.range && (n < spec.range[0] || n > spec.range[1])) {
    throw new CliError(`--${spec.flag} takes ${spec.range[0]} to ${spec.range[1]}, not ${raw}`);
  }
  return n;
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const options: Partial<ServerOptions> = {};
  if (env.PORT !== undefined && env.PORT !== '') {
    options.port = parseValue(
      SPECS.find((s) => s.key === 'port')!,
      env.PORT,
    ) as number;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    const spec = SPECS.find((s) => s.flag === flag);
    if (!spec) throw new CliError(`unknown option ${arg} (try --help)`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new CliError(`--${spec.flag} needs a value`);
    const value = parseValue(spec, raw);
    const record = options as Record<string, unknown>;
    if (spec.kind === 'host-list') record[spec.key] = [...((record[spec.key] as string[]) ?? []), value];
    else record[spec.key] = value;
  }
  return { help: false, options };
}

export function helpText(): string {
  const rows = SPECS.map((spec) => {
    const value = DEFAULT_OPTIONS[spec.key];
    const shown =
      value === undefined || Array.isArray(value)
        ? ''
        : ` (default ${value === true ? 'on' : value === false ? 'off' : value})`;
    return `  --${spec.flag.padEnd(26)}${spec.help}${shown}`;
  });
  return [
    'wirescope demo server: the app, its endpoints and a byte-exact tap on one origin.',
    '',
    'usage: npm start -- [options]',
    '       npm start -- --target http://127.0.0.1:3000   (inspect your own app)',
    '',
    ...rows,
    '  --help                      this text',
    '',
  ].join('\n');
}
