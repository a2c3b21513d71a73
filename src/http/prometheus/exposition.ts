import type { BucketHistogram } from '../../util/bucket-histogram.js';

/** Prometheus's metric types, as `# TYPE` writes them (RabbitMQ's build_info and identity_info are untyped). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * Text handed to the socket at a time (the per-queue lines go as bytes, line-encoder.ts): a scrape of 100,000 queues is about 40 MB, so it goes out
 * in chunks of this size (waiting for the socket to drain between them) rather than as one string.
 */
const CHUNK_CHARS = 256 * 1024;

/** A label value in the text format: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** `k1="v1",k2="v2"` from pairs, values escaped. */
export function labelsOf(pairs: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [k, v] of Object.entries(pairs)) out += `${out === '' ? '' : ','}${k}="${escapeLabel(v)}"`;
  return out;
}

function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/**
 * Where chunks go: a promise when the receiver wants the writer to wait (socket back-pressure). With
 * `reused`, the caller will overwrite the chunk's bytes once the promise resolves: the sink resolves
 * only when the socket has taken them.
 */
export type ChunkSink = (chunk: string | Buffer, reused?: boolean) => Promise<void> | undefined;

/**
 * The text exposition format (version 0.0.4), written family by family. Lines collect in a string until
 * about CHUNK_CHARS, then go to the sink; callers that write many lines check `full` and await flush().
 */
export class TextWriter {
  private buf = '';
  private readonly sink: ChunkSink;

  constructor(sink: ChunkSink) {
    this.sink = sink;
  }

  family(name: string, type: MetricType, help: string): void {
    this.buf += `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
  }

  sample(name: string, labels: string, value: number): void {
    this.buf += labels === '' ? `${name} ${formatValue(value)}\n` : `${name}{${labels}} ${formatValue(value)}\n`;
  }

  /** A family of one sample. */
  single(name: string, type: MetricType, help: string, labels: string, value: number): void {
    this.family(name, type, help);
    this.sample(name, labels, value);
  }

  /** A histogram's cumulative buckets, _sum and _count; `labels` come before `le`. */
  histogram(name: string, labels: string, h: BucketHistogram): void {
    const prefix = labels === '' ? '' : `${labels},`;
    let cumulative = 0;
    for (let i = 0; i < h.bounds.length; i++) {
      cumulative += h.counts[i] as number;
      this.sample(`${name}_bucket`, `${prefix}le="${formatValue(h.bounds[i] as number)}"`, cumulative);
    }
    this.sample(`${name}_bucket`, `${prefix}le="+Inf"`, h.count);
    this.sample(`${name}_sum`, labels, h.sum);
    this.sample(`${name}_count`, labels, h.count);
  }

  get full(): boolean {
    return this.buf.length >= CHUNK_CHARS;
  }

  /** Bytes built elsewhere (line-encoder.ts), after the text so far; resolves when they may be overwritten. */
  readonly bytes = async (chunk: Buffer): Promise<void> => {
    await this.flush();
    await this.sink(chunk, true);
  };

  async flush(): Promise<void> {
    if (this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    await this.sink(chunk);
  }
}
