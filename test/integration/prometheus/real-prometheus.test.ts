/**
 * Debian's prometheus scrapes a Warren that carries traffic (scrape_interval 1s), and its HTTP API answers
 * the queries RabbitMQ's Grafana dashboards run, the RabbitMQ-Overview join on rabbitmq_identity_info
 * included. One Prometheus per suite; without /usr/bin/prometheus the suite fails (CI installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { PROMETHEUS } from './support.js';

interface VectorResult {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

let broker: Broker;
let closeBroker: () => Promise<void>;
let prometheus: ChildProcess | undefined;
let api: string;
let log = '';
const dir = mkdtempSync(join(tmpdir(), 'warren-prometheus-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function query(promql: string): Promise<readonly VectorResult[]> {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: VectorResult[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? body.status}`);
  return body.data.result;
}

/** Polls the query until it returns a series (Prometheus needs a scrape or two first); the result. */
async function eventuallyData(promql: string, timeoutMs = 30_000): Promise<readonly VectorResult[]> {
  const start = Date.now();
  for (;;) {
    const result = await query(promql);
    if (result.length > 0) return result;
    if (Date.now() - start > timeoutMs) throw new Error(`no data for ${promql} after ${timeoutMs} ms; prometheus log:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (.ci/run does)`);
  ({ broker, close: closeBroker } = await openBroker({ prometheusPort: 0, nodeName: 'warren@prometheus-test' }));
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('dashboard');
  for (let i = 0; i < 3; i++) ch.sendToQueue('dashboard', Buffer.from('hello'));
  await ch.waitForConfirms();
  await conn.close();
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const target = `127.0.0.1:${broker.prometheusPort as number}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: rabbitmq',
      `    static_configs: [{ targets: ['${target}'] }]`,
      '  - job_name: rabbitmq-per-object',
      '    metrics_path: /metrics/per-object',
      `    static_configs: [{ targets: ['${target}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stdout?.setEncoding('utf8').on('data', (c: string) => (log += c));
  prometheus.stderr?.setEncoding('utf8').on('data', (c: string) => (log += c));
  const start = Date.now();
  for (;;) {
    const ready = await fetch(`${api}/-/ready`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (prometheus.exitCode !== null || Date.now() - start > 30_000) throw new Error(`prometheus did not become ready:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);

afterAll(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus?.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await closeBroker?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('a real Prometheus scraping Warren', () => {
  it('scrapes both endpoints successfully', async () => {
    // Each job's first scrape comes at its own offset within the interval: both are up within a few.
    const up = await eventuallyData('count(up == 1) == 2');
    expect(Number(up[0]?.value[1])).toBe(2);
    const jobs = await query('up == 1');
    expect(new Set(jobs.map((r) => r.metric['job']))).toEqual(new Set(['rabbitmq', 'rabbitmq-per-object']));
    expect(await query('up == 0')).toEqual([]);
  }, 40_000);

  it('has the identity, totals, churn, global and node series', async () => {
    const identity = await eventuallyData('rabbitmq_identity_info{job="rabbitmq"}');
    expect(identity[0]?.metric).toMatchObject({ rabbitmq_node: 'warren@prometheus-test', rabbitmq_cluster: 'warren@prometheus-test', rabbitmq_endpoint: 'aggregated' });
    for (const series of [
      'rabbitmq_build_info',
      'rabbitmq_queues',
      'rabbitmq_connections',
      'rabbitmq_channels',
      'rabbitmq_consumers',
      'rabbitmq_connections_opened_total',
      'rabbitmq_queues_created_total',
      'rabbitmq_global_messages_received_total{protocol="amqp091"}',
      'rabbitmq_global_publishers',
      'rabbitmq_process_resident_memory_bytes',
      'rabbitmq_resident_memory_limit_bytes',
      'rabbitmq_disk_space_available_bytes',
      'rabbitmq_process_open_fds',
      'rabbitmq_erlang_uptime_seconds',
      'rabbitmq_message_size_bytes_bucket',
    ]) {
      expect((await eventuallyData(`${series}`)).length, series).toBeGreaterThan(0);
    }
    const received = await eventuallyData('rabbitmq_global_messages_received_total{job="rabbitmq"}');
    expect(Number(received[0]?.value[1])).toBe(3);
    const p = await eventuallyData('histogram_quantile(0.5, sum by (le) (rabbitmq_message_size_bytes_bucket{job="rabbitmq"}))');
    expect(Number(p[0]?.value[1])).toBeLessThanOrEqual(100);
  }, 40_000);

  it("answers the RabbitMQ-Overview dashboard's join on rabbitmq_identity_info", async () => {
    const joined = await eventuallyData('rabbitmq_queue_messages_ready * on(instance, job) group_left(rabbitmq_cluster, rabbitmq_node) rabbitmq_identity_info');
    const aggregated = joined.find((r) => r.metric['job'] === 'rabbitmq');
    expect(aggregated?.metric).toMatchObject({ rabbitmq_cluster: 'warren@prometheus-test', rabbitmq_node: 'warren@prometheus-test' });
    expect(Number(aggregated?.value[1])).toBe(3);
    const perQueue = await eventuallyData('rabbitmq_queue_messages_ready{job="rabbitmq-per-object", queue="dashboard"} * on(instance, job) group_left(rabbitmq_cluster, rabbitmq_node) rabbitmq_identity_info');
    expect(perQueue[0]?.metric).toMatchObject({ vhost: '/', queue: 'dashboard', rabbitmq_node: 'warren@prometheus-test' });
    expect(Number(perQueue[0]?.value[1])).toBe(3);
    // The Overview's "Messages published / s" panel: a rate over the channel counter, joined the same way.
    const rate = await eventuallyData('sum(rate(rabbitmq_channel_messages_published_total[5s]) * on(instance, job) group_left(rabbitmq_cluster, rabbitmq_node) rabbitmq_identity_info) by (rabbitmq_node)');
    expect(rate[0]?.metric['rabbitmq_node']).toBe('warren@prometheus-test');
  }, 40_000);
});
