/**
 * Per-object lines as bytes: `<name><{labels} ><value>\n` for 100,000 queues is 600,000 lines per scrape.
 * Built as strings that cost ~0.5 s of CPU and 600,000 short-lived strings (GC); here a family's name is
 * encoded once, every queue's `{labels} ` once per scrape into one buffer, and each line is byte copies
 * and digits in plain JavaScript (no allocation, no native call per line). bench/prometheus-scale.ts.
 */
const CHUNK_BYTES = 256 * 1024;

/** Every object's labels (`k="v",...`, UTF-8) back to back, and where each starts (starts[count] is the end). */
export interface EncodedLabels {
  readonly bytes: Buffer;
  readonly starts: readonly number[];
}

/**
 * Collects objects' labels straight into bytes (no string per object: 100,000 of them, kept through
 * the scrape, were promoted to the old generation and cost more in GC than the writing itself).
 */
export class LabelsBuilder {
  private bytes = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly starts: number[] = [];

  /** Starts the next object's labels. */
  next(): void {
    this.starts.push(this.pos);
  }

  /** Appends text (already escaped where it is a label value). */
  text(t: string): void {
    if (this.pos + t.length * 3 > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.pos + t.length * 3));
      this.bytes.copy(bigger, 0, 0, this.pos);
      this.bytes = bigger;
    }
    this.pos += this.bytes.write(t, this.pos, 'utf8');
  }

  done(): EncodedLabels {
    this.starts.push(this.pos);
    return { bytes: this.bytes, starts: this.starts };
  }
}

export class LineEncoder {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;

  /**
   * `name{labels<extra>} value\n` for object i; `extra` (encoded once, e.g. `,queue_type="..."`) may be
   * empty. The caller checks `full` between lines and takes the chunk.
   */
  line(name: Uint8Array, labels: EncodedLabels, i: number, extra: Uint8Array, value: number): void {
    const from = labels.starts[i] as number;
    const to = labels.starts[i + 1] as number;
    const need = name.length + (to - from) + extra.length + 27;
    if (this.pos + need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < name.length; k++) buf[p++] = name[k] as number;
    buf[p++] = 0x7b; // {
    const src = labels.bytes;
    for (let k = from; k < to; k++) buf[p++] = src[k] as number;
    for (let k = 0; k < extra.length; k++) buf[p++] = extra[k] as number;
    buf[p++] = 0x7d; // }
    buf[p++] = 0x20;
    if (Number.isInteger(value) && value >= 0 && value < 1e15) {
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
      p += buf.write(Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf', p, 'latin1');
    }
    buf[p++] = 0x0a;
    this.pos = p;
  }

  private grow(bytes: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  get full(): boolean {
    return this.pos >= CHUNK_BYTES - 4096;
  }

  /** The bytes so far (the socket keeps them: a new buffer carries on). */
  take(): Buffer | undefined {
    if (this.pos === 0) return undefined;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    return out;
  }
}
