/**
 * The event-stream parser of the HTML Living Standard (9.2.6 Interpreting an event stream), enough for
 * the lab: `id`, `data` (several lines joined by LF), `retry`; comments and other fields ignored. Bytes
 * in, dispatched messages out; a message is dispatched at a blank line.
 */
export interface SseMessage {
  id?: string;
  data?: string;
  retry?: number;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;

  push(bytes: Uint8Array): SseMessage[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + width);
      if (line === '') {
        if (this.data.length > 0 || this.id !== undefined || this.retry !== undefined) {
          out.push({
            ...(this.id === undefined ? {} : { id: this.id }),
            ...(this.data.length > 0 ? { data: this.data.join('\n') } : {}),
            ...(this.retry === undefined ? {} : { retry: this.retry }),
          });
        }
        this.data = [];
        this.id = undefined;
        this.retry = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}
