/**
 * HTTP/1.1 annotation: the spans the parser records become fields that cover the input exactly once.
 * Ids: 'request-line' or 'status-line', 'header:<lower-case name>' ('#2', '#3' for repeats), 'head-end',
 * then 'body', or for a chunked body 'chunk-size:N', 'chunk-data:N', 'chunk-end:N', 'last-chunk',
 * 'trailer:<name>', 'trailers-end'. After the message: 'rest' (e.g. WebSocket frames after a 101).
 * 'truncated' when the input stops early, 'fault' from the first invalid part to the end.
 */
import { HttpError } from './errors.ts';
import { parseHttpMessage, type HttpParseOptions, type HttpSpan } from './http/index.ts';
import type { Field } from './annotate.ts';

/** Annotate one HTTP message at the start of `bytes` (the input is taken to be complete: eof). */
export function annotateHttp(bytes: Uint8Array, options: HttpParseOptions = {}): Field[] {
  const spans: HttpSpan[] = [];
  const fields: Field[] = [];
  const toFields = (): void => {
    for (const s of spans) {
      const f: Field = { id: s.id, label: s.label, start: s.start, end: s.end, value: s.value };
      if (s.note !== undefined) f.note = s.note;
      fields.push(f);
    }
  };
  const last = (): number => (spans.length === 0 ? 0 : spans[spans.length - 1]!.end);
  try {
    const result = parseHttpMessage(bytes, 0, { eof: true, ...options }, spans);
    toFields();
    const end = last();
    if (!result) {
      if (end < bytes.length) {
        fields.push({
          id: 'truncated',
          label: 'Incomplete',
          start: end,
          end: bytes.length,
          value: bytes.length - end,
          note: 'the message continues beyond these bytes',
          missing: { part: 'message' },
        });
      }
      return fields;
    }
    if (result.bytesUsed < bytes.length) {
      fields.push({
        id: 'rest',
        label: result.upgrade ? 'Bytes after the switch (new protocol)' : 'Bytes after this message',
        start: result.bytesUsed,
        end: bytes.length,
        value: bytes.length - result.bytesUsed,
      });
    }
    return fields;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    toFields();
    const start = last();
    fields.push({
      id: 'fault',
      label: 'HTTP error',
      start,
      end: bytes.length,
      value: e.code,
      note: `${e.message} (${e.section}; a server answers ${e.status})`,
      error: e,
    });
    return fields;
  }
}
