/**
 * What the tool writes into each body and the clocks it reads.
 *
 * Body layout (little-endian, the first 16 bytes of every message):
 *   0..7   publish time, ns since the run's clock base (float64; exact below 2^53 ns)
 *   8..11  the producer's sequence number, from 0 (uint32)
 *   12..15 producer tag: run id (20 bits) << 12 | producer index (12 bits)
 * The run id lets a consumer tell this run's messages from leftovers of an earlier run in a named queue.
 */
import { readFileSync } from 'node:fs';

export const Body = { timestamp: 0, seq: 8, producer: 12, minSize: 16 } as const;

export const MAX_PRODUCERS = 4095;
const RUN_ID_MASK = 0xfffff;

export function newRunId(): number {
  return Math.floor(Math.random() * RUN_ID_MASK) + 1;
}

export function producerTag(runId: number, index: number): number {
  return (((runId & RUN_ID_MASK) << 12) | (index & 0xfff)) >>> 0;
}

export function tagRunId(tag: number): number {
  return tag >>> 12;
}

export function tagProducer(tag: number): number {
  return tag & 0xfff;
}

/**
 * Monotonic ns since `base`. Every thread of the process reads the same clock (hrtime is CLOCK_MONOTONIC),
 * so a producer thread's stamp and a consumer thread's reading compare directly.
 */
export function clockNs(base: bigint): number {
  return Number(process.hrtime.bigint() - base);
}

/** CPU seconds (user + system) of the calling thread, from /proc/thread-self/stat; undefined off Linux. */
export function threadCpuSeconds(): number | undefined {
  return procCpuSeconds('/proc/thread-self/stat');
}

/** CPU seconds of another process (all its threads), e.g. the broker. */
export function processCpuSeconds(pid: number): number | undefined {
  return procCpuSeconds(`/proc/${pid}/stat`);
}

/** USER_HZ: the unit of utime and stime in /proc stat files; 100 on every Linux that Node supports. */
const CLOCK_TICKS = 100;

function procCpuSeconds(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : undefined;
}

/** Resident set size of a process in bytes (VmRSS), or undefined. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}
