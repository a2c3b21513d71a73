/**
 * A binary min-heap ordered by a numeric key, then by insertion order, so ties keep FIFO.
 * Used for message expiry and delayed delivery: one timer for the earliest item instead of a
 * setTimeout per message.
 */
export class MinHeap<T> {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, item: T): void {
    this.keys.push(key);
    this.seqs.push(this.nextSeq++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0] as T;
    const lastKey = this.keys.pop() as number;
    const lastSeq = this.seqs.pop() as number;
    const lastItem = this.items.pop() as T;
    if (n > 1) {
      this.keys[0] = lastKey;
      this.seqs[0] = lastSeq;
      this.items[0] = lastItem;
      this.down(0);
    }
    return top;
  }

  /** Keeps only the items pred accepts, in O(n) (Floyd's heapify). */
  retain(pred: (item: T) => boolean): void {
    const keys: number[] = [];
    const seqs: number[] = [];
    const items: T[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (!pred(item)) continue;
      keys.push(this.keys[i] as number);
      seqs.push(this.seqs[i] as number);
      items.push(item);
    }
    this.keys = keys;
    this.seqs = seqs;
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  clear(): void {
    this.keys = [];
    this.seqs = [];
    this.items = [];
  }

  *[Symbol.iterator](): IterableIterator<T> {
    yield* this.items;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number;
    const kb = this.keys[b] as number;
    return ka < kb || (ka === kb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] as number;
    this.keys[a] = this.keys[b] as number;
    this.keys[b] = k;
    const s = this.seqs[a] as number;
    this.seqs[a] = this.seqs[b] as number;
    this.seqs[b] = s;
    const it = this.items[a] as T;
    this.items[a] = this.items[b] as T;
    this.items[b] = it;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && this.less(l, smallest)) smallest = l;
      if (r < n && this.less(r, smallest)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
