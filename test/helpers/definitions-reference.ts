import amqp from 'amqplib';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Broker } from '../../src/index.js';
import { body, channelError } from './amqp.js';

/** Made by fixtures/definitions/make-rabbitmq-export.sh against Debian's RabbitMQ 3.10.8 (GET /api/definitions). */
export const FIXTURE = new URL('../../fixtures/definitions/rabbitmq-3.10-export.json', import.meta.url);
export const rabbitExport = (): Record<string, unknown> => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;

const url = (b: Broker, user: string, password: string, vhost = '/'): string =>
  `amqp://${user}:${password}@127.0.0.1:${b.port}/${encodeURIComponent(vhost)}`;

async function login(b: Broker, user: string, password: string): Promise<string> {
  try {
    const c = await amqp.connect(url(b, user, password));
    await c.close();
    return 'open';
  } catch (err) {
    return `${(err as { code?: number }).code ?? ''} ${(err as Error).message}`;
  }
}

/** Sorted, so two exports of the same state compare equal whatever order their maps were filled in. */
export function canonical(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) out[k] = Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort() : v;
  return out;
}

/** What the reference topology must look like in Warren after the import, through AMQP and the read model. */
export async function assertReferenceTopology(b: Broker): Promise<void> {
  // Users log in with their passwords, whatever the hash: sha256, sha512, md5; a passwordless one never does.
  expect(await login(b, 'alice', 'alice-pw')).toBe('open');
  expect(await login(b, 'bob', 'bob-pw')).toBe('open');
  expect(await login(b, 'carol', 'carol-pw')).toBe('open');
  expect(await login(b, 'alice', 'bob-pw')).toMatch(/403 .*Login was refused/);
  expect(await login(b, 'dave', '')).not.toBe('open');
  expect(b.users.get('alice')).toMatchObject({ tags: ['management', 'policymaker'], limits: { maxConnections: 5 } });
  expect(b.users.get('dave')).toMatchObject({ passwordless: true, tags: ['administrator', 'ops'] });

  // Permissions refuse what they should: bob may read only, alice's topic permission holds her to alice.*.
  const bob = await amqp.connect(url(b, 'bob', 'bob-pw'));
  const bch = await bob.createChannel();
  const refused = channelError(bch);
  bch.assertQueue('bob.q').catch(() => undefined);
  expect((await refused).code).toBe(403);
  await bob.close();
  const alice = await amqp.connect(url(b, 'alice', 'alice-pw'));
  const ach = await alice.createConfirmChannel();
  ach.publish('amq.topic', 'alice.report', body('mine'));
  await ach.waitForConfirms();
  expect(await ach.get('alice.work', { noAck: true })).toMatchObject({ content: body('mine') });
  const topicRefused = channelError(ach);
  ach.publish('amq.topic', 'bob.report', body('not mine'));
  expect((await topicRefused).code).toBe(403);
  await alice.close();

  // Bindings route: direct, topic, the e2e binding events -> broadcast, headers any/all, the alternate exchange.
  const guest = await amqp.connect(url(b, 'guest', 'guest'));
  const ch = await guest.createConfirmChannel();
  ch.publish('events', 'audit.login', body('e2e'));
  ch.publish('match', '', body('any'), { headers: { type: 'report' } });
  ch.publish('match', '', body('all'), { headers: { format: 'pdf', pages: 10 } });
  ch.publish('with-ae', 'nowhere', body('ae'));
  ch.publish('orders', 'order.created', body('order'));
  await ch.waitForConfirms();
  expect((await ch.get('q.broadcast', { noAck: true }) || undefined)?.content).toEqual(body('e2e'));
  expect((await ch.get('q.match-any', { noAck: true }) || undefined)?.content).toEqual(body('any'));
  expect((await ch.get('q.match-all', { noAck: true }) || undefined)?.content).toEqual(body('all'));
  expect((await ch.get('q.unrouted', { noAck: true }) || undefined)?.content).toEqual(body('ae'));
  expect((await ch.get('q.orders', { noAck: true }) || undefined)?.content).toEqual(body('order'));
  await guest.close();

  // The read model shows what was declared, arguments with their values.
  expect(b.readModel.queue('/', 'q.orders')?.arguments).toEqual({ 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead', 'x-max-length': 100, 'x-message-ttl': 60000 });
  expect(b.readModel.queue('/', 'q.priority')?.arguments).toEqual({ 'x-max-priority': 10 });
  expect(b.readModel.exchange('/', 'internal-x')).toMatchObject({ type: 'topic', internal: true, durable: true });
  expect(b.readModel.exchange('/', 'match')?.type).toBe('headers');
  expect(b.readModel.queue('dev', 'dev-q')?.durable).toBe(true);
  expect(b.vhostMetadata('dev')?.limits).toEqual({ maxConnections: 50, maxQueues: 100 });
  expect(b.permissions.list({ user: 'alice', vhost: '/' })).toEqual([{ user: 'alice', vhost: '/', configure: '^alice\\.', write: '^(amq\\.topic|alice\\..*)$', read: '.*' }]);
}

