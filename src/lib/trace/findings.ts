/**
 * Findings: what the traffic in a trace does that the RFCs forbid or advise against, each with its
 * section, connection, direction and the bytes it is about. `findFindings` is pure: a trace in, a list
 * out (async only because checking Sec-WebSocket-Accept takes a SHA-1 from Web Crypto). A
 * `FindingsChecker` does the same one event at a time, for a live trace that grows for hours: each
 * event is read once, however often the list is asked for.
 *
 * Every check reads the units' bytes again through src/lib/protocol, leniently (any mask, any RSV bit,
 * close bodies unchecked), and applies the rule itself, so it does not matter which producer made the
 * units or whether it stopped at the first fault: bytes that a parser gave up on (a unit with an error)
 * are walked frame by frame as far as they go.
 *
 * In front of an app both legs carry the same bytes; a client leg is skipped when target legs serve it,
 * so each finding appears once, on the leg where the app's side of it is seen.
 *
 * The words for each finding are in findingsText.ts, in English and Korean.
 */
import {
  HttpError,
  Opcode,
  ProtocolError,
  Utf8Validator,
  annotateHttp,
  decodeFrame,
  frameHeaderSize,
  getHeader,
  headerTokens,
  isControlOpcode,
  bodyFraming,
  parseCloseBody,
  parseHead,
  validateUpgradeRequest,
  validateUpgradeResponse,
  type Frame,
  type HttpHeader,
  type HttpMessage,
  type HttpRequest,
  type HttpResponse,
} from '../protocol/index.ts';
import { servedLeg } from './legs';
import type { Direction, TraceEvent, UnitEvent } from './types';

/**
 * The RSV bits the server's 101 allows (RFC 6455 section 9.1: an extension defines them):
 * permessage-deflate uses RSV1 (RFC 7692 section 6); an extension this code does not know may use any.
 */
function negotiatedRsv(headers: readonly HttpHeader[]): number | boolean {
  let bits = 0;
  for (const extension of headerTokens(headers, 'sec-websocket-extensions')) {
    const name = extension.split(';')[0]!.trim().toLowerCase();
    if (name === 'permessage-deflate') bits |= 4;
    else if (name !== '') return true;
  }
  return bits;
}

export type FindingId =
  | 'ws-masked-server-frame'
  | 'ws-unmasked-client-frame'
  | 'ws-rsv-without-extension'
  | 'ws-reserved-opcode'
  | 'ws-control-too-long'
  | 'ws-control-fragmented'
  | 'ws-non-minimal-length'
  | 'ws-length-msb-set'
  | 'ws-close-code-local-only'
  | 'ws-close-code-invalid'
  | 'ws-close-body-one-byte'
  | 'ws-close-reason-invalid-utf8'
  | 'ws-invalid-utf8'
  | 'ws-unexpected-continuation'
  | 'ws-expected-continuation'
  | 'ws-frame-after-close'
  | 'ws-closed-without-close-frame'
  | 'ws-idle-no-heartbeat'
  | 'ws-accept-missing'
  | 'ws-accept-wrong'
  | 'ws-101-without-upgrade'
  | 'ws-extension-not-offered'
  | 'ws-protocol-not-offered'
  | 'ws-accepted-invalid-request'
  | 'ws-foreign-origin-accepted'
  | 'http-426-without-upgrade'
  | 'http-content-length-and-chunked'
  | 'http-malformed';

export interface Finding {
  id: FindingId;
  /** 'violation': the RFC forbids it (a conforming peer fails the connection); 'advice': it advises against it. */
  level: 'violation' | 'advice';
  /** e.g. 'RFC 6455 5.1'. */
  section: string;
  conn: string;
  /** Who sent the bytes; absent for findings about a whole connection. */
  dir?: Direction;
  /** Index in the trace's events of the unit (or conn.close) the finding points at. */
  event: number;
  /** The bytes of that unit the finding is about: start inclusive, end exclusive. */
  start?: number;
  end?: number;
  /** Where `start` sits in the connection's byte stream in that direction (the units before it summed). */
  streamOffset?: number;
  t: number;
  /** Values the explanation names (a close code, a header, a number of seconds). */
  params: Record<string, string | number>;
}

