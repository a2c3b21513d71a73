import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterNodes, publishConfirmed, until } from '../../helpers/cluster-nodes.js';
import { natsServerAvailable } from '../../helpers/nats-server.js';

/*
 * Quorum queues on JetStream: three nats-servers (one NATS cluster) and three Warren nodes. A quorum
 * queue declared on one node is one subject of its vhost's R3 stream with a durable consumer; a
 * publish on any node is confirmed after JetStream's PubAck, consumers on any node compete for it.
 */

const skip = natsServerAvailable() ? undefined : 'nats-server is not installed';
const ACK_WAIT_MS = 2000;
const cluster = new ClusterNodes('quorum', ['--cluster-quorum-ack-wait', String(ACK_WAIT_MS)]);
const QUORUM = { 'x-queue-type': 'quorum' };

async function consumer(node: string, queue: string, prefetch: number, noAck = false): Promise<{ ch: ConfirmChannel; got: ConsumeMessage[] }> {
  const ch = await cluster.channel(node);
  await ch.prefetch(prefetch);
  const got: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => void (m && got.push(m)), { noAck });
  return { ch, got };
}

beforeAll(async () => {
  if (skip !== undefined) return;
  await cluster.start(['a', 'b', 'c']);
}, 180_000);

afterAll(async () => {
  await cluster.stop();
});

