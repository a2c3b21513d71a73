import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { connect as natsConnect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { natsServerAvailable, startNatsCluster, type NatsCluster } from '../../helpers/nats-server.js';
import { api, eventually, putBridge, waitForState } from './bridge-helpers.js';

/*
 * The bridge's less travelled paths, with a real nats-server: a routing key that makes no subject
 * under dest-subject-invalid "reject" (dead-lettered by the bridge queue's policy), and a from-nats
 * JetStream consumer that resumes after its nats-server was killed and started again on its store.
 */

const skip = natsServerAvailable() ? undefined : 'nats-server is not installed';
let nats: NatsCluster;
let broker: Broker;
let closeBroker: () => Promise<void>;
let amqp: ChannelModel;
let ch: ConfirmChannel;

beforeAll(async () => {
  if (skip !== undefined) return;
  nats = await startNatsCluster({ size: 1, jetstream: true });
  ({ broker, close: closeBroker } = await openBroker({ managementPort: 0 }));
  const { default: amqplib } = await import('amqplib');
  amqp = await amqplib.connect(broker.url);
  ch = await amqp.createConfirmChannel();
}, 60_000);

afterAll(async () => {
  await amqp?.close();
  await closeBroker?.();
  await nats?.stop();
});

async function natsClient(): Promise<NatsConnection> {
  return natsConnect({ servers: nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

describe.skipIf(skip !== undefined)('nats-bridge edges', () => {
  it('dest-subject-invalid reject: a key that makes no subject is dead-lettered by policy and counted in dropped; good keys go out', async () => {
    const nc = await natsClient();
    try {
      const got: Msg[] = [];
      nc.subscribe('strict.>', { callback: (_err, m) => void got.push(m) });
      await nc.flush();
      await ch.assertExchange('strict', 'topic', { durable: false });
      const { queue: dead } = await ch.assertQueue('strict-dead', { durable: false });
      await ch.bindQueue(dead, 'amq.fanout', '');
      await broker.policies.set('/', 'bridge-dlx', { pattern: '^nats-bridge\\.strict-out$', 'apply-to': 'queues', definition: { 'dead-letter-exchange': 'amq.fanout' } });
      await putBridge(broker, 'strict-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'strict', 'dest-subject': 'strict.{routing_key}', 'dest-subject-invalid': 'reject' });
      await waitForState(broker, 'strict-out', 'running');
      ch.publish('strict', 'a..b', Buffer.from('empty token'));
      ch.publish('strict', 'ok.key', Buffer.from('fine'));
      ch.publish('strict', 'bad key*', Buffer.from('space and star'));
      await ch.waitForConfirms();
      const deadLettered: ConsumeMessage[] = [];
      await ch.consume(dead, (m) => void (m && deadLettered.push(m)), { noAck: true });
      await eventually(() => deadLettered.length === 2 && got.length === 1, 10_000, `dead ${deadLettered.length}, nats ${got.length}`);
      expect(got.map((m) => [m.subject, m.string()])).toEqual([['strict.ok.key', 'fine']]);
      expect(deadLettered.map((m) => m.content.toString()).sort()).toEqual(['empty token', 'space and star']);
      const death = (deadLettered[0]!.properties.headers?.['x-death'] as { reason: string; queue: string }[])[0]!;
      expect(death).toMatchObject({ reason: 'rejected', queue: 'nats-bridge.strict-out' });
      const status = (await api(broker, 'GET', '/api/nats-bridges')).json.find((b: { name: string }) => b.name === 'strict-out');
      expect(status).toMatchObject({ forwarded: 1, dropped: 2 });
      expect(status.last_error).toContain('makes no NATS subject');
    } finally {
      await nc.close();
    }
  });

  it('from-nats through a JetStream consumer resumes after nats-server is killed and started again, losing nothing the stream stored', async () => {
    const nc = await natsClient();
    try {
      const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'RESUME', subjects: ['resume.>'] });
      const js = jetstream(nc);
      const { queue: q } = await ch.assertQueue('resume-in', { durable: true });
      await ch.bindQueue(q, 'amq.direct', 'resume.tick');
      const got: string[] = [];
      await ch.consume(q, (m) => void (m && got.push(m.content.toString())), { noAck: true });
      await putBridge(broker, 'resume-in', { uri: nats.urls, direction: 'from-nats', 'src-subject': 'resume.>', 'src-jetstream-stream': 'RESUME', 'src-jetstream-consumer': 'warren-resume', 'dest-exchange': 'amq.direct', 'reconnect-delay': 0 });
      await waitForState(broker, 'resume-in', 'running');
      for (let i = 0; i < 3; i++) await js.publish('resume.tick', `a${i}`);
      await eventually(() => got.length === 3, 10_000, `got ${got.length} before the kill`);

      await nats.servers[0]!.kill('SIGKILL');
      await waitForState(broker, 'resume-in', 'starting', 15_000);
      await nats.servers[0]!.start();
      // The test's own client reconnects too; a publish may fail while it does.
      for (let i = 0; i < 3; i++) {
        for (let tries = 0; ; tries++) {
          try {
            await js.publish('resume.tick', `b${i}`);
            break;
          } catch (err) {
            if (tries > 40) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }
      await waitForState(broker, 'resume-in', 'running', 20_000);
      await eventually(() => got.filter((b) => b.startsWith('b')).length === 3, 20_000, `got ${JSON.stringify(got)} after the restart`);
      expect(new Set(got)).toEqual(new Set(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']));
    } finally {
      await nc.close();
    }
  }, 90_000);
});
