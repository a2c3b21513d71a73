/**
 * A growable ring buffer: O(1) push/shift/unshift without Array#shift's O(n) copy,
 * which dominates a queue with a long backlog (undici's FixedQueue does the same).
 */
export class Deque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.items = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const idx = (this.head + this.count - 1) & this.mask;
    const item = this.items[idx];
    this.items[idx] = undefined;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  peekLast(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) & this.mask];
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.head + index) & this.mask];
  }

  /** Inserts at index (0 = front); O(min(index, length - index)) moves. */
  insertAt(index: number, item: T): void {
    if (index <= 0) return this.unshift(item);
    if (index >= this.count) return this.push(item);
    if (this.count === this.items.length) this.grow();
    if (index < this.count / 2) {
      this.head = (this.head - 1) & this.mask;
      for (let i = 0; i < index; i++) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i + 1) & this.mask];
      }
    } else {
      for (let i = this.count; i > index; i--) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i - 1) & this.mask];
      }
    }
    this.items[(this.head + index) & this.mask] = item;
    this.count++;
  }

  /** Removes the item at index; O(min(index, length - index)) moves. */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const item = this.items[(this.head + index) & this.mask];
    if (index < this.count / 2) {
      for (let i = index; i > 0; i--) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i - 1) & this.mask];
      }
      this.items[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
    } else {
      for (let i = index; i < this.count - 1; i++) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i + 1) & this.mask];
      }
      this.items[(this.head + this.count - 1) & this.mask] = undefined;
    }
    this.count--;
    return item;
  }

  clear(): void {
    this.items = new Array<T | undefined>(16);
    this.mask = 15;
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & this.mask] as T;
  }

  private grow(): void {
    const cap = this.items.length * 2;
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = cap - 1;
  }
}
