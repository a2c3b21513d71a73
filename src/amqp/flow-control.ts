import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../util/logger.js';

/** Bytes read from publishers after which memory is checked at once instead of on the next tick. */
// Small messages cost heap far beyond their bytes (~300 B of objects for a 70-byte publish): checking
// every 4 MB let 60,000 of them in between checks.
const EARLY_CHECK_BYTES = 1024 * 1024;
/**
 * Process checks (CLI only). V8 aborts the process when the JS heap reaches heap_size_limit; the
 * alarm goes on well before, so that only a bug, never client input, can get there.
 */
// 0.7 was too late: with a 128 MB old space (heap_size_limit 176 MB, young generation included) a
// flood of small messages into a priority queue aborted the process before the check saw 123 MB.
const HEAP_ALARM_FRACTION = 0.5;
/** RSS beyond the watermark that the runtime itself, code and fragmentation may take. */
const RSS_ALLOWANCE = 256 * 1024 * 1024;

export interface AlarmLimits {
  /** ≤ 1: a fraction of the machine's memory; > 1: bytes. */
  readonly memoryHighWatermark: number;
  /** Bytes that must stay free on the data directory's filesystem. */
  readonly diskFreeLimit: number;
}

export interface AlarmSources {
  /** Bytes this broker holds: messages in its queues, its connections' buffers. A plain sum, no GC. */
  heldBytes(): number;
  /**
   * Also judge the whole process: V8 heap against heap_size_limit, RSS against the watermark plus
   * an allowance. For the CLI, which owns the process; an embedded broker shares its process and
   * counts only what it holds, so several brokers in one process keep independent alarms.
   */
  readonly processChecks: boolean;
  /**
   * A full GC, offered by a process owner (the CLI); settles when it is done. Garbage counts in the
   * heap and RSS until collected, and an idle broker (publishers blocked, backlog drained) may never
   * collect by itself; so when a process check finds the process over a limit, a collection runs and
   * memory is judged again once it is done, so an alarm that was only garbage clears.
   */
  readonly collectGarbage?: () => Promise<void>;
}

/** A full GC on a big heap takes a while: at most one per this interval. */
const FORCED_GC_INTERVAL_MS = 2000;

type MemoryCause = 'held' | 'heap' | 'rss';

/**
 * RabbitMQ's resource alarms: when memory in use passes the high-watermark or free disk falls
 * below the limit, publishing connections are blocked (connection.blocked, reads paused) until
 * every alarm clears. Memory in use is what this broker holds (counted, so it falls the moment a
 * backlog drains, with no forced GC); the CLI adds the process-level limits.
 */
export class ResourceAlarms {
  readonly memoryLimit: number;
  readonly diskLimit: number;
  private readonly dataDir: string;
  private readonly logger: Logger;
  private readonly sources: AlarmSources;
  private memoryAlarm = false;
  private diskAlarm = false;
  /** A write or fdatasync of the data directory fails (store/write-health.ts): part of the disk alarm. */
  private writesFailing = false;
  private writesBehind = false;
  /** An alarm raised by hand (the test kit's blockPublishers): its text is the reason clients see. */
  private manual: string | undefined;
  private readonly onChange: (active: boolean) => void;
  private incoming = 0;
  private lastForcedGc = 0;
  private collecting = false;
  private closed = false;

  constructor(limits: AlarmLimits, dataDir: string, logger: Logger, sources: AlarmSources, onChange: (active: boolean) => void) {
    this.memoryLimit = limits.memoryHighWatermark <= 1 ? Math.floor(totalmem() * limits.memoryHighWatermark) : limits.memoryHighWatermark;
    this.diskLimit = limits.diskFreeLimit;
    this.dataDir = dataDir;
    this.logger = logger;
    this.sources = sources;
    this.onChange = onChange;
  }

  /** The memory alarm alone (the management API's mem_alarm). */
  get memory(): boolean {
    return this.memoryAlarm;
  }

  /** The disk alarm alone (disk_free_alarm): free space under the limit, or writes failing. */
  get disk(): boolean {
    return this.diskAlarm || this.writesFailing;
  }

  get active(): boolean {
    return this.memoryAlarm || this.disk || this.writesBehind || this.manual !== undefined;
  }

  get reason(): string {
    if (this.manual !== undefined) return this.manual;
    const parts: string[] = [];
    if (this.memoryAlarm) parts.push('memory');
    if (this.disk) parts.push('disk');
    if (this.writesBehind) parts.push('disk write throughput');
    return `low on ${parts.join(' and ')}`;
  }

  /**
   * Bytes read from publishers since the last check: past a threshold memory is checked at once, so
   * a fast publisher cannot overshoot the watermark (or the heap limit) by a whole tick's worth.
   */
  noteIncoming(bytes: number): void {
    this.incoming += bytes;
    if (this.incoming < EARLY_CHECK_BYTES) return;
    const wasActive = this.active;
    this.checkMemory();
    // Disk too: a fast publisher of persistent messages writes its headroom away within one tick
    // (a 48 MB limit on a 96 MB filesystem was overrun by 64 KiB messages). statfs costs microseconds.
    this.setDisk(this.freeDisk());
    if (this.active !== wasActive) this.onChange(this.active);
  }

