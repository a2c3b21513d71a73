/** What a run reports, and the arithmetic that turns snapshots into it. */
import type { FieldTable } from '../../src/protocol/field-table.js';
import type { FleetSnapshot } from './fleet.js';
import type { Histogram } from './histogram.js';
import type { PerfOptions } from './options.js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface ThreadCpu {
  /** 'main', 'producers x2', 'consumers x1', ... */
  readonly role: string;
  readonly cores: number;
  /** CPU µs per message this thread published or received. */
  readonly usPerMessage: number;
}

export interface CpuReport {
  /** Whole tool process (every thread, GC included), from process.cpuUsage. */
  readonly toolSeconds: number;
  readonly toolCores: number;
  /** Tool CPU µs per message operation (one publish or one delivery). */
  readonly usPerMessage: number;
  readonly threads: readonly ThreadCpu[];
  /** --broker-pid: the broker process's CPU over the same window. */
  readonly brokerCores?: number;
  readonly brokerUsPerMessage?: number;
}

export interface PhaseRate {
  readonly messages: number;
  readonly seconds: number;
  readonly rate: number;
}

export interface PerfResult {
  /** Product and version the broker announced in connection.start. */
  readonly broker: string;
  readonly mode: 'steady' | 'fill';
  readonly options: PerfOptions;
  readonly threads: number;
  /** The measured window (steady) or fill + drain time. */
  readonly seconds: number;
  readonly published: number;
  readonly confirmed: number;
  readonly nacked: number;
  readonly received: number;
  /** Deliveries the run should have seen: (published - nacked) x queues reached. */
  readonly expected: number;
  /** msg/s over the measured window. */
  readonly rates: { readonly published: number; readonly confirmed: number; readonly received: number };
  readonly perSecond: { readonly published: number[]; readonly received: number[] };
  /** Publish to delivery, ms. */
  readonly latencyMs: LatencySummary | undefined;
  readonly loss: number;
  readonly duplicates: number;
  readonly reorders: number;
  readonly gaps: number;
  readonly foreign: number;
  readonly fill?: PhaseRate;
  readonly drain?: PhaseRate;
  readonly brokerRssMb?: { readonly full?: number; readonly end?: number };
  readonly cpu: CpuReport;
  readonly errors: readonly string[];
  /** No loss, duplicates, reordering or errors. */
  readonly ok: boolean;
}

export function brokerName(props: FieldTable): string {
  const str = (k: string): string => {
    const v = props[k];
    return v !== undefined && v.type === 'string' ? v.value : v !== undefined && v.type === 'bytes' ? v.value.toString('utf8') : '';
  };
  return `${str('product')} ${str('version')}`.trim() || 'unknown broker';
}

export function summarizeLatency(h: Histogram): LatencySummary | undefined {
  if (h.count === 0) return undefined;
  const ms = (ns: number): number => ns / 1e6;
  return {
    count: h.count,
    p50: ms(h.percentile(50)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    mean: ms(h.mean),
    min: ms(h.min),
    max: ms(h.max),
  };
}

export interface CpuWindow {
  readonly seconds: number;
  readonly process: NodeJS.CpuUsage;
  readonly mainThread: number | undefined;
  readonly brokerSeconds: number | undefined;
}

/** CPU over a window: process.cpuUsage delta, per-thread /proc deltas, and the broker's when known. */
export function cpuReport(start: FleetSnapshot, end: FleetSnapshot, startCpu: CpuWindow, endCpu: CpuWindow, workers: boolean): CpuReport {
  const seconds = endCpu.seconds - startCpu.seconds;
  const sent = end.sent - start.sent;
  const received = end.received - start.received;
  const ops = Math.max(1, sent + received);
  const toolSeconds = (endCpu.process.user - startCpu.process.user + endCpu.process.system - startCpu.process.system) / 1e6;
  const threads: ThreadCpu[] = [];
  end.threads.forEach((t, i) => {
    const s = start.threads[i];
    if (t.cpu === undefined || s?.cpu === undefined) return;
    const cpu = t.cpu - s.cpu;
    const roles = [t.producers > 0 ? `producers x${t.producers}` : '', t.consumers > 0 ? `consumers x${t.consumers}` : ''].filter(Boolean).join(' + ');
    const threadOps = Math.max(1, t.sent - s.sent + t.received - s.received);
    threads.push({ role: workers ? `worker ${i + 1}: ${roles}` : `main: ${roles}`, cores: cpu / seconds, usPerMessage: (cpu * 1e6) / threadOps });
  });
  if (workers && endCpu.mainThread !== undefined && startCpu.mainThread !== undefined) {
    const cpu = endCpu.mainThread - startCpu.mainThread;
    threads.unshift({ role: 'main: control, reporting', cores: cpu / seconds, usPerMessage: (cpu * 1e6) / ops });
  }
  const report: CpuReport = { toolSeconds, toolCores: toolSeconds / seconds, usPerMessage: (toolSeconds * 1e6) / ops, threads };
  if (startCpu.brokerSeconds === undefined || endCpu.brokerSeconds === undefined) return report;
  const broker = endCpu.brokerSeconds - startCpu.brokerSeconds;
  return { ...report, brokerCores: broker / seconds, brokerUsPerMessage: (broker * 1e6) / ops };
}
