import type { QueueConsumer } from './queue-ref.js';
export type { QueueConsumer } from './queue-ref.js';

interface Slot {
  readonly consumer: QueueConsumer;
  readonly priority: number;
  readonly order: number;
}

/**
 * A queue's consumers, sorted by x-priority (highest first) then registration order.
 * next() round-robins within the highest priority that has credit (RabbitMQ's consumer
 * priorities); with single active consumer only the earliest registered one receives.
 */
export class ConsumerSet {
  private slots: Slot[] = [];
  private cursor = 0;
  private nextOrder = 0;
  private readonly singleActive: boolean;

  constructor(singleActive: boolean) {
    this.singleActive = singleActive;
  }

  get size(): number {
    return this.slots.length;
  }

  list(): QueueConsumer[] {
    return this.slots.map((s) => s.consumer);
  }

  /** In registration order, whatever the priorities: with single active consumer, the first is the active one. */
  inOrder(): QueueConsumer[] {
    return [...this.slots].sort((a, b) => a.order - b.order).map((s) => s.consumer);
  }

  add(consumer: QueueConsumer, priority: number): void {
    const slot = { consumer, priority, order: this.nextOrder++ };
    let i = this.slots.length;
    while (i > 0 && (this.slots[i - 1] as Slot).priority < priority) i--;
    this.slots.splice(i, 0, slot);
    if (this.cursor > i) this.cursor++;
  }

  remove(consumer: QueueConsumer): boolean {
    const idx = this.slots.findIndex((s) => s.consumer === consumer);
    if (idx < 0) return false;
    this.slots.splice(idx, 1);
    if (this.cursor > idx) this.cursor--;
    if (this.cursor >= this.slots.length) this.cursor = 0;
    return true;
  }

  clear(): QueueConsumer[] {
    const all = this.list();
    this.slots = [];
    this.cursor = 0;
    return all;
  }

  /** The consumer to deliver to next, or undefined when none has credit. */
  next(): QueueConsumer | undefined {
    const slots = this.slots;
    const n = slots.length;
    if (n === 0) return undefined;
    if (this.singleActive) {
      let active = slots[0] as Slot;
      for (const s of slots) if (s.order < active.order) active = s;
      return active.consumer.canDeliver() ? active.consumer : undefined;
    }
    let i = 0;
    while (i < n) {
      const p = (slots[i] as Slot).priority;
      let j = i + 1;
      while (j < n && (slots[j] as Slot).priority === p) j++;
      const size = j - i;
      const start = this.cursor >= i && this.cursor < j ? this.cursor - i : 0;
      for (let k = 0; k < size; k++) {
        const idx = i + ((start + k) % size);
        const c = (slots[idx] as Slot).consumer;
        if (c.canDeliver()) {
          this.cursor = i + ((idx - i + 1) % size);
          return c;
        }
      }
      i = j;
    }
    return undefined;
  }
}
