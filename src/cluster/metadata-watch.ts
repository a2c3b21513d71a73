import type { KV } from '@nats-io/kv';
import type { Logger } from '../util/logger.js';

/** One value of the metadata bucket, as the watch gives it: parsed JSON, or undefined for a delete or a value not ours. */
export interface WatchedEntry {
  readonly key: string;
  readonly revision: number;
  readonly value: Record<string, unknown> | undefined;
}

export interface WatchSink {
  /** What the bucket held when the watch started, tombstones included: applied before any later change. */
  load(initial: readonly WatchedEntry[]): void;
  /** After the load: what this node has and the bucket does not is written to it; start() waits for it. */
  joined(): Promise<void>;
  /** Each later change, in the bucket's order (a node's own writes too). */
  change(entry: WatchedEntry): void;
}

const decoder = new TextDecoder();

function parse(value: Uint8Array): Record<string, unknown> | undefined {
  if (value.length === 0) return undefined;
  try {
    const v = JSON.parse(decoder.decode(value)) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one watch of a node on the metadata bucket: loads what it holds, then hands every change to
 * the sink (topology and definitions both), and knows up to which revision it has applied, so a
 * lookup that found nothing can wait until every write made before it is applied here (catchUp).
 */
export class MetadataWatch {
  private watching: { stop(): void } | undefined;
  /** The bucket's revision (its stream sequence) up to which changes are applied. */
  private applied = 0;
  private readonly caughtUp: { readonly revision: number; readonly done: () => void }[] = [];

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  async start(sink: WatchSink): Promise<void> {
    const initial: WatchedEntry[] = [];
    let loadedAll: () => void = () => undefined;
    const loaded = new Promise<void>((resolve) => (loadedAll = resolve));
    const status = await this.kv.status();
    const watch = await this.kv.watch({ key: '>' });
    this.watching = watch;
    // Loading until the entry with nothing pending behind it. Not the entries' isUpdate: the client
    // marks the last initial value as an update already (i >= count), so that never saw a delta of 0.
    let loading = status.values > 0;
    const load = (): void => {
      try {
        sink.load(initial);
      } catch (err) {
        this.logger.error({ event: 'cluster.load-failed', err }, `cluster metadata not loaded: ${(err as Error).message}`);
      } finally {
        loadedAll();
      }
    };
    if (!loading) load();
    void (async () => {
      for await (const e of watch) {
        const entry: WatchedEntry = { key: e.key, revision: e.revision, value: e.operation === 'PUT' ? parse(e.value) : undefined };
        if (loading) {
          initial.push(entry);
          if (e.delta === 0) {
            loading = false;
            load(); // here, in the loop: no later change can be applied before the initial values
          }
          continue;
        }
        try {
          sink.change(entry);
        } catch (err) {
          this.logger.error({ event: 'cluster.apply-failed', err, key: e.key }, `cluster metadata not applied: ${(err as Error).message}`);
        }
        this.noteApplied(e.revision);
      }
    })().catch((err: unknown) => this.logger.error({ event: 'cluster.watch-failed', err }, 'cluster metadata watch ended'));
    await loaded;
    this.noteApplied(status.streamInfo.state.last_seq);
    await sink.joined();
  }

  stop(): void {
    this.watching?.stop();
  }

  /** Resolves once every change written anywhere before the call is applied here. */
  async catchUp(): Promise<void> {
    const status = await this.kv.status();
    const last = status.streamInfo.state.last_seq;
    if (last <= this.applied) return;
    await new Promise<void>((resolve) => this.caughtUp.push({ revision: last, done: resolve }));
  }

  private noteApplied(revision: number): void {
    if (revision > this.applied) this.applied = revision;
    for (let i = this.caughtUp.length - 1; i >= 0; i--) {
      const w = this.caughtUp[i] as (typeof this.caughtUp)[number];
      if (w.revision <= this.applied) {
        this.caughtUp.splice(i, 1);
        w.done();
      }
    }
  }
}
