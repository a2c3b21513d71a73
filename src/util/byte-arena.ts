/**
 * Append-only byte storage in large chunks, for many small long-lived blobs (held delayed
 * messages): one Buffer object per 4 MiB chunk instead of one per blob, so a million 100-byte
 * messages cost their bytes plus a few numbers each. A chunk is dropped when everything in it
 * was released.
 */
const CHUNK_SIZE = 4 * 1024 * 1024;

export class ByteArena {
  private readonly chunks: (Buffer | undefined)[] = [];
  private readonly live: number[] = [];
  private current = -1;
  private used = CHUNK_SIZE;

  /** Copies the parts in one after another; returns the chunk index (offset via lastOffset). */
  store(a: Buffer, b: Buffer): { chunk: number; offset: number } {
    const size = a.length + b.length;
    if (size > CHUNK_SIZE / 4) {
      // Big blobs get a chunk of their own, so they do not pin a shared one.
      const own = Buffer.allocUnsafeSlow(size);
      a.copy(own, 0);
      b.copy(own, a.length);
      this.chunks.push(own);
      this.live.push(1);
      return { chunk: this.chunks.length - 1, offset: 0 };
    }
    if (this.used + size > CHUNK_SIZE || this.current < 0 || this.chunks[this.current] === undefined) {
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK_SIZE));
      this.live.push(0);
      this.current = this.chunks.length - 1;
      this.used = 0;
    }
    const chunk = this.chunks[this.current] as Buffer;
    const offset = this.used;
    a.copy(chunk, offset);
    b.copy(chunk, offset + a.length);
    this.used += size;
    this.live[this.current] = (this.live[this.current] as number) + 1;
    return { chunk: this.current, offset };
  }

  /** A view of stored bytes; valid until release() of the blob. */
  view(chunk: number, offset: number, length: number): Buffer {
    return (this.chunks[chunk] as Buffer).subarray(offset, offset + length);
  }

  release(chunk: number): void {
    const left = (this.live[chunk] as number) - 1;
    this.live[chunk] = left;
    if (left === 0 && chunk !== this.current) this.chunks[chunk] = undefined;
  }

  get chunkCount(): number {
    return this.chunks.filter((c) => c !== undefined).length;
  }
}
