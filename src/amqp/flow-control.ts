import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '../util/logger.js';

// A full GC before deciding that memory is over the watermark, so garbage does not raise alarms
// and freed messages clear them promptly. At most once per check (every second).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const EARLY_CHECK_BYTES = 16 * 1024 * 1024;
const FORCED_GC_INTERVAL_MS = 2000;

export interface AlarmLimits {
  /** ≤ 1: a fraction of the machine's memory; > 1: bytes. */
  readonly memoryHighWatermark: number;
  /** Bytes that must stay free on the data directory's filesystem. */
  readonly diskFreeLimit: number;
}

/**
 * RabbitMQ's resource alarms: when memory in use passes the high-watermark or free disk falls
 * below the limit, publishing connections are blocked (connection.blocked, reads paused) until
 * every alarm clears. Memory in use is the JS heap plus buffers (heapUsed + external): what
 * queued messages occupy, and what falls again once consumers drain them.
 */
export class ResourceAlarms {
  readonly memoryLimit: number;
  private readonly diskLimit: number;
  private readonly dataDir: string;
  private readonly logger: Logger;
  private memoryAlarm = false;
  private diskAlarm = false;
  private writesBehind = false;
  private readonly onChange: (active: boolean) => void;
  private incoming = 0;
  private lastForcedGc = 0;

  constructor(limits: AlarmLimits, dataDir: string, logger: Logger, onChange: (active: boolean) => void) {
    this.memoryLimit = limits.memoryHighWatermark <= 1 ? Math.floor(totalmem() * limits.memoryHighWatermark) : limits.memoryHighWatermark;
    this.diskLimit = limits.diskFreeLimit;
    this.dataDir = dataDir;
    this.logger = logger;
    this.onChange = onChange;
  }

  get active(): boolean {
    return this.memoryAlarm || this.diskAlarm || this.writesBehind;
  }

  get reason(): string {
    const parts: string[] = [];
    if (this.memoryAlarm) parts.push('memory');
    if (this.diskAlarm) parts.push('disk');
    if (this.writesBehind) parts.push('disk write throughput');
    return `low on ${parts.join(' and ')}`;
  }

  /** Memory Warren holds now, in bytes. */
  static memoryInUse(): number {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  }

  /**
   * Bytes read from publishers since the last check: past a threshold the check runs at once, so
   * a fast publisher cannot overshoot the watermark by a whole check interval's worth.
   */
  noteIncoming(bytes: number): void {
    this.incoming += bytes;
    if (this.incoming >= EARLY_CHECK_BYTES) this.check();
  }

  check(): void {
    this.incoming = 0;
    const wasActive = this.active;
    let used = ResourceAlarms.memoryInUse();
    // A full GC on a big heap takes a while: at most one per FORCED_GC_INTERVAL_MS, so a broker
    // that stays over the watermark (consumers not draining) does not collect four times a second.
    const now = Date.now();
    if (used > this.memoryLimit && now - this.lastForcedGc >= FORCED_GC_INTERVAL_MS) {
      this.lastForcedGc = now;
      collectGarbage();
      used = ResourceAlarms.memoryInUse();
    }
    this.setMemory(used > this.memoryLimit, used);
    this.setDisk(this.freeDisk());
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

  private setMemory(on: boolean, used: number): void {
    if (on === this.memoryAlarm) return;
    this.memoryAlarm = on;
    const mib = (n: number): number => Math.round(n / 2 ** 20);
    this.logger.warn(
      { event: on ? 'alarm.memory.set' : 'alarm.memory.cleared', usedMiB: mib(used), limitMiB: mib(this.memoryLimit) },
      on ? 'memory high-watermark reached: publishers blocked' : 'memory alarm cleared',
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

  private freeDisk(): number | undefined {
    try {
      const s = statfsSync(this.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }
}
