import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/index.js';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { createLogger } from '../../../src/util/logger.js';
import { roundTrip } from '../../helpers/amqp.js';

const { restart } = restartableBroker('warren-policies-');

describe('policies survive a restart and apply before the first client', () => {
  it('policies and operator policies are recorded; a recovered queue has them in force before anyone connects', async () => {
    let broker = await restart();
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('r.q', { durable: true });
    await ch.assertExchange('r.x', 'direct', { durable: true });
    await broker.policies.set('/', 'r-ae', { pattern: '^r\\.x$', 'apply-to': 'exchanges', definition: { 'alternate-exchange': 'amq.fanout' } });
    await broker.policies.set('/', 'r-len', { pattern: '^r\\.', 'apply-to': 'queues', priority: 2, definition: { 'max-length': 10, 'queue-mode': 'lazy' } });
    await broker.operatorPolicies.set('/', 'r-cap', { pattern: '^r\\.', definition: { 'max-length': 3 } });
    await broker.policies.set('/', 'gone', { pattern: '^r\\.', definition: { 'max-length': 1 } });
    await broker.policies.delete('/', 'gone');
    await conn.close();

    broker = await restart();
    const q = broker.readModel.queue('/', 'r.q'); // no client has connected yet
    expect([q?.policy, q?.operatorPolicy, q?.effectivePolicyDefinition]).toEqual(['r-len', 'r-cap', { 'max-length': 3, 'queue-mode': 'lazy' }]);
    expect(broker.readModel.exchange('/', 'r.x')?.policy).toBe('r-ae');
    expect(broker.policies.list().map((p) => p.name)).toEqual(['r-ae', 'r-len']);
    const c2 = await amqp.connect(broker.url);
    const ch2 = await c2.createChannel();
    for (let i = 0; i < 6; i++) ch2.sendToQueue('r.q', Buffer.from(String(i)), { persistent: true });
    await roundTrip(ch2, 'r.q');
    expect(broker.readModel.queue('/', 'r.q')?.messagesReady).toBe(3);
    await c2.close();

    broker = await restart(); // the log was compacted at the last start: the policies are in the compacted file too
    expect(broker.readModel.queue('/', 'r.q')?.operatorPolicy).toBe('r-cap');
    expect(broker.policies.list().map((p) => p.name)).toEqual(['r-ae', 'r-len']);
  });

  it('the policies options seed a new data directory only; a bad one stops the start with a ConfigError', async () => {
    const seeded = { vhost: '/', name: 'seeded', pattern: '^s', definition: { 'message-ttl': 5000 } };
    let broker = await restart({ policies: [seeded], operatorPolicies: [{ ...seeded, name: 'op', definition: { 'max-length': 7 } }] });
    expect(broker.policies.get('/', 'seeded')).toEqual({ vhost: '/', name: 'seeded', pattern: '^s', 'apply-to': 'all', priority: 0, definition: { 'message-ttl': 5000 } });
    expect(broker.operatorPolicies.get('/', 'op')?.definition).toEqual({ 'max-length': 7 });
    await broker.policies.delete('/', 'seeded');
    broker = await restart({ policies: [{ ...seeded, name: 'other' }] });
    expect(broker.policies.list()).toEqual([]); // the log is the truth after the first start
    expect(broker.operatorPolicies.list().map((p) => p.name)).toEqual(['op']);
  });

  it('a configured policy RabbitMQ would refuse is a ConfigError naming the policy', async () => {
    await expect(restart({ policies: [{ vhost: '/', name: 'bad', pattern: '', definition: { 'max-length': -1 } }] })).rejects.toThrow(ConfigError);
    await expect(restart({ policies: [{ vhost: '/', name: 'bad', pattern: '', definition: { 'max-length': -1 } }] })).rejects.toThrow(
      "policies: policy 'bad': Validation failed: -1 is not a valid maximum length",
    );
  });

  it("a deleted vhost's policies go with it, also in the log", async () => {
    let broker = await restart();
    await broker.createVhost('v2');
    await broker.policies.set('v2', 'p', { pattern: '', definition: { 'max-length': 1 } });
    expect(broker.policies.list('v2')).toHaveLength(1);
    await broker.deleteVhost('v2');
    await broker.createVhost('v2');
    expect(broker.policies.list('v2')).toEqual([]);
    broker = await restart();
    expect(broker.policies.list()).toEqual([]);
  });

  it('keys that mean nothing in Warren are accepted, kept in the definition, and named in the log', async () => {
    const { lines, sink } = jsonLogSink();
    const broker = await restart({ logger: createLogger('info', sink) });
    await broker.policies.set('/', 'mirrored', { pattern: '', definition: { 'ha-mode': 'all', 'queue-version': 2, 'max-length': 5 } });
    expect(broker.policies.get('/', 'mirrored')?.definition).toEqual({ 'ha-mode': 'all', 'max-length': 5, 'queue-version': 2 });
    const line = lines.find((l) => l['event'] === 'policy.keys-ignored');
    expect(line?.['keys']).toEqual(['ha-mode', 'queue-version']);
    expect(line?.['msg']).toBe("policy 'mirrored' in vhost '/': ha-mode, queue-version accepted and ignored (they mean nothing in Warren)");
  });
});
