import { LineEncoder } from './line-encoder.js';

/**
 * One per-queue family's lines, kept from scrape to scrape with the values they were written from.
 *
 * Between two scrapes of an idle broker most queues' figures do not change, so most lines would come out
 * byte for byte as last time. Encoding them again cost ~100 ms of a 150 ms scrape at 100,000 queues
 * (bench/prometheus-scale.ts). Here a scrape compares each queue's value with the kept one: unchanged
 * runs of lines are copied as one slice of the last block, only changed lines are encoded, and when
 * nothing changed the last block is sent as it is. Two encoders per family take turns (the block sent
 * last is read while the next is written), so a scrape allocates nothing once they are big enough.
 *
 * Valid only while the queue set (and so every label) is the same: the owner drops it when it relabels.
 */
export class KeptFamily {
  /** The last scrape's lines: written()[offsets[i], offsets[i + 1]) is queue i's line. */
  private current = new LineEncoder();
  private offsets = new Uint32Array(1);
  private next = new LineEncoder();
  private nextOffsets = new Uint32Array(1);
  private values = new Float64Array(0);
  private count = -1;
  private readonly head: Uint8Array;

  constructor(
    name: string,
    private readonly extra: Uint8Array,
  ) {
    this.head = LineEncoder.prefix(name);
  }

  /** The family's lines for values[0, count), queue i labelled labels[i]; a view valid until the next call. */
  lines(labels: readonly Uint8Array[], values: Float64Array, count: number): Uint8Array {
    const kept = this.values;
    const sameSet = count === this.count;
    let first = 0;
    if (sameSet) {
      while (first < count && kept[first] === values[first]) first++;
      if (first === count) return this.current.written();
    }
    const out = this.next;
    out.reset();
    if (this.nextOffsets.length < count + 1) this.nextOffsets = new Uint32Array(count + 1);
    const offsets = this.nextOffsets;
    const old = this.current.written();
    const oldOffsets = this.offsets;
    // run: the first queue of the unchanged run not yet copied.
    let run = 0;
    for (let i = sameSet ? first : 0; i < count; i++) {
      if (sameSet && kept[i] === values[i]) continue;
      if (run < i) copyRun(out, offsets, old, oldOffsets, run, i);
      offsets[i] = out.position;
      out.line(this.head, labels[i] as Uint8Array, this.extra, values[i] as number);
      run = i + 1;
    }
    if (run < count) copyRun(out, offsets, old, oldOffsets, run, count);
    offsets[count] = out.position;
    this.next = this.current;
    this.nextOffsets = this.offsets;
    this.current = out;
    this.offsets = offsets;
    if (this.values.length < count) this.values = new Float64Array(values.length);
    this.values.set(values.subarray(0, count));
    this.count = count;
    return out.written();
  }
}

/** Copies queues [from, to)'s lines from the last block as one slice, and their offsets, shifted. */
function copyRun(out: LineEncoder, offsets: Uint32Array, old: Uint8Array, oldOffsets: Uint32Array, from: number, to: number): void {
  const start = oldOffsets[from] as number;
  const shift = out.position - start;
  out.append(old.subarray(start, oldOffsets[to] as number));
  for (let k = from; k < to; k++) offsets[k] = (oldOffsets[k] as number) + shift;
}
