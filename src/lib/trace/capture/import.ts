/**
 * A capture file (pcap or pcapng, from tcpdump or Wireshark) to a wirescope trace: records from the
 * container reader, headers from the protocol's packet decoders, each TCP connection's two directions
 * put back in order (stream.ts), and each direction fed to the tap's unit parser, so HTTP messages,
 * server-sent events and WebSocket frames become the same units the live tap reports.
 *
 * Events stream out through a callback as the file is read (the CLI writes them as they come), in the
 * order a watcher of the connections would have seen them: conn.open at the SYN, one 'bytes' event per
 * segment's new data when it is in order, the units it completed, conn.close at the second FIN or an RST.
 */
import {
  decodePacket,
  formatEndpoint,
  PacketError,
  TcpFlag,
  type DecodedPacket,
} from '../../protocol/packet.ts';
import { createUnitParser, type UnitParser, type UnitParserOptions } from '../units.ts';
import { renderNote, type NoteParamRecord, type NoteParams } from '../../i18n/notes.ts';
import {
  TRACE_VERSION,
  type Direction,
  type NoteEvent,
  type Peer,
  type Trace,
  type TraceEvent,
} from '../types.ts';
import { CaptureFormatError, CaptureReader, type CapturedRecord } from './container.ts';
import { StreamHalf, type Delivery, type Hole } from './stream.ts';

export interface CaptureImportOptions {
  /** Passed to the unit parser (the tap passes the server's limits). */
  units?: UnitParserOptions;
  /** Most notes about skipped or damaged packets before they are only counted. */
  maxPacketNotes?: number;
}

export interface CaptureStats {
  /** Packet records read. */
  records: number;
  /** Bytes of the file read. */
  bytesRead: number;
  tcpSegments: number;
  /** Records that were not TCP over IPv4/IPv6 on a supported link (ARP, UDP, ...), or IP fragments. */
  skipped: number;
  /** Records whose headers were damaged (each gets a note, up to a limit). */
  damaged: number;
  connections: number;
  retransmitted: number;
  outOfOrder: number;
  overlapping: number;
  /** Stream bytes the capture did not have. */
  missingBytes: number;
}

interface Connection {
  id: string;
  client: string;
  server: string;
  /** The client's address and port, as in the packet, to tell the directions apart. */
  clientKey: string;
  sides: Record<Direction, StreamHalf>;
  parser: UnitParser;
  /** A direction stops being parsed after a hole: its bytes still show, units no longer follow. */
  broken: Record<Direction, boolean>;
  firstFin: Peer | undefined;
  closed: boolean;
}

const peerOf = (dir: Direction): Peer => (dir === 'c2s' ? 'client' : 'server');

type CaptureNote = 'captureLeftOut' | 'captureMidStream' | 'captureHole' | 'captureSummary';

/** A note as a message key with its parameters, and its English for readers without the table. */
function note<K extends CaptureNote>(t: number, key: K, params: NoteParams<K>, conn?: string): NoteEvent {
  const record = params as unknown as NoteParamRecord;
  return {
    type: 'note',
    t,
    ...(conn === undefined ? {} : { conn }),
    key,
    params: record,
    text: renderNote({ key, params: record }, 'en'),
  };
}

export class CaptureImport {
  readonly reader = new CaptureReader();
  /** Epoch milliseconds of the first packet: the trace's t = 0. */
  startedAt: number | undefined;
  readonly stats: CaptureStats = {
    records: 0,
    bytesRead: 0,
    tcpSegments: 0,
    skipped: 0,
    damaged: 0,
    connections: 0,
    retransmitted: 0,
    outOfOrder: 0,
    overlapping: 0,
    missingBytes: 0,
  };
  private readonly connections = new Map<string, Connection>();
  private lastTime = 0;
  private notes = 0;
  private finished = false;

  constructor(
    private readonly emit: (event: TraceEvent) => void,
    private readonly options: CaptureImportOptions = {},
  ) {}

  /** Reads a chunk of the file; throws CaptureFormatError at a damaged record (what came before stays). */
  push(chunk: Uint8Array): void {
    let records: CapturedRecord[];
    try {
      records = this.reader.push(chunk);
    } catch (error) {
      this.end();
      throw error;
    }
    for (const record of records) this.record(record);
    this.stats.bytesRead = this.reader.position;
    if (this.reader.failure) {
      this.end();
      throw this.reader.failure;
    }
  }

