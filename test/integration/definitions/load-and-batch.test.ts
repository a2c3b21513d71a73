import amqp from 'amqplib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { withBroker } from '../../helpers/broker.js';
import { countFsyncs } from '../../helpers/fsync-counter.js';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { FIXTURE } from '../../helpers/definitions-reference.js';

const { restart } = restartableBroker('warren-load-defs-');

async function canLogin(b: Broker, user: string, password: string): Promise<boolean> {
  try {
    await (await amqp.connect(`amqp://${user}:${password}@127.0.0.1:${b.port}`)).close();
    return true;
  } catch {
    return false;
  }
}

function bulk(queues: number): Record<string, unknown> {
  return {
    exchanges: [{ name: 'bulk', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
    queues: Array.from({ length: queues }, (_, i) => ({ name: `q${i}`, vhost: '/', durable: true, auto_delete: false, arguments: {} })),
    bindings: Array.from({ length: queues }, (_, i) => ({ source: 'bulk', vhost: '/', destination: `q${i}`, destination_type: 'queue', routing_key: `k.${i}`, arguments: {} })),
  };
}

describe('loadDefinitions', () => {
  it('imports the file at start and never overwrites: a changed password stays, a deleted queue comes back', async () => {
    const loadDefinitions = fileURLToPath(FIXTURE);
    let b = await restart({ loadDefinitions });
    expect(b.readModel.queue('/', 'q.orders')).toBeDefined();
    expect(await canLogin(b, 'alice', 'alice-pw')).toBe(true);
    await b.users.put({ name: 'alice', password: 'changed', tags: ['management'] });
    await b.permissions.set({ user: 'bob', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    b.readModel.deleteQueue('/', 'q.events');
    b = await restart({ loadDefinitions });
    expect(await canLogin(b, 'alice', 'changed')).toBe(true);
    expect(await canLogin(b, 'alice', 'alice-pw')).toBe(false);
    expect(b.users.get('alice')?.tags).toEqual(['management']);
    expect(b.permissions.list({ user: 'bob', vhost: '/' })[0]?.configure).toBe('.*');
    // As RabbitMQ, which imports its load_definitions at every boot: what is missing is created again.
    expect(b.readModel.queue('/', 'q.events')).toBeDefined();
  });

  it('a file that does not import stops the start with the file and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-bad-defs-'));
    try {
      const file = join(dir, 'defs.json');
      writeFileSync(file, JSON.stringify({ queues: [{ name: 'q', vhost: 'nope', durable: true, auto_delete: false, arguments: {} }] }));
      await expect(startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: join(dir, 'data'), logger: silentLogger(), loadDefinitions: file })).rejects.toThrow(
        `loadDefinitions (--load-definitions): ${file} was not imported: queue 'q' in vhost 'nope': no vhost 'nope'`,
      );
      // The data directory was released: a broker starts on it without the file.
      const b = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: join(dir, 'data'), logger: silentLogger() });
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('batched import', () => {
  it('writes 2,000 queues and 2,000 bindings with one fsync, however often it yields', async () => {
    const fsyncs = countFsyncs();
    try {
      await withBroker(async (b) => {
        await b.updateVhost('/', {}); // the start's own records are on disk
        const before = fsyncs.count();
        const summary = await b.definitions.import(bulk(2000));
        expect(summary).toMatchObject({ queues: 2000, bindings: 2000, exchanges: 1 });
        expect(fsyncs.count() - before).toBe(1);
        expect(b.readModel.queues('/').length).toBe(2000);
      });
    } finally {
      fsyncs.stop();
    }
  }, 30_000);

  it('what it wrote survives a restart', async () => {
    let b = await restart();
    await b.definitions.import(bulk(300));
    b = await restart();
    expect(b.readModel.queues('/').length).toBe(300);
    expect(b.definitions.export()['bindings']).toHaveLength(300);
  });
});
