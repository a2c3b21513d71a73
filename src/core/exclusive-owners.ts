import type { Queue } from './queue/queue.js';

/**
 * Exclusive queues by the connection that owns them, so a closing connection finds its own
 * queues: scanning every queue made 2,000 closes among 100,000 queues take 65 s
 * (bench/event-loop-stalls.ts).
 */
export class ExclusiveOwners {
  private readonly byOwner = new Map<object, Set<Queue>>();

  add(owner: object, queue: Queue): void {
    const owned = this.byOwner.get(owner);
    if (owned === undefined) this.byOwner.set(owner, new Set([queue]));
    else owned.add(queue);
  }

  remove(owner: object | undefined, queue: Queue): void {
    const owned = owner === undefined ? undefined : this.byOwner.get(owner);
    if (owned === undefined) return;
    owned.delete(queue);
    if (owned.size === 0) this.byOwner.delete(owner as object);
  }

  /** Forgets the owner and hands back what it owned. */
  release(owner: object): ReadonlySet<Queue> | undefined {
    const owned = this.byOwner.get(owner);
    this.byOwner.delete(owner);
    return owned;
  }
}
