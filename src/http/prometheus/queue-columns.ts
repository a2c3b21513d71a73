import { QueueDepths } from '../../core/queue-depths.js';
import type { ReadModel } from '../../core/read-model.js';
import { escapeLabel } from './exposition.js';
import { KeptFamily } from './kept-family.js';

/**
 * Every queue's figures for one scrape, in columns, and its labels `vhost="…",queue="…"` as UTF-8 bytes,
 * escaped and encoded once and kept from scrape to scrape while the queue set stays the same.
 *
 * Escaping and encoding 100,000 labels per scrape, and a number[] per figure, cost ~60 ms of a 470 ms
 * scrape and most of its garbage (bench/prometheus-scale.ts). Here the read model writes the figures
 * into reused Float64Arrays (core/queue-depths.ts), and a scrape with no queue created or deleted since
 * the last one checks each queue's name and vhost against the cache (the same string objects: a pointer
 * compare, in a loop over two arrays): nothing is allocated.
 * When the set changed, the labels are rebuilt into one new arena (the kept ones copied, only new queues
 * escaped and encoded), so the cache holds exactly the queues of the last scrape: one arena of label
 * bytes and one view per queue, ~110 bytes a queue (a queue itself holds ~9 KB).
 */
export class QueueColumns {
  /** Queues in this scrape; the columns below are valid up to it. */
  count = 0;
  /** Body bytes paged to disk, summed over these queues (warren_paged_bytes). */
  pagedBytes = 0;
  /** Per queue, its labels: a view of one shared arena. */
  labels: Uint8Array[] = [];
  /** ready + unacked. */
  messages = new Float64Array(0);
  /** 1 for every queue: rabbitmq_queue_info's value. */
  ones = new Float64Array(0);
  /** This scrape's figures, filled by the read model. */
  private readonly depths = new QueueDepths();
  /** The queues the labels are for. */
  private vhosts: string[] = [];
  private names: string[] = [];
  /** Per-queue families' last lines, by family name (kept-family.ts); dropped with the labels. */
  private readonly kept = new Map<string, KeptFamily>();

  get ready(): Float64Array {
    return this.depths.ready;
  }

  get unacked(): Float64Array {
    return this.depths.unacked;
  }

  get consumers(): Float64Array {
    return this.depths.consumers;
  }

  get readyBytes(): Float64Array {
    return this.depths.readyBytes;
  }

  /** The kept lines of the per-queue family `name`, whose lines end in `extra` before the value. */
  keptFamily(name: string, extra: Uint8Array): KeptFamily {
    let k = this.kept.get(name);
    if (k === undefined) this.kept.set(name, (k = new KeptFamily(name, extra)));
    return k;
  }

  /** Reads every queue (of `only`, when given) from the read model into the columns. */
  load(rm: ReadModel, only?: ReadonlySet<string>): this {
    const d = rm.queueDepths(this.depths, only);
    const n = d.count;
    if (this.messages.length < d.capacity) {
      this.messages = new Float64Array(d.capacity);
      this.ones = new Float64Array(d.capacity).fill(1);
    }
    const messages = this.messages;
    const ready = d.ready;
    const unacked = d.unacked;
    for (let i = 0; i < n; i++) messages[i] = (ready[i] as number) + (unacked[i] as number);
    let same = n === this.names.length;
    const names = this.names;
    const vhosts = this.vhosts;
    const newNames = d.names;
    const newVhosts = d.vhosts;
    for (let i = 0; same && i < n; i++) same = names[i] === newNames[i] && vhosts[i] === newVhosts[i];
    if (!same) this.relabel(n, { vhosts, names });
    this.count = n;
    this.pagedBytes = d.pagedBytes;
    return this;
  }

  /** The queue set changed: the depths' names/vhosts[0, count) are the new set; labels of queues kept are copied, not encoded again. */
  private relabel(count: number, before: { readonly vhosts: readonly string[]; readonly names: readonly string[] }): void {
    const kept = new Map<string, Map<string, Uint8Array>>();
    for (let i = 0; i < this.labels.length; i++) {
      const vhost = before.vhosts[i] as string;
      let m = kept.get(vhost);
      if (m === undefined) kept.set(vhost, (m = new Map()));
      m.set(before.names[i] as string, this.labels[i] as Uint8Array);
    }
    this.vhosts = this.depths.vhosts.slice(0, count);
    this.names = this.depths.names.slice(0, count);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < count; i++) {
      const vhost = this.vhosts[i] as string;
      const name = this.names[i] as string;
      const part = kept.get(vhost)?.get(name) ?? Buffer.from(`vhost="${escapeLabel(vhost)}",queue="${escapeLabel(name)}"`, 'utf8');
      parts.push(part);
      total += part.length;
    }
    const arena = new Uint8Array(total);
    const labels: Uint8Array[] = [];
    let at = 0;
    for (const part of parts) {
      arena.set(part, at);
      labels.push(arena.subarray(at, at + part.length));
      at += part.length;
    }
    this.labels = labels;
    this.kept.clear();
  }
}

/** The listener's one kept QueueColumns; a scrape that overlaps another gets a fresh one (the kept one is being written from). */
export class ColumnsLease {
  private readonly kept = new QueueColumns();
  private busy = false;

  take(): QueueColumns {
    if (this.busy) return new QueueColumns();
    this.busy = true;
    return this.kept;
  }

  give(columns: QueueColumns): void {
    if (columns === this.kept) this.busy = false;
  }
}
