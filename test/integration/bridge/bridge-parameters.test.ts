import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { natsServerAvailable, startNatsCluster, type NatsCluster } from '../../helpers/nats-server.js';
import { api, putBridge, waitForState } from './bridge-helpers.js';

/*
 * The nats-bridge runtime parameter as the management API and the definitions see it: refused values
 * (400 with a reason), durable across a restart, exported and imported under "parameters".
 */

const skip = natsServerAvailable() ? undefined : 'nats-server is not installed';
let nats: NatsCluster;

beforeAll(async () => {
  if (skip !== undefined) return;
  nats = await startNatsCluster({ size: 1, jetstream: false });
}, 60_000);

afterAll(async () => {
  await nats?.stop();
});

const good = (): Record<string, unknown> => ({ uri: nats.urls, direction: 'to-nats', 'src-exchange': 'amq.topic' });

describe('nats-bridge values refused with 400 and a reason', () => {
  let broker: Broker;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ broker, close } = await openBroker({ managementPort: 0 }));
  });
  afterAll(async () => close?.());

  const cases: [string, unknown, string][] = [
    ['not an object', 'nats://x', 'value must be a JSON object'],
    ['no direction', { uri: 'nats://127.0.0.1:4222' }, 'direction must be "to-nats" or "from-nats"'],
    ['an unknown key', { uri: 'nats://127.0.0.1:4222', direction: 'to-nats', 'src-exchange': 'x', 'src-queue': 'q' }, "unknown key 'src-queue' for direction to-nats"],
    ['a key of the other direction', { uri: 'nats://127.0.0.1:4222', direction: 'from-nats', 'src-subject': 'a', 'dest-exchange': 'x', 'dest-subject': 'b' }, "unknown key 'dest-subject'"],
    ['no uri', { direction: 'to-nats', 'src-exchange': 'x' }, 'uri must be a nats:// URL'],
    ['an amqp uri', { uri: 'amqp://localhost', direction: 'to-nats', 'src-exchange': 'x' }, "uri 'amqp://localhost': the scheme must be nats:// or tls://"],
    ['no src-exchange', { uri: 'nats://h:4222', direction: 'to-nats' }, 'src-exchange is required'],
    ['prefetch-count 0', { uri: 'nats://h:4222', direction: 'to-nats', 'src-exchange': 'x', 'prefetch-count': 0 }, 'prefetch-count must be an integer from 1 to 65535, got 0'],
    ['a bad placeholder', { uri: 'nats://h:4222', direction: 'to-nats', 'src-exchange': 'x', 'dest-subject': 'a.{key}' }, 'dest-subject: unknown placeholder {key}'],
    ['dest-subject-invalid', { uri: 'nats://h:4222', direction: 'to-nats', 'src-exchange': 'x', 'dest-subject-invalid': 'drop' }, 'dest-subject-invalid must be "replace" or "reject"'],
    ['a subject with a space', { uri: 'nats://h:4222', direction: 'from-nats', 'src-subject': 'a b', 'dest-exchange': 'x' }, "src-subject 'a b' is not a NATS subject"],
    ['> not last (reasons are HTML-escaped, as RabbitMQ escapes them)', { uri: 'nats://h:4222', direction: 'from-nats', 'src-subject': 'a.>.b', 'dest-exchange': 'x' }, "src-subject 'a.&gt;.b' is not a NATS subject"],
    ['a stream without a consumer', { uri: 'nats://h:4222', direction: 'from-nats', 'src-subject': 'a', 'dest-exchange': 'x', 'src-jetstream-stream': 'S' }, 'src-jetstream-stream and src-jetstream-consumer go together'],
    ['dest-delivery-mode 3', { uri: 'nats://h:4222', direction: 'from-nats', 'src-subject': 'a', 'dest-exchange': 'x', 'dest-delivery-mode': 3 }, 'dest-delivery-mode must be 1 or 2, got 3'],
  ];
  it.each(cases)('%s', async (_what, value, reason) => {
    const res = await api(broker, 'PUT', '/api/parameters/nats-bridge/%2F/b', { value });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('bad_request');
    expect(res.json.reason).toContain('Validation failed');
    expect(res.json.reason).toContain(reason);
    expect((await api(broker, 'GET', '/api/parameters/nats-bridge')).json).toEqual([]);
  });

  it('an unknown component is refused as RabbitMQ refuses it; an unknown vhost is 404', async () => {
    const res = await api(broker, 'PUT', '/api/parameters/shovel/%2F/s', { value: {} });
    expect(res.status).toBe(400);
    expect(res.json.reason).toBe('Validation failed\n\ncomponent shovel not found\n');
    expect((await api(broker, 'PUT', '/api/parameters/nats-bridge/nope/b', { value: { direction: 'to-nats' } })).status).toBe(404);
  });
});

