/**
 * Per-object lines as bytes: `<name>{<labels><extra>} <value>\n` for 100,000 queues is 600,000 lines per
 * scrape (40 MB). Strings per line cost ~0.5 s of CPU and 600,000 short-lived strings; a byte loop per
 * line ~5 ns a byte. Here a family's `name{` is encoded once, each queue's labels once while it lives
 * (queue-columns.ts), and a line is two TypedArray set() calls (V8 builtins, no allocation) and digits
 * written in place. One buffer per scrape, reused after the socket has taken each chunk: 40 MB of fresh
 * buffers per scrape made V8 run full GCs of the whole (~1 GB at 100,000 queues) heap for external memory.
 */
const CHUNK_BYTES = 256 * 1024;
/** Room kept for one line past `full`: `}`, space, the longest number and `\n`, plus a label (longer ones grow the buffer). */
const LINE_SLACK = 4096;

export class LineEncoder {
  private buf = new Uint8Array(CHUNK_BYTES);
  private pos = 0;

  /** `name{` as bytes, for line(). */
  static prefix(name: string): Uint8Array {
    return Buffer.from(`${name}{`, 'latin1');
  }

  /**
   * `name{labels<extra>} value\n`; `head` is prefix(name), `extra` (encoded once, e.g.
   * `,queue_type="..."`) may be empty. The caller checks `full` between lines and sends the chunk.
   */
  line(head: Uint8Array, labels: Uint8Array, extra: Uint8Array, value: number): void {
    const need = head.length + labels.length + extra.length + 32;
    if (this.pos + need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let p = this.pos;
    buf.set(head, p);
    p += head.length;
    buf.set(labels, p);
    p += labels.length;
    if (extra.length > 0) {
      buf.set(extra, p);
      p += extra.length;
    }
    buf[p++] = 0x7d; // }
    buf[p++] = 0x20;
    if (value >= 0 && value < 10 && Number.isInteger(value)) {
      buf[p++] = 48 + value; // most queues: 0, and every queue_info sample is 1
    } else if (Number.isInteger(value) && value >= 0 && value < 1e15) {
      let digits = 1;
      for (let x = value; x >= 10; x = Math.floor(x / 10)) digits++;
      let at = p + digits;
      p = at;
      let x = value;
      do {
        buf[--at] = 48 + (x % 10);
        x = Math.floor(x / 10);
      } while (x > 0);
    } else {
      const text = Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf';
      for (let k = 0; k < text.length; k++) buf[p++] = text.charCodeAt(k);
    }
    buf[p++] = 0x0a;
    this.pos = p;
  }

  private grow(bytes: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + bytes));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Bytes written since the last send() or reset(). */
  get position(): number {
    return this.pos;
  }

  /** Starts over in the same buffer (for an encoder used as a kept block rather than a chunk stream). */
  reset(): void {
    this.pos = 0;
  }

  /** Appends bytes as they are (lines kept from an earlier block). */
  append(bytes: Uint8Array): void {
    if (this.pos + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A view of everything written, valid until the next write or reset(). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get full(): boolean {
    return this.pos >= CHUNK_BYTES - LINE_SLACK;
  }

  /**
   * Hands the bytes so far to `send` and, once it resolves (the socket has taken them), starts over in
   * the same buffer.
   */
  async send(send: (chunk: Buffer) => Promise<void>): Promise<void> {
    if (this.pos === 0) return;
    const chunk = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    await send(chunk);
    this.pos = 0;
  }
}