export interface FindingOptions {
  /** A WebSocket quiet for this long with no ping or pong at all is worth a word (default 60 s). */
  idleMs?: number;
  /** Trace time (ms) a still-open connection is idle until; default: the last event's time. */
  endTime?: number;
}

/** Many intermediaries cut a connection that says nothing for a minute (nginx's proxy_read_timeout). */
const DEFAULT_IDLE_MS = 60_000;

/** Limits of the parser, not rules of the protocol: a unit cut short by them says nothing about the app. */
const PARSER_LIMITS = new Set(['HEADERS_TOO_LARGE', 'TOO_MANY_HEADERS', 'BODY_TOO_LARGE', 'MESSAGE_TOO_BIG']);

/** Frame faults a lenient decode still throws, and the finding each one is. */
const FRAME_FAULTS: Record<string, FindingId> = {
  RESERVED_OPCODE: 'ws-reserved-opcode',
  CONTROL_FRAGMENTED: 'ws-control-fragmented',
  CONTROL_TOO_LONG: 'ws-control-too-long',
  NON_MINIMAL_LENGTH: 'ws-non-minimal-length',
  LENGTH_MSB_SET: 'ws-length-msb-set',
};

interface Located {
  event: number;
  unit: UnitEvent;
  /** Bytes of this conn and direction before the unit. */
  before: number;
}

/** One direction of a WebSocket: fragmentation, text validation, close. */
interface WsSide {
  /** Opcode of the message in progress (-1: none). */
  message: number;
  compressed: boolean;
  fragments: number;
  utf8: Utf8Validator;
  /** A close frame went this way (section 5.5.1: the last frame it may send). */
  closed: boolean;
}

interface ConnState {
  id: string;
  /** Requests still waiting for their response, oldest first. */
  requests: Array<{ at: Located; message: HttpRequest }>;
  upgraded: boolean;
  allowRsv: number | boolean;
  ws: Record<Direction, WsSide>;
  heartbeat: boolean;
  closeFrames: number;
  /** Trace times of every event after the 101 (for idle gaps), and the longest gap between them. */
  activity: Activity;
  upgradeAt: Located | undefined;
  closedAt: { event: number; t: number } | undefined;
  sent: Record<Direction, number>;
}

/**
 * When a WebSocket was active, for its longest silence, in constant memory while the times come in
 * order (as they do from the tap, on one monotonic clock, and in any sorted trace). A time earlier
 * than the one before it is kept with every later one and they are sorted when asked; the silences
 * before it stay as they were measured.
 */
class Activity {
  /** In order: the last time only; after one out of order: every time since. */
  private times: number[] = [];
  private longest = 0;
  private ordered = true;

  add(t: number): void {
    const last = this.times.at(-1);
    if (this.ordered && last !== undefined && t < last) this.ordered = false;
    if (!this.ordered) {
      this.times.push(t);
      return;
    }
    if (last !== undefined) this.longest = Math.max(this.longest, t - last);
    this.times[0] = t;
  }

  /** The longest silence between the times and until `end` (the close, or the trace's end). */
  longestGap(end: number): number {
    const last = this.times.at(-1);
    if (last === undefined) return 0;
    if (this.ordered && end >= last) return Math.max(this.longest, end - last);
    const times = [...this.times, end].sort((a, b) => a - b);
    let gap = this.longest;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return gap;
  }
}

function newSide(): WsSide {
  return { message: -1, compressed: false, fragments: 0, utf8: new Utf8Validator(), closed: false };
}

const lenient = { allowRsv: true, validateClose: false } as const;

function headersSpan(bytes: Uint8Array, name: string | undefined): { start: number; end: number } {
  try {
    const fields = annotateHttp(bytes);
    const field =
      (name && fields.find((f) => f.id === `header:${name}`)) ||
      fields.find((f) => f.id === 'status-line' || f.id === 'request-line');
    if (field) return { start: field.start, end: field.end };
  } catch {
    // unparseable: the whole unit
  }
  return { start: 0, end: bytes.length };
}