  /** On the broker's timer: memory and disk. */
  check(): void {
    const wasActive = this.active;
    this.checkMemory();
    this.setDisk(this.freeDisk());
    if (this.active !== wasActive) this.onChange(this.active);
  }

  /** Raises (a reason) or clears (undefined) the manual alarm: publishers are blocked as for memory. */
  setManual(reason: string | undefined): void {
    const wasActive = this.active;
    this.manual = reason;
    if (this.active !== wasActive) this.onChange(this.active);
  }

  /**
   * Page-file writes fell behind the disk (store/page-writes.ts): publishers wait, as for an
   * alarm, so the bytes on their way to disk stay bounded. Often brief: logged at debug.
   */
  setWritesBehind(on: boolean): void {
    if (on === this.writesBehind) return;
    const wasActive = this.active;
    this.writesBehind = on;
    this.logger.debug({ event: on ? 'paging.writes-behind' : 'paging.writes-caught-up' }, on ? 'page writes behind the disk: publishers wait' : 'page writes caught up');
    if (this.active !== wasActive) this.onChange(this.active);
  }

  /**
   * Writes to the data directory fail (ENOSPC, EIO) or work again. A filesystem can be full with
   * free space left above the limit (quotas, reserved blocks, inodes, a 0 limit), or fail outright:
   * either way the disk alarm goes on as for low free space, until a retried write goes through.
   */
  setWritesFailing(on: boolean, err: unknown): void {
    if (on === this.writesFailing) return;
    const wasActive = this.active;
    this.writesFailing = on;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    this.logger.warn(
      { event: on ? 'alarm.disk.set' : 'alarm.disk.cleared', cause: 'write-failed', code },
      on ? `data directory writes fail (${code ?? 'error'}): publishers blocked` : 'data directory writes work again: disk alarm cleared',
    );
    if (this.active !== wasActive) this.onChange(this.active);
  }

  private checkMemory(): void {
    this.incoming = 0;
    const held = this.sources.heldBytes();
    if (held > this.memoryLimit) return this.setMemory(true, 'held', held, this.memoryLimit);
    const over = this.sources.processChecks ? this.processOverLimit() : undefined;
    if (over !== undefined) this.setMemory(true, over.cause, over.used, over.limit);
    else this.setMemory(false, 'held', held, this.memoryLimit);
  }

  private processOverLimit(): { cause: MemoryCause; used: number; limit: number } | undefined {
    const over = this.measureProcess();
    if (over !== undefined) this.collectGarbageSoon();
    return over;
  }

  /**
   * The alarm is raised (or kept) at once, since the heap may really be full; a collection then runs
   * and memory is checked again when it is done. Blocking publishers for one collection's length
   * when it was only garbage costs little; letting a real flood run on while collecting could abort.
   */
  private collectGarbageSoon(): void {
    const gc = this.sources.collectGarbage;
    const now = Date.now();
    if (gc === undefined || this.collecting || now - this.lastForcedGc < FORCED_GC_INTERVAL_MS) return;
    this.lastForcedGc = now;
    this.collecting = true;
    gc().then(
      () => {
        this.collecting = false;
        if (!this.closed) this.check();
      },
      (err: unknown) => {
        this.collecting = false;
        this.logger.debug({ event: 'alarm.memory.gc-failed', err }, 'forced garbage collection failed');
      },
    );
  }

  /** The broker stopped: a collection still running checks nothing when it ends. */
  close(): void {
    this.closed = true;
  }

  private measureProcess(): { cause: MemoryCause; used: number; limit: number } | undefined {
    const heap = getHeapStatistics();
    const heapLimit = Math.floor(heap.heap_size_limit * HEAP_ALARM_FRACTION);
    if (heap.used_heap_size > heapLimit) return { cause: 'heap', used: heap.used_heap_size, limit: heapLimit };
    const rss = process.memoryUsage.rss();
    const rssLimit = this.memoryLimit + RSS_ALLOWANCE;
    return rss > rssLimit ? { cause: 'rss', used: rss, limit: rssLimit } : undefined;
  }

  private setMemory(on: boolean, cause: MemoryCause, used: number, limit: number): void {
    if (on === this.memoryAlarm) return;
    this.memoryAlarm = on;
    const mib = (n: number): number => Math.round(n / 2 ** 20);
    this.logger.warn(
      { event: on ? 'alarm.memory.set' : 'alarm.memory.cleared', cause, usedMiB: mib(used), limitMiB: mib(limit) },
      on ? `memory limit reached (${cause}): publishers blocked` : 'memory alarm cleared',
    );
  }

  private setDisk(free: number | undefined): void {
    const on = free !== undefined && free < this.diskLimit;
    if (on === this.diskAlarm) return;
    this.diskAlarm = on;
    this.logger.warn(
      { event: on ? 'alarm.disk.set' : 'alarm.disk.cleared', free, limit: this.diskLimit },
      on ? 'free disk below the limit: publishers blocked' : 'disk alarm cleared',
    );
  }

  /** Free bytes on the data directory's filesystem now (statfs), or undefined when it cannot be read. */
  freeDisk(): number | undefined {
    try {
      const s = statfsSync(this.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }
}