describe.skipIf(skip !== undefined)('quorum queues on JetStream', () => {
  it('declared on a, published on b with confirms, consumed on c: in order, properties kept, the stream has 3 replicas', async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-basic', { durable: true, arguments: QUORUM });
    await cluster.known('b', 'qq-basic');
    await cluster.known('c', 'qq-basic');
    const onB = await cluster.channel('b');
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => publishConfirmed(onB, '', 'qq-basic', `m${i}`, { persistent: true, messageId: `id-${i}`, headers: { n: i }, contentType: 'text/plain' })),
    );
    expect(outcomes.every((o) => o === 'ack')).toBe(true);

    const nc = await connect({ servers: cluster.nats.urls.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      const streams = await jsm.streams.list().next();
      const stream = streams.find((s) => s.config.name.startsWith('WARREN_Q_'));
      expect(stream?.config.num_replicas).toBe(3);
      expect(stream?.config.retention).toBe('workqueue');
      expect(stream?.state.messages).toBe(300); // confirmed: in the stream, on a majority of the servers
    } finally {
      await nc.close();
    }

    const { ch, got } = await consumer('c', 'qq-basic', 10);
    await until(() => got.length === 10, 'the first 10');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(10); // prefetch holds
    for (let n = 0; n < 300; n++) {
      await until(() => got.length > n, `message ${n}`);
      ch.ack(got[n]!);
    }
    expect(got.map((m) => m.content.toString())).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
    expect(got[7]!.properties).toMatchObject({ messageId: 'id-7', contentType: 'text/plain', deliveryMode: 2, headers: { n: 7 } });
    expect(got[7]!.fields).toMatchObject({ exchange: '', routingKey: 'qq-basic', redelivered: false });
    await ch.close();
  }, 90_000);

  it('consumers on two nodes compete; acked messages leave the stream (nothing comes back)', async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-compete', { durable: true, arguments: QUORUM });
    await cluster.known('b', 'qq-compete');
    await cluster.known('c', 'qq-compete');
    const onB = await cluster.channel('b');
    const onC = await cluster.channel('c');
    await onB.prefetch(5);
    await onC.prefetch(5);
    const seen: { node: string; body: string }[] = [];
    const take = (ch: ConfirmChannel, node: string) => (m: ConsumeMessage | null) => {
      if (m === null) return;
      seen.push({ node, body: m.content.toString() });
      setTimeout(() => ch.ack(m), 5); // slow enough that both get work
    };
    await onB.consume('qq-compete', take(onB, 'b'));
    await onC.consume('qq-compete', take(onC, 'c'));
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => publishConfirmed(onA, '', 'qq-compete', `c${i}`)));
    expect(acks.every((o) => o === 'ack')).toBe(true);
    await until(() => seen.length >= 200, 'all 200 consumed', 20_000);
    await new Promise((r) => setTimeout(r, ACK_WAIT_MS + 500)); // nothing is redelivered after AckWait
    expect(seen).toHaveLength(200);
    expect(new Set(seen.map((s) => s.body)).size).toBe(200);
    expect(seen.filter((s) => s.node === 'b').length).toBeGreaterThan(10);
    expect(seen.filter((s) => s.node === 'c').length).toBeGreaterThan(10);
  }, 60_000);

  it("what is beyond one node's prefetch stays in the stream for consumers on other nodes", async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-room', { durable: true, arguments: QUORUM });
    for (let i = 0; i < 100; i++) onA.sendToQueue('qq-room', Buffer.from(`r${i}`));
    await onA.waitForConfirms();
    await cluster.known('b', 'qq-room');
    await cluster.known('c', 'qq-room');
    const holder = await consumer('b', 'qq-room', 5); // never acks
    await until(() => holder.got.length === 5, 'five on b');
    const other = await consumer('c', 'qq-room', 200, true);
    await until(() => other.got.length === 95, 'the other 95 on c', 15_000);
    expect(holder.got).toHaveLength(5);
    expect(other.got.map((m) => m.content.toString())).toEqual(Array.from({ length: 95 }, (_, i) => `r${i + 5}`));
  }, 60_000);

  it('a requeue comes back first, flagged redelivered; a closed channel returns what it held to consumers on another node', async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-requeue', { durable: true, arguments: QUORUM });
    for (let i = 0; i < 5; i++) expect(await publishConfirmed(onA, '', 'qq-requeue', `q${i}`)).toBe('ack');
    await cluster.known('c', 'qq-requeue');
    const { ch, got } = await consumer('c', 'qq-requeue', 1);
    await until(() => got.length === 1, 'the first');
    expect(got[0]!.fields.redelivered).toBe(false);
    ch.nack(got[0]!, false, true);
    await until(() => got.length === 2, 'the requeued one again');
    expect([got[1]!.content.toString(), got[1]!.fields.redelivered]).toEqual(['q0', true]);
    ch.ack(got[1]!);
    await until(() => got.length === 3, 'the next');
    expect([got[2]!.content.toString(), got[2]!.fields.redelivered]).toEqual(['q1', false]);
    await ch.close(); // q1 unacked: back to the stream
    await cluster.known('b', 'qq-requeue');
    const rest = await consumer('b', 'qq-requeue', 10, true);
    await until(() => rest.got.length === 4, 'q1..q4 on b');
    expect(rest.got.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['q1', true], ['q2', false], ['q3', false], ['q4', false]]);
  }, 60_000);

  it('x-delivery-limit: past it the message is dead-lettered with x-death (delivery_limit); a reject without requeue is dead-lettered (rejected)', async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-dlq', { durable: true, arguments: QUORUM });
    await onA.assertQueue('qq-limited', {
      durable: true,
      arguments: { ...QUORUM, 'x-delivery-limit': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qq-dlq' },
    });
    await cluster.known('b', 'qq-limited');
    await cluster.known('c', 'qq-limited');
    const onB = await cluster.channel('b');
    expect(await publishConfirmed(onB, '', 'qq-limited', 'limited', { headers: { h: 1 } })).toBe('ack');
    const { ch, got } = await consumer('c', 'qq-limited', 1);
    await until(() => got.length === 1, 'first delivery');
    expect(got[0]!.properties.headers?.['x-delivery-count']).toBeUndefined();
    ch.nack(got[0]!, false, true);
    await until(() => got.length === 2, 'second delivery');
    expect(got[1]!.fields.redelivered).toBe(true);
    expect(got[1]!.properties.headers?.['x-delivery-count']).toBe(1);
    ch.nack(got[1]!, false, true); // the second return: past the limit of 1
    expect(await publishConfirmed(onB, '', 'qq-limited', 'rejected')).toBe('ack');
    await until(() => got.length === 3, 'the next message');
    expect(got[2]!.content.toString()).toBe('rejected');
    ch.reject(got[2]!, false);

    const dead = await consumer('a', 'qq-dlq', 10, true);
    await until(() => dead.got.length === 2, 'both dead-lettered');
    const [first, second] = dead.got;
    expect(first!.content.toString()).toBe('limited');
    expect(first!.properties.headers?.['h']).toBe(1);
    expect(first!.properties.headers?.['x-death']).toMatchObject([{ count: 1, reason: 'delivery_limit', queue: 'qq-limited', exchange: '', 'routing-keys': ['qq-limited'] }]);
    expect(first!.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
    expect(second!.content.toString()).toBe('rejected');
    expect(second!.properties.headers?.['x-death']).toMatchObject([{ count: 1, reason: 'rejected', queue: 'qq-limited' }]);
    await new Promise((r) => setTimeout(r, ACK_WAIT_MS + 500));
    expect(got.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['limited', false], ['limited', true], ['rejected', false]]);
    expect(got).toHaveLength(3); // terminated in the stream: neither comes back
    expect(dead.got).toHaveLength(2); // and neither is dead-lettered twice
  }, 60_000);

  it('a quorum queue deleted on one node: consumers on others are cancelled, its messages go; declared again it starts empty', async () => {
    const onA = await cluster.channel('a');
    await onA.assertQueue('qq-delete', { durable: true, arguments: QUORUM });
    for (let i = 0; i < 5; i++) expect(await publishConfirmed(onA, '', 'qq-delete', `d${i}`)).toBe('ack');
    await cluster.known('c', 'qq-delete');
    const onC = await cluster.channel('c');
    await onC.prefetch(1);
    let cancelled = false;
    const got: string[] = [];
    await onC.consume('qq-delete', (m) => {
      if (m === null) cancelled = true;
      else got.push(m.content.toString());
    });
    await until(() => got.length === 1, 'one on c');
    await onA.deleteQueue('qq-delete');
    await until(() => cancelled, 'basic.cancel on c', 15_000);
    await onA.assertQueue('qq-delete', { durable: true, arguments: QUORUM });
    expect(await publishConfirmed(onA, '', 'qq-delete', 'fresh')).toBe('ack');
    const onB = await cluster.channel('b');
    await cluster.known('b', 'qq-delete');
    const fresh: string[] = [];
    await onB.consume('qq-delete', (m) => void (m && fresh.push(m.content.toString())), { noAck: true });
    await until(() => fresh.length >= 1, 'the fresh message on b');
    await new Promise((r) => setTimeout(r, 500));
    expect(fresh).toEqual(['fresh']);
  }, 60_000);
});