  /** The file ended: held bytes are delivered across their holes; throws if the file was cut short. */
  finish(): void {
    this.end();
    this.reader.finish();
  }

  /** No more records: every connection's held bytes go out (the trace so far is complete). */
  private end(): void {
    if (this.finished) return;
    this.finished = true;
    const t = this.time(this.lastTime);
    for (const conn of this.connections.values()) {
      for (const dir of ['c2s', 's2c'] as const) {
        const out: Delivery[] = [];
        const holes: Hole[] = [];
        conn.sides[dir].flush(out, holes);
        this.deliver(conn, dir, out, holes, t);
      }
    }
    this.tally();
    const s = this.stats;
    if (s.skipped > 0 || s.damaged > this.notes || s.missingBytes > 0) {
      this.emit(
        note(t, 'captureSummary', {
          records: s.records,
          segments: s.tcpSegments,
          connections: s.connections,
          skipped: s.skipped,
          missing: s.missingBytes,
        }),
      );
    }
  }

  private tally(): void {
    let retransmitted = 0;
    let outOfOrder = 0;
    let overlapping = 0;
    for (const conn of this.allConnections) {
      for (const half of Object.values(conn.sides)) {
        retransmitted += half.retransmitted;
        outOfOrder += half.outOfOrder;
        overlapping += half.overlapping;
      }
    }
    Object.assign(this.stats, { retransmitted, outOfOrder, overlapping });
  }

  /** Every connection seen, closed ones included (their counters stay in the stats). */
  private readonly allConnections: Connection[] = [];

  private time(epochMs: number): number {
    return Math.round((epochMs - (this.startedAt ?? epochMs)) * 1000) / 1000;
  }

  private record(record: CapturedRecord): void {
    this.stats.records = record.index;
    // A simple packet block has no timestamp: it happened no earlier than the packet before it.
    const when = Number.isFinite(record.time) ? record.time : this.lastTime;
    this.startedAt ??= Math.floor(when);
    this.lastTime = when;
    let packet: DecodedPacket | null;
    try {
      packet = decodePacket(record.linkType, record.data);
    } catch (error) {
      if (!(error instanceof PacketError)) throw error;
      this.stats.damaged++;
      this.packetNote(record, `${error.message} (${error.section})`);
      return;
    }
    if (!packet) {
      this.stats.skipped++;
      return;
    }
    this.stats.tcpSegments++;
    this.segment(packet, this.time(when));
  }

  private packetNote(record: CapturedRecord, why: string): void {
    if (this.notes >= (this.options.maxPacketNotes ?? 20)) return;
    this.notes++;
    this.emit(
      note(this.time(this.lastTime), 'captureLeftOut', { record: record.index, offset: record.offset, why }),
    );
  }

  private segment({ ip, tcp }: DecodedPacket, t: number): void {
    const from = formatEndpoint(ip.source, tcp.sourcePort);
    const to = formatEndpoint(ip.destination, tcp.destinationPort);
    const key = from < to ? `${from} ${to}` : `${to} ${from}`;
    const syn = (tcp.flags & TcpFlag.SYN) !== 0;
    const ack = (tcp.flags & TcpFlag.ACK) !== 0;
    let conn = this.connections.get(key);
    // A SYN on a closed connection's ports, or with a new initial sequence number, starts a new one.
    if (conn && syn && !ack) {
      const half = conn.sides[conn.clientKey === from ? 'c2s' : 's2c'];
      if (conn.closed || half.base !== (tcp.seq + 1) >>> 0) {
        this.close(conn, t, 'unknown', !conn.closed);
        conn = undefined;
      }
    }
    if (conn?.closed) {
      if (!syn) return; // a late ACK or retransmission after the close
      conn = undefined;
    }
    if (!conn) {
      conn = this.open(key, from, to, syn, ack, tcp.sourcePort, tcp.destinationPort, t);
    }
    const dir: Direction = conn.clientKey === from ? 'c2s' : 's2c';
    const half = conn.sides[dir];
    if (half.base === undefined) {
      if (syn) half.base = (tcp.seq + 1) >>> 0;
      else {
        half.base = tcp.seq;
        this.emit(note(t, 'captureMidStream', { dir }, conn.id));
      }
    }
    const dataSeq = syn ? (tcp.seq + 1) >>> 0 : tcp.seq;
    const out: Delivery[] = [];
    const holes: Hole[] = [];
    half.accept(dataSeq, tcp.payloadLength, tcp.payload, out, holes);
    if ((tcp.flags & TcpFlag.FIN) !== 0 && half.finAt === undefined)
      half.finAt = half.offsetOf(dataSeq) + tcp.payloadLength;
    this.deliver(conn, dir, out, holes, t);
    if ((tcp.flags & TcpFlag.RST) !== 0) {
      // RFC 9293 section 3.10.7.4: a reset aborts the connection; bytes behind a hole are given up.
      const other: Direction = dir === 'c2s' ? 's2c' : 'c2s';
      for (const d of [dir, other]) {
        const o: Delivery[] = [];
        const h: Hole[] = [];
        conn.sides[d].flush(o, h);
        this.deliver(conn, d, o, h, t);
      }
      this.close(conn, t, peerOf(dir), true);
      return;
    }
    if (half.finished) conn.firstFin ??= peerOf(dir);
    if (conn.sides.c2s.finished && conn.sides.s2c.finished)
      this.close(conn, t, conn.firstFin ?? 'unknown', false);
  }

