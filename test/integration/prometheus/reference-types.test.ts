/**
 * Differential: every metric family Warren exposes that RabbitMQ also has carries RabbitMQ's TYPE. The
 * reference is RabbitMQ 3.10.8's TYPE lines (fixtures/prometheus/rabbitmq-3.10.8-types.txt); with
 * PROMETHEUS_REFERENCE_URL=http://127.0.0.1:15692 (a RabbitMQ with rabbitmq_prometheus, e.g.
 * /work/shared/tools/rabbitmq.sh with RABBITMQ_PROMETHEUS=1) the live broker's endpoints are read too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { parseExposition, scrape } from './support.js';

const REFERENCE_URL = process.env['PROMETHEUS_REFERENCE_URL'];
const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'prometheus', 'rabbitmq-3.10.8-types.txt');
const DETAILED = '/metrics/detailed?family=queue_coarse_metrics&family=queue_metrics&family=queue_delivery_metrics&family=exchange_metrics&family=node_metrics&family=node_coarse_metrics&family=connection_churn_metrics&family=queue_consumer_count';
const PATHS = ['/metrics', '/metrics/per-object', DETAILED];

let broker: Broker;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0 }));
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('ref-q');
  ch.sendToQueue('ref-q', Buffer.alloc(500));
  await ch.waitForConfirms();
  await ch.consume('ref-q', () => undefined);
  await conn.close();
});
afterAll(async () => close());

async function warrenTypes(): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  for (const path of PATHS) for (const [name, type] of (await scrape(`http://127.0.0.1:${broker.prometheusPort as number}`, path)).types) types.set(name, type);
  return types;
}

function mismatches(warren: ReadonlyMap<string, string>, reference: ReadonlyMap<string, string>): { shared: number; differ: string[] } {
  const differ: string[] = [];
  let shared = 0;
  for (const [name, type] of warren) {
    const theirs = reference.get(name);
    if (theirs === undefined) continue;
    shared++;
    if (theirs !== type) differ.push(`${name}: Warren ${type}, RabbitMQ ${theirs}`);
  }
  return { shared, differ };
}

describe("metric families' types match RabbitMQ's", () => {
  it('against the recorded RabbitMQ 3.10.8 families', async () => {
    const reference = new Map<string, string>();
    for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const [name, type] = line.split(' ');
      reference.set(name as string, type as string);
    }
    const { shared, differ } = mismatches(await warrenTypes(), reference);
    expect(differ).toEqual([]);
    expect(shared).toBeGreaterThan(60);
  });

  it.skipIf(REFERENCE_URL === undefined)('against the live reference (PROMETHEUS_REFERENCE_URL)', async () => {
    const reference = new Map<string, string>();
    for (const path of PATHS) {
      const res = await fetch(`${REFERENCE_URL as string}${path}`);
      for (const [name, type] of parseExposition(await res.text()).types) reference.set(name, type);
    }
    const { shared, differ } = mismatches(await warrenTypes(), reference);
    expect(differ).toEqual([]);
    expect(shared).toBeGreaterThan(40);
  });
});