describe.skipIf(skip !== undefined)('nats-bridge parameter durability and definitions', () => {
  const { restart } = restartableBroker('warren-bridge-', { managementPort: 0 });

  it('survives a restart, is in the definitions export, and goes with DELETE (its queue too)', async () => {
    let broker = await restart();
    await putBridge(broker, 'keep', { ...good(), 'src-exchange-key': 'a.#' });
    await waitForState(broker, 'keep', 'running');
    expect(broker.vhosts.get('/')!.queues.get('nats-bridge.keep')?.options.durable).toBe(true);
    broker = await restart();
    broker = await restart(); // twice: the second start reads what the first one's compaction kept
    const one = await api(broker, 'GET', '/api/parameters/nats-bridge/%2F/keep');
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ value: { ...good(), 'src-exchange-key': 'a.#' }, vhost: '/', component: 'nats-bridge', name: 'keep' });
    await waitForState(broker, 'keep', 'running');
    const rows = (await api(broker, 'GET', '/api/nats-bridges/%2F')).json;
    expect(rows).toEqual([{ name: 'keep', vhost: '/', type: 'dynamic', direction: 'to-nats', state: 'running', forwarded: 0, dropped: 0 }]);
    const all = (await api(broker, 'GET', '/api/definitions')).json;
    expect(all.parameters).toContainEqual({ value: { ...good(), 'src-exchange-key': 'a.#' }, vhost: '/', component: 'nats-bridge', name: 'keep' });
    const perVhost = (await api(broker, 'GET', '/api/definitions/%2F')).json;
    expect(perVhost.parameters).toContainEqual({ value: { ...good(), 'src-exchange-key': 'a.#' }, component: 'nats-bridge', name: 'keep' });
    expect((await api(broker, 'DELETE', '/api/parameters/nats-bridge/%2F/keep')).status).toBe(204);
    expect(broker.vhosts.get('/')!.queues.has('nats-bridge.keep')).toBe(false);
    broker = await restart();
    expect((await api(broker, 'GET', '/api/parameters/nats-bridge/%2F/keep')).status).toBe(404);
    expect((await api(broker, 'GET', '/api/nats-bridges')).json).toEqual([]);
  });

  it('is imported from a definitions document, and a bad value refuses the whole import', async () => {
    const broker = await restart();
    const doc = { parameters: [{ value: good(), vhost: '/', component: 'nats-bridge', name: 'imported' }] };
    const bad = { parameters: [{ value: { ...good(), direction: 'sideways' }, vhost: '/', component: 'nats-bridge', name: 'bad' }], queues: [{ name: 'q', vhost: '/', durable: true, auto_delete: false, arguments: {} }] };
    const refused = await api(broker, 'POST', '/api/definitions', bad);
    expect(refused.status).toBe(400);
    expect(refused.json.reason).toContain('direction must be "to-nats" or "from-nats"');
    expect(broker.vhosts.get('/')!.queues.has('q')).toBe(false);
    expect((await api(broker, 'POST', '/api/definitions', doc)).status).toBe(204);
    await waitForState(broker, 'imported', 'running');
    expect((await api(broker, 'GET', '/api/parameters/nats-bridge/%2F')).json).toEqual([{ value: good(), vhost: '/', component: 'nats-bridge', name: 'imported' }]);
  });

  it('goes with its vhost', async () => {
    const broker = await restart();
    expect((await api(broker, 'PUT', '/api/vhosts/v2', {})).status).toBe(201);
    await putBridge(broker, 'v2-out', good(), 'v2');
    await waitForState(broker, 'v2-out', 'running');
    expect((await api(broker, 'DELETE', '/api/vhosts/v2')).status).toBe(204);
    expect((await api(broker, 'GET', '/api/nats-bridges')).json).toEqual([]);
    expect((await api(broker, 'PUT', '/api/vhosts/v2', {})).status).toBe(201);
    expect((await api(broker, 'GET', '/api/parameters/nats-bridge')).json).toEqual([]);
    const again = await restart();
    expect((await api(again, 'GET', '/api/parameters/nats-bridge')).json).toEqual([]);
  });

  it('a to-nats bridge on a missing exchange is terminated with the reason, and starts once the exchange is there', async () => {
    const broker = await restart();
    await putBridge(broker, 'early', { ...good(), 'src-exchange': 'later', 'reconnect-delay': 1 });
    await waitForState(broker, 'early', 'terminated');
    const [row] = (await api(broker, 'GET', '/api/nats-bridges')).json;
    expect(row.reason).toBe("NOT_FOUND - no exchange 'later' in vhost '/'");
    broker.vhosts.get('/')!.declareExchange({ name: 'later', type: 'topic', passive: false, durable: true, autoDelete: false, internal: false, arguments: {} });
    await waitForState(broker, 'early', 'running', 10_000);
  });
});
