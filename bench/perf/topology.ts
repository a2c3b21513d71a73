/**
 * Declares what a run needs (exchange, queues, bindings) on a control connection, and removes what it
 * named itself afterwards. Every routing key a producer uses reaches every queue exactly once, so the
 * deliveries to expect are (published - nacked) x queues, which is how loss is counted.
 */
import type { FieldTable, FieldValue } from '../../src/protocol/field-table.js';
import { fromJs } from '../../src/protocol/field-value-helpers.js';
import type { AmqpConnection } from './amqp-client.js';
import type { PerfOptions } from './options.js';

export interface Topology {
  readonly exchange: string;
  readonly queues: readonly string[];
  /** Keys producers publish with: one, or the literal binding keys for --random-keys. */
  readonly publishKeys: readonly string[];
  /** Queues every published message reaches. */
  readonly fanout: number;
  /** Queues this run named and deletes at the end. */
  readonly generated: boolean;
}

const CHANNEL = 1;
/** Topic bindings are 3 words from this many; every 10th binding has a '*', every 20th ends in '#'. */
const VOCABULARY = 200;

export async function declareTopology(conn: AmqpConnection, o: PerfOptions, runId: number): Promise<Topology> {
  const generated = o.queue === undefined;
  const queues = o.queue !== undefined ? [o.queue] : Array.from({ length: o.queues }, (_, i) => `perf-${runId.toString(16)}-${i}`);
  const args = queueArguments(o.queueArgs);
  const durable = o.persistent;
  for (const q of queues) await conn.declareQueue(CHANNEL, q, durable, args);
  if (o.exchange === '') {
    return { exchange: '', queues, publishKeys: [queues[0] as string], fanout: 1, generated };
  }
  // amq.* exchanges exist already and may not be declared.
  if (!o.exchange.startsWith('amq.')) await conn.declareExchange(CHANNEL, o.exchange, o.type, false);
  const bindingKeys = o.bindings > 0 ? randomBindingKeys(o.bindings) : [];
  for (const q of queues) {
    for (const key of bindingKeys) conn.bindQueueNowait(CHANNEL, q, o.exchange, key);
    conn.flush();
    // A synchronous bind last: its bind-ok means every nowait bind before it on this channel is done.
    await conn.bindQueue(CHANNEL, q, o.exchange, o.type === 'fanout' ? '' : o.routingKey);
  }
  const literal = bindingKeys.filter((k) => !k.includes('*') && !k.includes('#'));
  return {
    exchange: o.exchange,
    queues,
    publishKeys: o.randomKeys ? literal : [o.routingKey],
    fanout: queues.length,
    generated,
  };
}

export async function deleteTopology(conn: AmqpConnection, t: Topology): Promise<void> {
  if (!t.generated) return;
  for (const q of t.queues) await conn.deleteQueue(CHANNEL, q);
}

/** Messages ready in the run's queues (queue.declare passive). */
export async function queuedMessages(conn: AmqpConnection, t: Topology): Promise<number> {
  let n = 0;
  for (const q of t.queues) n += (await conn.declareQueue(CHANNEL, q, false, {}, true)).messageCount;
  return n;
}

/** n distinct topic binding keys, the same on every run (a fixed seed), so runs compare. */
export function randomBindingKeys(n: number): string[] {
  let x = 0x2545f491;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % VOCABULARY;
  };
  const keys = new Set<string>();
  while (keys.size < n) {
    const words = [`w${next()}`, `w${next()}`, `w${next()}`];
    const i = keys.size;
    if (i % 20 === 19) words[2] = '#';
    else if (i % 10 === 9) words[1] = '*';
    keys.add(words.join('.'));
  }
  return [...keys];
}

/** Integers go as signed 64-bit ('l'), as Java's PerfTest sends them; the rest as fromJs maps them. */
export function queueArguments(json: Record<string, unknown>): FieldTable {
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(json)) {
    out[key] = typeof value === 'number' && Number.isSafeInteger(value) ? { type: 'int64', value } : fromJs(value);
  }
  return out;
}
