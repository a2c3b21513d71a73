import { describe, expect, it } from 'vitest';
import { tableFromJs } from '../../../src/protocol/field-table.js';
import { ManualClock } from '../../../src/util/manual-clock.js';
import { duplexConnection } from '../../helpers/duplex-connection.js';
import type { RawClient } from '../../helpers/raw-client.js';

/**
 * The consumer timeout (RabbitMQ's delivery acknowledgement timeout) on the broker's clock: a
 * connection over a Duplex pair, a raw client, and a ManualClock that the test advances. Nothing
 * here waits for time to pass; each step is exact to the millisecond.
 */

const TEXT = (ms: number): string =>
  `PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: ${ms} ms. This timeout value can be configured, see consumers doc guide to learn more`;

async function consuming(consumerTimeout: number, queueArgs: Record<string, unknown> = {}): Promise<{ clock: ManualClock; client: RawClient }> {
  const clock = new ManualClock();
  const { client } = duplexConnection({ clock, config: { consumerTimeout } });
  await client.handshake({ user: 'unit', password: 'secret' });
  await client.openChannel(1);
  await client.openChannel(2);
  client.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: tableFromJs(queueArgs) });
  await client.waitMethod('queue.declare-ok', 1);
  client.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: 'q', consumerTag: 'c', noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} });
  await client.waitMethod('basic.consume-ok', 1);
  return { clock, client };
}

/** Publishes on channel 2 and waits for its delivery on channel 1; its delivery tag. */
async function deliverOne(client: RawClient, body: string): Promise<number> {
  const from = client.frames.length;
  client.publish(2, '', 'q', Buffer.from(body));
  const f = await client.waitFor((x) => x.kind === 'method' && x.method.name === 'basic.deliver', `delivery of ${body}`, 5000, from);
  return f.kind === 'method' && f.method.name === 'basic.deliver' ? f.method.deliveryTag : -1;
}

/** A round trip on channel 2: whatever channel 1 was sent before it has arrived. */
async function roundTrip(client: RawClient): Promise<void> {
  const from = client.frames.length;
  client.sendMethod(2, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 0, global: false });
  await client.waitFor((x) => x.kind === 'method' && x.channel === 2 && x.method.name === 'basic.qos-ok', 'qos-ok', 5000, from);
}

function channelCloses(client: RawClient): string[] {
  return client.frames.flatMap((f) => (f.kind === 'method' && f.method.name === 'channel.close' ? [`${f.channel} ${f.method.replyCode} ${f.method.replyText}`] : []));
}

async function messageCount(client: RawClient): Promise<number> {
  client.sendMethod(2, { name: 'queue.declare', ticket: 0, queue: 'q', passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
  return (await client.waitMethod('queue.declare-ok', 2)).messageCount;
}

describe('consumer timeout on the broker clock', () => {
  it('closes the channel with 406 one millisecond after the timeout, not at it, and requeues the delivery', async () => {
    const { clock, client } = await consuming(60_000);
    await deliverOne(client, 'held');
    clock.advance(60_000); // exactly the timeout: not yet (RabbitMQ: delivered_at < now - timeout)
    await roundTrip(client);
    expect(channelCloses(client)).toEqual([]);
    clock.advance(1);
    const close = await client.waitMethod('channel.close', 1);
    expect(`1 ${close.replyCode} ${close.replyText}`).toBe(`1 406 ${TEXT(60_000)}`);
    expect([close.classId, close.methodId]).toEqual([0, 0]);
    client.sendMethod(1, { name: 'channel.close-ok' });
    expect(await messageCount(client)).toBe(1);
    await client.close();
  });

  it('an ack moves the deadline to the next oldest delivery', async () => {
    const { clock, client } = await consuming(60_000);
    const first = await deliverOne(client, 'first');
    clock.advance(40_000);
    await deliverOne(client, 'second'); // delivered at +40 s: due after +100 s
    client.sendMethod(1, { name: 'basic.ack', deliveryTag: first, multiple: false });
    await roundTrip(client);
    clock.advance(60_000); // +100 s: the first would have timed out at +60 s, the second is at its limit
    await roundTrip(client);
    expect(channelCloses(client)).toEqual([]);
    clock.advance(1);
    await client.waitMethod('channel.close', 1);
    expect(channelCloses(client)).toEqual([`1 406 ${TEXT(60_000)}`]);
    await client.close();
  });

  it("a queue's x-consumer-timeout overrides the broker's, and 0 turns the check off", async () => {
    const short = await consuming(60_000, { 'x-consumer-timeout': 5000 });
    await deliverOne(short.client, 'held');
    short.clock.advance(5001);
    await short.client.waitMethod('channel.close', 1);
    expect(channelCloses(short.client)).toEqual([`1 406 ${TEXT(5000)}`]);
    await short.client.close();

    const off = await consuming(0);
    await deliverOne(off.client, 'held');
    expect(off.clock.pending).toBe(0); // no timer armed for it
    off.clock.advance(24 * 3600_000);
    await roundTrip(off.client);
    expect(channelCloses(off.client)).toEqual([]);
    await off.client.close();
  });

  it('an acknowledged channel leaves no timer behind, and a closed one cancels its timer', async () => {
    const { clock, client } = await consuming(60_000);
    const tag = await deliverOne(client, 'acked');
    expect(clock.pending).toBe(1);
    client.sendMethod(1, { name: 'basic.ack', deliveryTag: tag, multiple: false });
    await roundTrip(client);
    clock.advance(60_001); // fires, finds nothing unacknowledged, stays unarmed
    expect(clock.pending).toBe(0);
    await deliverOne(client, 'unacked');
    expect(clock.pending).toBe(1);
    client.sendMethod(1, { name: 'channel.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
    await client.waitMethod('channel.close-ok', 1);
    expect(clock.pending).toBe(0);
    await client.close();
  });
});
