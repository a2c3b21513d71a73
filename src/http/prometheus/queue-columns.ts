import type { ReadModel } from '../../core/read-model.js';
import { escapeLabel } from './exposition.js';
import { KeptFamily } from './kept-family.js';

/**
 * Every queue's figures for one scrape, in columns, and its labels `vhost="…",queue="…"` as UTF-8 bytes,
 * escaped and encoded once and kept from scrape to scrape while the queue set stays the same.
 *
 * Escaping and encoding 100,000 labels per scrape, and a number[] per figure, cost ~60 ms of a 470 ms
 * scrape and most of its garbage (bench/prometheus-scale.ts). Here a scrape with no queue created or
 * deleted since the last one checks each queue's name and vhost against the cache (the same string
 * objects: a pointer compare) and writes its figures into reused Float64Arrays: nothing is allocated.
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
  ready = new Float64Array(0);
  unacked = new Float64Array(0);
  /** ready + unacked. */
  messages = new Float64Array(0);
  consumers = new Float64Array(0);
  readyBytes = new Float64Array(0);
  /** 1 for every queue: rabbitmq_queue_info's value. */
  ones = new Float64Array(0);
  private vhosts: string[] = [];
  private names: string[] = [];
  /** Per-queue families' last lines, by family name (kept-family.ts); dropped with the labels. */
  private readonly kept = new Map<string, KeptFamily>();

  /** The kept lines of the per-queue family `name`, whose lines end in `extra` before the value. */
  keptFamily(name: string, extra: Uint8Array): KeptFamily {
    let k = this.kept.get(name);
    if (k === undefined) this.kept.set(name, (k = new KeptFamily(name, extra)));
    return k;
  }

  /** Reads every queue (of `only`, when given) from the read model into the columns. */
  load(rm: ReadModel, only?: ReadonlySet<string>): this {
    let i = 0;
    let changed = false;
    const vhosts = this.vhosts;
    const names = this.names;
    let before: { vhosts: string[]; names: string[] } | undefined;
    let paged = 0;
    rm.eachQueueDepth((vhost, name, r, u, c, b, pb) => {
      if (only !== undefined && !only.has(vhost)) return;
      paged += pb;
      if (i === this.ready.length) this.grow();
      this.ready[i] = r;
      this.unacked[i] = u;
      this.messages[i] = r + u;
      this.consumers[i] = c;
      this.readyBytes[i] = b;
      if (!changed && (names[i] !== name || vhosts[i] !== vhost)) {
        changed = true;
        before = { vhosts: vhosts.slice(), names: names.slice() };
      }
      if (changed) {
        vhosts[i] = vhost;
        names[i] = name;
      }
      i++;
    });
    if (changed || i !== names.length) this.relabel(i, before ?? { vhosts: vhosts.slice(), names: names.slice() });
    this.count = i;
    this.pagedBytes = paged;
    return this;
  }

  private grow(): void {
    const size = Math.max(1024, this.ready.length * 2);
    const bigger = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const a = new Float64Array(size);
      a.set(old);
      return a;
    };
    this.ready = bigger(this.ready);
    this.unacked = bigger(this.unacked);
    this.messages = bigger(this.messages);
    this.consumers = bigger(this.consumers);
    this.readyBytes = bigger(this.readyBytes);
    this.ones = new Float64Array(size).fill(1);
  }

  /** The queue set changed: names/vhosts[0, count) are the new set; labels of queues kept are copied, not encoded again. */
  private relabel(count: number, before: { readonly vhosts: readonly string[]; readonly names: readonly string[] }): void {
    const kept = new Map<string, Map<string, Uint8Array>>();
    for (let i = 0; i < this.labels.length; i++) {
      const vhost = before.vhosts[i] as string;
      let m = kept.get(vhost);
      if (m === undefined) kept.set(vhost, (m = new Map()));
      m.set(before.names[i] as string, this.labels[i] as Uint8Array);
    }
    this.vhosts.length = count;
    this.names.length = count;
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