  private open(
    key: string,
    from: string,
    to: string,
    syn: boolean,
    ack: boolean,
    fromPort: number,
    toPort: number,
    t: number,
  ): Connection {
    // The SYN's sender is the client; a SYN-ACK's sender the server; mid-stream, the lower port serves.
    const fromIsClient = syn ? !ack : fromPort > toPort;
    const id = `c${this.allConnections.length + 1}`;
    const conn: Connection = {
      id,
      client: fromIsClient ? from : to,
      server: fromIsClient ? to : from,
      clientKey: fromIsClient ? from : to,
      sides: { c2s: new StreamHalf(), s2c: new StreamHalf() },
      parser: createUnitParser(id, this.options.units),
      broken: { c2s: false, s2c: false },
      firstFin: undefined,
      closed: false,
    };
    this.connections.set(key, conn);
    this.allConnections.push(conn);
    this.stats.connections++;
    this.emit({ type: 'conn.open', t, conn: id, client: conn.client, server: conn.server });
    return conn;
  }

  private deliver(conn: Connection, dir: Direction, out: Delivery[], holes: Hole[], t: number): void {
    // Holes and deliveries interleave by offset: a hole stops the parsing from its offset on.
    let h = 0;
    const hole = (upTo: number) => {
      while (h < holes.length && holes[h]!.offset < upTo) {
        const { offset, length } = holes[h++]!;
        this.stats.missingBytes += length;
        this.emit(note(t, 'captureHole', { length, dir, offset }, conn.id));
        conn.broken[dir] = true;
      }
    };
    for (const piece of out) {
      hole(piece.offset + 1);
      this.emit({ type: 'bytes', t, conn: conn.id, dir, bytes: piece.bytes });
      if (!conn.broken[dir]) for (const unit of conn.parser.push(dir, piece.bytes, t)) this.emit(unit);
    }
    hole(Infinity);
  }

  private close(conn: Connection, t: number, by: Peer | 'unknown', abnormal: boolean): void {
    if (conn.closed) return;
    conn.closed = true;
    this.emit({ type: 'conn.close', t, conn: conn.id, by, ...(abnormal ? { abnormal: true } : {}) });
  }
}

export { CaptureFormatError };

export interface ImportedCapture {
  trace: Trace;
  stats: CaptureStats;
  /** Set when the file is damaged or cut short: `trace` then holds everything before the fault. */
  error?: CaptureFormatError;
}

/**
 * Reads a whole capture into one trace (the page, the tests). A damaged file still yields the trace of
 * the records before the fault, with the error beside it; other errors are thrown.
 */
export async function importCapture(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  title?: string,
  options?: CaptureImportOptions,
): Promise<ImportedCapture> {
  const events: TraceEvent[] = [];
  const job = new CaptureImport((event) => events.push(event), options);
  let error: CaptureFormatError | undefined;
  try {
    if (source instanceof Uint8Array) job.push(source);
    else for await (const chunk of source) job.push(chunk);
    job.finish();
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    error = e;
  }
  const trace: Trace = {
    version: TRACE_VERSION,
    source: 'capture',
    startedAt: job.startedAt ?? 0,
    ...(title === undefined ? {} : { title }),
    events,
  };
  return { trace, stats: job.stats, ...(error ? { error } : {}) };
}
