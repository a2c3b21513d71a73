/**
 * The primitives of the cluster's batch formats (forward-codec.ts, delivery-codec.ts): short
 * strings (u8 length + UTF-8, names being at most 255 bytes), u32-length byte runs, big-endian
 * numbers. A reader throws RangeError on a batch cut short, and copies byte runs out, so that a
 * message kept in a queue does not hold the whole batch it came in.
 */
export class BatchWriter {
  readonly out: Buffer;
  at = 0;

  constructor(size: number) {
    this.out = Buffer.allocUnsafe(size);
  }

  short(s: string): void {
    const len = this.out.write(s, this.at + 1, 'utf8');
    this.out[this.at] = len;
    this.at += 1 + len;
  }

  bytes(b: Buffer): void {
    this.at = this.out.writeUInt32BE(b.length, this.at);
    this.at += b.copy(this.out, this.at);
  }

  u8(n: number): void {
    this.out[this.at++] = n;
  }

  u16(n: number): void {
    this.at = this.out.writeUInt16BE(n, this.at);
  }

  u32(n: number): void {
    this.at = this.out.writeUInt32BE(n, this.at);
  }

  f64(n: number): void {
    this.at = this.out.writeDoubleBE(n, this.at);
  }

  done(): Buffer {
    return this.at === this.out.length ? this.out : this.out.subarray(0, this.at);
  }
}

export class BatchReader {
  private readonly buf: Buffer;
  private at = 0;

  constructor(
    data: Uint8Array,
    private readonly what: string,
  ) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError(`truncated ${this.what}`);
  }

  short(): string {
    this.need(1);
    const len = this.buf[this.at] as number;
    this.need(1 + len);
    const s = this.buf.toString('utf8', this.at + 1, this.at + 1 + len);
    this.at += 1 + len;
    return s;
  }

  bytes(): Buffer {
    const len = this.u32();
    this.need(len);
    const b = Buffer.from(this.buf.subarray(this.at, this.at + len));
    this.at += len;
    return b;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }

  u16(): number {
    this.need(2);
    const n = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return n;
  }

  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return n;
  }

  f64(): number {
    this.need(8);
    const n = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return n;
  }
}
