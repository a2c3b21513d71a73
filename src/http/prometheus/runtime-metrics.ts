import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks';
import { BucketHistogram } from '../../util/bucket-histogram.js';
import type { TextWriter } from './exposition.js';
import type { PrometheusBroker } from './prometheus-broker.js';

/** prom-client's GC buckets (seconds): a scavenge is well under 1 ms, a full mark-compact of a big heap seconds. */
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5] as const;
const GC_KINDS: Readonly<Record<number, string>> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/**
 * Warren's own series (warren_): event-loop delay, GC pauses, fsync and publish-to-confirm latency, paged bytes. The event-loop monitor and
 * the GC observer run only while the Prometheus listener is open (start/stop), so a broker without it pays
 * nothing; a GC is one observation (not per message).
 */
export class RuntimeMetrics {
  private loop: IntervalHistogram | undefined;
  private observer: PerformanceObserver | undefined;
  private readonly gc = new Map<string, BucketHistogram>();

  start(): void {
    this.loop = monitorEventLoopDelay({ resolution: 10 });
    this.loop.enable();
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.observeGc(e);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.loop?.disable();
    this.observer?.disconnect();
    this.loop = undefined;
    this.observer = undefined;
  }

  private observeGc(e: PerformanceEntry): void {
    const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
    let h = this.gc.get(kind);
    if (h === undefined) this.gc.set(kind, (h = new BucketHistogram(GC_BUCKETS)));
    h.observe(e.duration / 1000);
  }

  /** `pagedBytes`: summed by the scrape's queue pass (queue-families.ts). */
  write(w: TextWriter, api: PrometheusBroker, pagedBytes: number): void {
    const loop = this.loop;
    if (loop !== undefined && loop.count > 0) {
      const name = 'warren_event_loop_delay_seconds';
      w.family(name, 'summary', 'Delay of the event loop past its timer, sampled every 10 ms since the Prometheus listener started');
      for (const q of [0.5, 0.9, 0.99]) w.sample(name, `quantile="${q}"`, loop.percentile(q * 100) / 1e9);
      w.sample(`${name}_sum`, '', (loop.mean * loop.count) / 1e9);
      w.sample(`${name}_count`, '', loop.count);
      w.single('warren_event_loop_delay_max_seconds', 'gauge', 'Longest event-loop delay seen since the Prometheus listener started', '', loop.max / 1e9);
    }
    w.family('warren_gc_duration_seconds', 'histogram', 'Garbage-collection pauses by kind (minor, major, incremental, weakcb)');
    for (const [kind, h] of this.gc) w.histogram('warren_gc_duration_seconds', `kind="${kind}"`, h);
    w.family('warren_fsync_duration_seconds', 'histogram', 'Time of one fdatasync of a message, ack or definitions file (--fsync always); many confirms share one');
    w.histogram('warren_fsync_duration_seconds', '', api.fsyncLatency);
    w.family('warren_publish_confirm_seconds', 'histogram', 'Time from a confirm-mode publish being dispatched to its basic.ack or basic.nack being written (the broker coarse clock: 1 ms steps, one reading per event-loop turn)');
    w.histogram('warren_publish_confirm_seconds', '', api.globals.confirmLatency);
    w.single('warren_paged_bytes', 'gauge', 'Bytes of message bodies paged to disk, summed over queues', '', pagedBytes);
    const heap = process.memoryUsage();
    w.single('warren_heap_used_bytes', 'gauge', 'V8 heap in use', '', heap.heapUsed);
    w.single('warren_external_memory_bytes', 'gauge', 'Memory of Buffers and other objects outside the V8 heap (message bodies)', '', heap.external);
  }
}
