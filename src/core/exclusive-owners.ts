import type { Principal } from './principal.js';
import type { Queue } from './queue/queue.js';

/**
 * Exclusive queues by the connection that owns them (its principal's connection id), so a closing
 * connection finds its own queues: scanning every queue made 2,000 closes among 100,000 queues
 * take 65 s (bench/event-loop-stalls.ts).
 */
export class ExclusiveOwners {
  private readonly byOwner = new Map<string, Set<Queue>>();

  add(owner: Principal, queue: Queue): void {
    const owned = this.byOwner.get(owner.connectionId);
    if (owned === undefined) this.byOwner.set(owner.connectionId, new Set([queue]));
    else owned.add(queue);
  }

  remove(owner: Principal | undefined, queue: Queue): void {
    const owned = owner === undefined ? undefined : this.byOwner.get(owner.connectionId);
    if (owned === undefined) return;
    owned.delete(queue);
    if (owned.size === 0) this.byOwner.delete((owner as Principal).connectionId);
  }

  /** Forgets the owner and hands back what it owned. */
  release(owner: Principal): ReadonlySet<Queue> | undefined {
    const owned = this.byOwner.get(owner.connectionId);
    this.byOwner.delete(owner.connectionId);
    return owned;
  }
}