/** Host and port of an origin or a Host value, with the scheme's default port made explicit. */
function authority(value: string, scheme = 'http:'): string | undefined {
  try {
    const url = new URL(value.includes('://') ? value : `${scheme}//${value}`);
    const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
    return `${url.hostname.toLowerCase()}:${port}`;
  } catch {
    return undefined;
  }
}

export interface FindingsChecker {
  /** Reads one more event of the trace; findings name it by `index`. */
  push(event: TraceEvent, index: number): void;
  /**
   * Every finding so far, in the order of the events. Those about a whole connection are as of
   * `endTime` (by default the latest event's time), for a connection still open.
   */
  findings(endTime?: number): Promise<Finding[]>;
}

/** A trace's findings, read in one pass. */
export async function findFindings(
  events: readonly TraceEvent[],
  options: FindingOptions = {},
): Promise<Finding[]> {
  const checker = findingsChecker(options);
  events.forEach((event, index) => checker.push(event, index));
  return checker.findings(options.endTime);
}

/**
 * Findings of a trace read one event at a time. In front of an app a client leg is known to be served
 * only when its target leg opens; what was read of it before is let go then.
 */
export function findingsChecker(options: Pick<FindingOptions, 'idleMs'> = {}): FindingsChecker {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const out: Finding[] = [];
  const servedClients = new Set<string>();
  let latest = 0;
  const conns = new Map<string, ConnState>();
  const stateOf = (id: string): ConnState => {
    let s = conns.get(id);
    if (!s) {
      s = {
        id,
        requests: [],
        upgraded: false,
        allowRsv: 0,
        ws: { c2s: newSide(), s2c: newSide() },
        heartbeat: false,
        closeFrames: 0,
        activity: new Activity(),
        upgradeAt: undefined,
        closedAt: undefined,
        sent: { c2s: 0, s2c: 0 },
      };
      conns.set(id, s);
    }
    return s;
  };

  const add = (
    at: Located,
    id: FindingId,
    level: Finding['level'],
    section: string,
    range: { start: number; end: number } | undefined,
    params: Finding['params'] = {},
  ): void => {
    out.push({
      id,
      level,
      section,
      conn: at.unit.conn,
      dir: at.unit.dir,
      event: at.event,
      ...(range ? { start: range.start, end: range.end, streamOffset: at.before + range.start } : {}),
      t: at.unit.t,
      params,
    });
  };

  /** Handshakes still being checked (Sec-WebSocket-Accept takes a SHA-1 from Web Crypto). */
  const handshakes = new Set<Promise<void>>();

  function serve(client: string): void {
    servedClients.add(client);
    if (!conns.delete(client)) return;
    for (let i = out.length - 1; i >= 0; i--) if (out[i]!.conn === client) out.splice(i, 1);
  }

  function push(event: TraceEvent, index: number): void {
    latest = Math.max(latest, event.t);
    const served = servedLeg(event);
    if (served) serve(served);
    if (!('conn' in event) || event.conn === undefined || servedClients.has(event.conn)) return;
    const conn = stateOf(event.conn);
    if (conn.upgraded && event.type !== 'conn.open') conn.activity.add(event.t);
    if (event.type === 'conn.close') {
      conn.closedAt = { event: index, t: event.t };
      // Nothing more is said of a closed connection that never upgraded: let go of its state (and the
      // request units it still holds), or a watch of an app that opens one per request grows forever.
      if (!conn.upgraded) conns.delete(conn.id);
      return;
    }
    if (event.type !== 'unit') return;
    const at: Located = { event: index, unit: event, before: conn.sent[event.dir] };
    conn.sent[event.dir] += event.bytes.length;
    if (event.kind === 'http-request' || event.kind === 'http-response' || event.kind === 'raw') {
      checkHttp(conn, at);
    } else if (event.kind === 'ws-frame') {
      checkFrames(conn, at);
    }
  }

  function checkHttp(conn: ConnState, at: Located): void {
    const { unit } = at;
    // A raw unit is HTTP only when a parser gave up on it (a last chunk, say, is not a message).
    if (unit.kind === 'raw' && !unit.error) return;
    const kind = unit.dir === 'c2s' ? 'request' : 'response';
    const method = kind === 'response' ? conn.requests[0]?.message.method : undefined;
    let message: HttpMessage | undefined;
    let fault: { code: string; message: string; section: string; offset: number | undefined } | undefined;
    try {
      // The head says everything these checks need; a streaming response's body is not in its unit.
      const head = parseHead(unit.bytes, 0, { kind, maxHeaderBytes: unit.bytes.length + 1 });
      if (head) {
        bodyFraming(head.message, method ? { requestMethod: method } : {}, head.end);
        message = head.message;
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      fault = { code: error.code, message: error.message, section: error.section, offset: error.offset };
    }
    if (unit.error && fault?.code !== unit.error.code) {
      // What the producer's parser saw (chunk framing of an event stream, say), without an offset.
      const { code, message: rule, section } = unit.error;
      fault = { code, message: rule, section: section ?? '', offset: undefined };
    }
    if (fault) {
      if (PARSER_LIMITS.has(fault.code)) return;
      const offset = fault.offset ?? 0;
      const range = { start: offset, end: Math.min(unit.bytes.length, offset + 1) };
      if (fault.code === 'CONFLICTING_FRAMING') {
        add(
          at,
          'http-content-length-and-chunked',
          'violation',
          'RFC 9112 6.1',
          headersSpan(unit.bytes, 'transfer-encoding'),
        );
      } else {
        add(at, 'http-malformed', 'violation', fault.section, range, {
          code: fault.code,
          rule: fault.message,
        });
      }
      return;
    }
    if (!message) return;
    if (message.kind === 'request') {
      conn.requests.push({ at, message });
      return;
    }
    if (message.status < 200 && message.status !== 101) return;
    const request = conn.requests.shift();
    if (message.status === 426 && getHeader(message.headers, 'upgrade') === undefined) {
      add(
        at,
        'http-426-without-upgrade',
        'violation',
        'RFC 9110 15.5.22',
        headersSpan(unit.bytes, undefined),
      );
    }
    if (message.status === 101 && request) {
      conn.upgraded = true;
      conn.upgradeAt = at;
      conn.activity.add(unit.t);
      conn.allowRsv = negotiatedRsv(message.headers);
      const checking = checkHandshake(request, { at, message }).finally(() => handshakes.delete(checking));
      handshakes.add(checking);
    }
  }

  async function checkHandshake(
    request: { at: Located; message: HttpRequest },
    response: { at: Located; message: HttpResponse },
  ): Promise<void> {
    const reqBytes = request.at.unit.bytes;
    const resBytes = response.at.unit.bytes;
    const asked = validateUpgradeRequest(request.message);
    if (!asked.ok) {
      add(
        response.at,
        'ws-accepted-invalid-request',
        'violation',
        `RFC 6455 ${asked.section}`,
        headersSpan(resBytes, undefined),
        {
          code: asked.code,
          rule: asked.reason,
        },
      );
    }
    const key = getHeader(request.message.headers, 'sec-websocket-key');
    if (key !== undefined) {
      const check = await validateUpgradeResponse(response.message, {
        key: key.trim(),
        protocols: headerTokens(request.message.headers, 'sec-websocket-protocol'),
        extensions: headerTokens(request.message.headers, 'sec-websocket-extensions'),
      });
      if (!check.ok) {
        const ids: Partial<Record<string, [FindingId, string | undefined]>> = {
          MISSING_UPGRADE: ['ws-101-without-upgrade', undefined],
          MISSING_CONNECTION: ['ws-101-without-upgrade', undefined],
          MISSING_ACCEPT: ['ws-accept-missing', undefined],
          BAD_ACCEPT: ['ws-accept-wrong', 'sec-websocket-accept'],
          UNREQUESTED_EXTENSION: ['ws-extension-not-offered', 'sec-websocket-extensions'],
          UNREQUESTED_PROTOCOL: ['ws-protocol-not-offered', 'sec-websocket-protocol'],
        };
        const [id, header] = ids[check.code] ?? ['ws-101-without-upgrade', undefined];
        add(response.at, id, 'violation', 'RFC 6455 4.1', headersSpan(resBytes, header), {
          rule: check.reason,
        });
      }
    }
    // Section 10.2: a server that does not check Origin lets any page the user visits open this socket
    // with the user's cookies (cross-site WebSocket hijacking).
    const origin = getHeader(request.message.headers, 'origin');
    const host = getHeader(request.message.headers, 'host');
    if (origin !== undefined && host !== undefined) {
      const from = origin.trim() === 'null' ? undefined : authority(origin.trim());
      if (from !== authority(host.trim())) {
        // The finding points at the request's Origin line; the 101 after it is what accepted it.
        add(
          request.at,
          'ws-foreign-origin-accepted',
          'advice',
          'RFC 6455 10.2',
          headersSpan(reqBytes, 'origin'),
          {
            origin: origin.trim(),
            host: host.trim(),
          },
        );
      }
    }
  }

  function checkFrames(conn: ConnState, at: Located): void {
    const { unit } = at;
    const bytes = unit.bytes;
    let offset = 0;
    while (offset < bytes.length) {
      let result;
      try {
        result = decodeFrame(bytes, offset, lenient);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        const id = FRAME_FAULTS[error.code];
        if (id) {
          const where = error.offset ?? offset;
          add(at, id, 'violation', `RFC 6455 ${error.section}`, { start: where, end: where + 1 });
        }
        return; // the frame boundaries after a structural fault are unknown
      }
      if (!result) return; // cut short: nothing more to read
      checkFrame(conn, at, result.frame, offset);
      offset += result.bytesUsed;
    }
  }

  function checkFrame(conn: ConnState, at: Located, frame: Frame, offset: number): void {
    const dir = at.unit.dir;
    const side = conn.ws[dir];
    const header = frameHeaderSize(frame.payloadLength, frame.masked);
    const payloadAt = offset + header;
    if (side.closed) {
      add(at, 'ws-frame-after-close', 'violation', 'RFC 6455 5.5.1', { start: offset, end: offset + 1 });
    }
    // Section 5.1: a client masks every frame, a server none.
    if (dir === 's2c' && frame.masked) {
      add(at, 'ws-masked-server-frame', 'violation', 'RFC 6455 5.1', { start: offset + 1, end: offset + 2 });
    }
    if (dir === 'c2s' && !frame.masked) {
      add(at, 'ws-unmasked-client-frame', 'violation', 'RFC 6455 5.1', {
        start: offset + 1,
        end: offset + 2,
      });
    }
    const allowed = conn.allowRsv === true ? 7 : conn.allowRsv === false ? 0 : conn.allowRsv;
    if ((frame.rsv & ~allowed) !== 0) {
      add(
        at,
        'ws-rsv-without-extension',
        'violation',
        'RFC 6455 5.2',
        { start: offset, end: offset + 1 },
        {
          bits: frame.rsv.toString(2).padStart(3, '0'),
        },
      );
    }
    if (frame.opcode === Opcode.Ping || frame.opcode === Opcode.Pong) conn.heartbeat = true;
    if (frame.opcode === Opcode.Close) {
      side.closed = true;
      conn.closeFrames++;
      checkClose(at, frame, payloadAt);
      return;
    }
    if (isControlOpcode(frame.opcode)) return;
    // Section 5.4: fragments of one message, continuation frames after the first.
    if (frame.opcode === Opcode.Continuation && side.message === -1) {
      add(at, 'ws-unexpected-continuation', 'violation', 'RFC 6455 5.4', { start: offset, end: offset + 1 });
      return;
    }
    if (frame.opcode !== Opcode.Continuation) {
      if (side.message !== -1) {
        add(at, 'ws-expected-continuation', 'violation', 'RFC 6455 5.4', { start: offset, end: offset + 1 });
      }
      side.message = frame.opcode;
      side.compressed = (frame.rsv & 4) !== 0 && allowed !== 0;
      side.fragments = 0;
      side.utf8.reset();
    }
    side.fragments++;
    // Section 8.1: a text message is UTF-8 once whole; a fragment may end mid-character (section 5.6).
    // A compressed message is checked only once inflated, which this pure pass does not do.
    if (side.message === Opcode.Text && !side.compressed) {
      const before = side.utf8.length;
      try {
        side.utf8.push(frame.payload);
        if (frame.fin) side.utf8.end();
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        const where = payloadAt + Math.min(frame.payloadLength, (error.offset ?? before) - before);
        add(
          at,
          'ws-invalid-utf8',
          'violation',
          'RFC 6455 8.1',
          { start: where, end: Math.min(at.unit.bytes.length, where + 1) },
          {
            fragment: side.fragments,
          },
        );
        side.message = frame.fin ? -1 : Opcode.Binary; // report once per message
        return;
      }
    }
    if (frame.fin) side.message = -1;
  }

  function checkClose(at: Located, frame: Frame, payloadAt: number): void {
    const body = parseCloseBody(frame.payload);
    if (body.ok) return;
    const { code } = body.error;
    if (code === 'BAD_CLOSE_BODY') {
      add(at, 'ws-close-body-one-byte', 'violation', 'RFC 6455 5.5.1', {
        start: payloadAt,
        end: payloadAt + 1,
      });
    } else if (code === 'INVALID_CLOSE_CODE') {
      const status = (frame.payload[0]! << 8) | frame.payload[1]!;
      const localOnly = status === 1005 || status === 1006 || status === 1015;
      add(
        at,
        localOnly ? 'ws-close-code-local-only' : 'ws-close-code-invalid',
        'violation',
        localOnly ? 'RFC 6455 7.4.1' : 'RFC 6455 7.4.2',
        { start: payloadAt, end: payloadAt + 2 },
        { code: status },
      );
    } else if (code === 'INVALID_UTF8') {
      const where = payloadAt + (body.error.offset ?? 2);
      add(at, 'ws-close-reason-invalid-utf8', 'violation', 'RFC 6455 5.5.1', {
        start: where,
        end: where + 1,
      });
    }
  }

  // Whole-connection findings: no closing handshake, and long silences with no heartbeat.
  function connectionFindings(endTime: number): Finding[] {
    const found: Finding[] = [];
    for (const conn of conns.values()) {
      if (!conn.upgraded || !conn.upgradeAt) continue;
      if (conn.closedAt && conn.closeFrames === 0) {
        found.push({
          id: 'ws-closed-without-close-frame',
          level: 'advice',
          section: 'RFC 6455 7.1.1',
          conn: conn.id,
          event: conn.closedAt.event,
          t: conn.closedAt.t,
          params: {},
        });
      }
      if (conn.heartbeat) continue;
      const gap = conn.activity.longestGap(conn.closedAt?.t ?? endTime);
      if (gap >= idleMs) {
        found.push({
          id: 'ws-idle-no-heartbeat',
          level: 'advice',
          section: 'RFC 6455 5.5.2',
          conn: conn.id,
          event: conn.upgradeAt.event,
          t: conn.upgradeAt.unit.t,
          params: { seconds: Math.round(gap / 1000), limit: Math.round(idleMs / 1000) },
        });
      }
    }
    return found;
  }

  return {
    push,
    async findings(endTime = latest) {
      await Promise.all([...handshakes]);
      const all = [...out.filter((f) => !servedClients.has(f.conn)), ...connectionFindings(endTime)];
      return all.sort((a, b) => a.event - b.event || (a.start ?? 0) - (b.start ?? 0));
    },
  };
}
