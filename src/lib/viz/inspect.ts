/**
 * What the byte inspector shows for one unit: its annotated fields (from src/lib/protocol, covering
 * every byte), the bytes of each field as hex and text (shortened for long payloads), the first two
 * bytes of a frame bit by bit, and the masking XOR byte by byte with the frame's real key.
 */
import { annotateFrame, frameHeaderBits, type Field, type HeaderBit } from '../protocol/annotate';
import { annotateHttp } from '../protocol/annotateHttp';
import { annotateEventStream } from '../protocol/eventStream';
import type { UnitEvent, UnitKind } from '../trace/types';
import type { Lang } from '../i18n';
import { fieldLabel, fieldNote, type FieldFacts } from '../i18n/fields';

export interface ByteCell {
  offset: number;
  hex: string;
  /** The byte as a printable ASCII character, or '·'. */
  char: string;
}

export interface FieldView {
  id: string;
  label: string;
  start: number;
  end: number;
  value: string;
  note?: string;
  fault: boolean;
  cells: ByteCell[];
  /** Bytes of this field not shown as cells. */
  hidden: number;
}

export interface MaskRow {
  offset: number;
  masked: string;
  key: string;
  plain: string;
  char: string;
}

export interface Inspection {
  kind: UnitKind;
  length: number;
  fields: FieldView[];
  bits?: HeaderBit[];
  masking?: { key: string[]; rows: MaskRow[]; hidden: number };
}

export const MAX_CELLS_PER_FIELD = 48;
export const MAX_MASK_ROWS = 16;

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
const printable = (b: number): string => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·');

function cellsOf(bytes: Uint8Array, start: number, end: number, max: number): ByteCell[] {
  const out: ByteCell[] = [];
  for (let i = start; i < Math.min(end, start + max); i++) {
    out.push({ offset: i, hex: hex2(bytes[i]!), char: printable(bytes[i]!) });
  }
  return out;
}

function valueText(f: Field): string {
  if (f.text !== undefined) return f.text.length > 80 ? `'${f.text.slice(0, 77)}…'` : `'${f.text}'`;
  return String(f.value);
}

/** What a trace knows of a frame's connection: permessage-deflate, and what a message inflated to. */
export type Compression = Pick<UnitEvent, 'deflate' | 'inflated'>;

/**
 * Annotate `bytes` as `kind`; frames, HTTP messages and server-sent events use the protocol's
 * annotators. A frame from a connection that negotiated permessage-deflate reads RSV1 as "per-message
 * compressed" and shows its payload's DEFLATE bytes beside what they inflated to (RFC 7692 sections 6
 * and 7.2).
 */
export function annotate(kind: UnitKind, bytes: Uint8Array, compression: Compression = {}): Field[] {
  if (kind === 'ws-frame') {
    const { deflate, inflated } = compression;
    if (!deflate && inflated === undefined) return annotateFrame(bytes);
    return annotateFrame(bytes, { deflate: true, ...(inflated === undefined ? {} : { inflated }) });
  }
  // An SSE unit is the chunk(s) of a chunked response that carried one event (protocol/connection.ts).
  if (kind === 'sse-event') return annotateEventStream(bytes, { chunked: true });
  if (kind === 'http-request' || kind === 'http-response') {
    return annotateHttp(bytes, {
      kind: kind === 'http-request' ? 'request' : 'response',
      requestMethod: 'GET',
    });
  }
  return [{ id: 'raw', label: 'Bytes', start: 0, end: bytes.length, value: bytes.length }];
}

/** What the i18n table needs to name and explain a field in another language. */
function factsOf(f: Field): FieldFacts {
  const facts: FieldFacts = { id: f.id, label: f.label, note: f.note, value: f.value };
  if (f.compressed) {
    facts.compressed = true;
    if (f.unmasked) facts.compressedLength = f.unmasked.length;
    if (f.inflated) facts.inflatedLength = f.inflated.length;
  }
  if (f.missing) facts.missing = f.missing;
  if (f.sse) facts.sse = f.sse;
  if (f.error) {
    const e = f.error as {
      code: string;
      section?: string;
      closeCode?: number;
      status?: number;
      rfc?: number;
    };
    facts.error = { code: e.code, section: e.section, closeCode: e.closeCode, status: e.status, rfc: e.rfc };
  }
  return facts;
}

/** The fields of `bytes` read as `kind`, named and explained in `lang`. */
export function inspect(
  kind: UnitKind,
  bytes: Uint8Array,
  fields: Field[] = annotate(kind, bytes),
  lang: Lang = 'en',
): Inspection {
  const views: FieldView[] = fields.map((f) => {
    const facts = factsOf(f);
    const note = fieldNote(facts, lang);
    const view: FieldView = {
      id: f.id,
      label: fieldLabel(facts, lang),
      start: f.start,
      end: f.end,
      value: valueText(f),
      fault: f.id === 'fault' || f.error !== undefined,
      cells: cellsOf(bytes, f.start, f.end, MAX_CELLS_PER_FIELD),
      hidden: Math.max(0, f.end - f.start - MAX_CELLS_PER_FIELD),
    };
    if (note !== undefined) view.note = note;
    return view;
  });
  const result: Inspection = { kind, length: bytes.length, fields: views };
  if (kind === 'ws-frame' && bytes.length >= 2) {
    // RSV1 reads "per-message compressed" where the annotation found it set on a compressed connection.
    const compressed = fields.some((f) => f.id === 'fin-rsv-opcode' && f.compressed === true);
    result.bits = frameHeaderBits(bytes, compressed ? { deflate: true } : {});
    const keyField = fields.find((f) => f.id === 'mask-key');
    // The payload may be split over several fields (a close frame's code and reason): the XOR runs on.
    const parts = fields.filter((f) => f.masked !== undefined && f.unmasked !== undefined);
    if (keyField && keyField.end - keyField.start === 4) {
      const key = bytes.subarray(keyField.start, keyField.end);
      const payloadStart = parts[0]?.start ?? keyField.end;
      // A frame cut short has no payload field, only the bytes that did arrive after the key: those
      // still unmask byte by byte (section 5.3 needs only the key and the byte's index).
      const masked = bytes.subarray(payloadStart, parts.at(-1)?.end ?? bytes.length);
      const plain = new Uint8Array(masked.length);
      if (parts.length) for (const part of parts) plain.set(part.unmasked!, part.start - payloadStart);
      else masked.forEach((b, i) => (plain[i] = b ^ key[i % 4]!));
      const rows: MaskRow[] = [];
      for (let i = 0; i < Math.min(masked.length, MAX_MASK_ROWS); i++) {
        rows.push({
          offset: payloadStart + i,
          masked: hex2(masked[i]!),
          key: hex2(key[i % 4]!),
          plain: hex2(plain[i]!),
          char: printable(plain[i]!),
        });
      }
      result.masking = { key: [...key].map(hex2), rows, hidden: Math.max(0, masked.length - MAX_MASK_ROWS) };
    }
  }
  return result;
}

/** Header bits grouped by the byte they sit in (byte 0: FIN, RSV, opcode; byte 1: MASK, length). */
export function byByte(bits: readonly HeaderBit[]): HeaderBit[][] {
  const groups: HeaderBit[][] = [];
  for (const bit of bits) (groups[Math.floor(bit.bitStart / 8)] ??= []).push(bit);
  return groups.filter(Boolean);
}

/** The field that holds byte `offset`. */
export function fieldAt(inspection: Inspection, offset: number): FieldView | undefined {
  return inspection.fields.find((f) => offset >= f.start && offset < f.end);
}
