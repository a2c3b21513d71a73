/** An AgentHost on a worker thread, behind the same AgentHandle calls as an in-process one. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentHandle, AgentSnapshot, AgentSpec } from './agent-host.js';

export type WorkerOp = 'connectConsumers' | 'connectProducers' | 'startProducers' | 'snapshot' | 'stopProducers' | 'close';

export interface WorkerRequest {
  readonly id: number;
  readonly op: WorkerOp;
  readonly arg?: number;
}

export interface WorkerReply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * From dist/ the worker is plain JS. From TypeScript sources (tsx, vitest) Node 20 does not carry the tsx
 * loader into workers, so the worker starts as a tiny script that registers tsx and then imports worker.ts.
 */
function startWorker(spec: AgentSpec): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: spec });
  // The ESM build of tsx's API: its CommonJS build cannot register hooks from inside a worker.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: spec });
}

export class WorkerAgent implements AgentHandle {
  private readonly worker: Worker;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(spec: AgentSpec) {
    this.worker = startWorker(spec);
    this.worker.on('message', (r: WorkerReply) => {
      const w = this.waiters.get(r.id);
      if (w === undefined) return;
      this.waiters.delete(r.id);
      if (r.error !== undefined) w.reject(new Error(r.error));
      else w.resolve(r.value);
    });
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const w of this.waiters.values()) w.reject(err);
      this.waiters.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`perf worker exited with code ${code}`)));
  }

  private call<T>(op: WorkerOp, arg?: number): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const req: WorkerRequest = arg === undefined ? { id, op } : { id, op, arg };
      this.worker.postMessage(req);
    });
  }

  connectConsumers(): Promise<void> {
    return this.call('connectConsumers');
  }

  connectProducers(): Promise<void> {
    return this.call('connectProducers');
  }

  startProducers(): Promise<void> {
    return this.call('startProducers');
  }

  snapshot(): Promise<AgentSnapshot> {
    return this.call('snapshot');
  }

  stopProducers(timeoutMs: number): Promise<void> {
    return this.call('stopProducers', timeoutMs);
  }

  async close(): Promise<void> {
    try {
      await this.call('close');
    } finally {
      await this.worker.terminate();
    }
  }
}
