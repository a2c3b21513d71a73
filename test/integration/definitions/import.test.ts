import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DefinitionsError } from '../../../src/index.js';
import { withBroker } from '../../helpers/broker.js';
import { assertReferenceTopology, canonical, rabbitExport } from '../../helpers/definitions-reference.js';

describe('definitions import', () => {
  it('imports a real RabbitMQ 3.10 export unchanged: users log in, permissions refuse, bindings route', async () => {
    await withBroker(async (b) => {
      const summary = await b.definitions.import(rabbitExport());
      expect(summary).toMatchObject({ users: 5, vhosts: 1, exchanges: 10, queues: 15, bindings: 12, parameters: 1 });
      await assertReferenceTopology(b);
    });
  });

  it("imports the export's policies: listed, exported again, and in force on a queue declared afterwards", async () => {
    await withBroker(async (b) => {
      const summary = await b.definitions.import(rabbitExport());
      expect(summary).toMatchObject({ policies: 3 });
      expect(b.policies.list('/').map((p) => p.name).sort()).toEqual(['ae', 'ttl']);
      expect(b.policies.get('dev', 'limited')).toEqual({ vhost: 'dev', name: 'limited', pattern: '^limited', 'apply-to': 'queues', priority: 0, definition: { 'max-length': 1000, overflow: 'reject-publish' } });
      expect(b.definitions.export()['policies']).toContainEqual({ vhost: '/', name: 'ttl', pattern: '^ttl\\.', 'apply-to': 'queues', priority: 1, definition: { 'message-ttl': 60000 } });
      const conn = await amqp.connect(b.url);
      const ch = await conn.createChannel();
      await ch.assertQueue('ttl.fresh');
      await conn.close();
      expect(b.readModel.queue('/', 'ttl.fresh')).toMatchObject({ policy: 'ttl', effectivePolicyDefinition: { 'message-ttl': 60000 } });
    });
  });

  it('exports and imports operator policies (operator_policies, in the policies shape), checked like set_operator_policy', async () => {
    await withBroker(async (a) => {
      await a.operatorPolicies.set('/', 'cap', { pattern: '^q\\.', 'apply-to': 'queues', priority: 2, definition: { 'max-length': 100 } });
      const doc = a.definitions.export();
      const op = { vhost: '/', name: 'cap', pattern: '^q\\.', 'apply-to': 'queues', priority: 2, definition: { 'max-length': 100 } };
      expect(doc['operator_policies']).toEqual([op]);
      await withBroker(async (b) => {
        expect(await b.definitions.import(doc)).toMatchObject({ operatorPolicies: 1, policies: 0 });
        expect(b.operatorPolicies.list()).toEqual([op]);
        expect(b.policies.list()).toEqual([]);
        // dead-letter-exchange is a policy key, not an operator policy key: refused, nothing imported.
        const bad = { ...doc, operator_policies: [{ ...op, name: 'dlx', definition: { 'dead-letter-exchange': 'x' } }] };
        await expect(b.definitions.import(bad)).rejects.toMatchObject({ status: 400, reason: expect.stringMatching(/^operator policy 'dlx' in vhost '\/'/) });
        expect(b.operatorPolicies.get('/', 'dlx')).toBeUndefined();
      });
    });
  });

  it('round trip: an export imported into a fresh broker exports the same', async () => {
    let first: Record<string, unknown> = {};
    let firstDev: Record<string, unknown> = {};
    await withBroker(async (a) => {
      await a.definitions.import(JSON.stringify(rabbitExport()));
      first = a.definitions.export();
      firstDev = a.definitions.export('dev');
    });
    expect(first).toMatchObject({ rabbitmq_definition_format: 'cluster', product_name: 'Warren' });
    await withBroker(async (b) => {
      await b.definitions.import(first);
      expect(canonical(b.definitions.export())).toEqual(canonical(first));
      expect(canonical(b.definitions.export('dev'))).toEqual(canonical(firstDev));
      await assertReferenceTopology(b);
    });
  });

  it('exports RabbitMQ 4.x shapes: vhost metadata, vhost-limits parameters, per-vhost objects without vhost', async () => {
    await withBroker(async (b) => {
      await b.definitions.import(rabbitExport());
      await b.updateVhost('dev', { description: 'development', tags: ['team-a'] });
      const all = b.definitions.export();
      expect(all['vhosts']).toContainEqual({
        name: 'dev', description: 'development', tags: ['team-a'], default_queue_type: 'classic', metadata: { description: 'development', tags: ['team-a'], default_queue_type: 'classic' },
      });
      expect(all['parameters']).toEqual([{ value: { 'max-connections': 50, 'max-queues': 100 }, vhost: 'dev', component: 'vhost-limits', name: 'limits' }]);
      expect(all['users']).toContainEqual({ name: 'bob', password_hash: expect.any(String), hashing_algorithm: 'rabbit_password_hashing_sha512', tags: ['monitoring'], limits: {} });
      expect((all['exchanges'] as { name: string }[]).map((x) => x.name)).not.toContain('amq.topic');
      expect(all['bindings']).toContainEqual({ source: 'events', vhost: '/', destination: 'broadcast', destination_type: 'exchange', routing_key: 'audit.*', arguments: {} });
      const dev = b.definitions.export('dev');
      expect(dev).toMatchObject({ rabbitmq_definition_format: 'single_virtual_host', original_vhost_name: 'dev', limits: { 'max-connections': 50, 'max-queues': 100 } });
      expect(dev['queues']).toEqual([{ name: 'dev-q', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'classic' } }]);
      expect(() => b.definitions.export('nope')).toThrow(expect.objectContaining({ status: 400, reason: 'vhost_not_found' }));
    });
  });

  it('imports a per-vhost export into another vhost', async () => {
    await withBroker(async (b) => {
      await b.definitions.import(rabbitExport());
      const dev = b.definitions.export('dev');
      await b.createVhost('staging');
      await b.definitions.import(dev, 'staging');
      expect(b.readModel.queue('staging', 'dev-q')?.arguments).toEqual({ 'x-queue-type': 'classic' });
      expect(b.readModel.exchange('staging', 'dev-x')?.type).toBe('topic');
      expect(b.vhostMetadata('staging')?.limits).toEqual({ maxConnections: 50, maxQueues: 100 });
      // 3.10's per-vhost export keeps the vhost field in parameters and policies: the path's vhost wins.
      await b.definitions.import({ parameters: [{ value: { 'max-queues': 7 }, vhost: 'dev', component: 'vhost-limits', name: 'limits' }] }, 'staging');
      expect(b.vhostMetadata('staging')?.limits).toEqual({ maxQueues: 7 });
      expect(b.vhostMetadata('dev')?.limits).toEqual({ maxConnections: 50, maxQueues: 100 });
      await expect(b.definitions.import(dev, 'nope')).rejects.toMatchObject({ status: 404, error: 'not_found', reason: 'vhost_not_found' });
    });
  });

  it("reads older and newer files: 4.x vhost metadata, comma-separated tags, a pre-3.6 file's MD5 hashes", async () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const md5 = Buffer.concat([salt, createHash('md5').update(salt).update('old-pw').digest()]).toString('base64');
    await withBroker(async (b) => {
      await b.definitions.import({
        rabbit_version: '3.5.7',
        users: [{ name: 'old', password_hash: md5, tags: 'administrator,monitoring' }],
        vhosts: [
          { name: 'new', description: 'four', metadata: { description: 'four', tags: ['x'], default_queue_type: 'quorum' }, tags: ['x'], default_queue_type: 'quorum' },
          { name: 'meta-only', metadata: { description: 'nested', tags: ['y'] } },
        ],
        permissions: [{ user: 'old', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
      });
      expect(b.users.get('old')).toMatchObject({ hashingAlgorithm: 'rabbit_password_hashing_md5', tags: ['administrator', 'monitoring'] });
      await (await amqp.connect(`amqp://old:old-pw@127.0.0.1:${b.port}`)).close();
      expect(b.vhostMetadata('new')).toMatchObject({ description: 'four', tags: ['x'], defaultQueueType: 'quorum' });
      expect(b.vhostMetadata('meta-only')).toMatchObject({ description: 'nested', tags: ['y'] });
    });
  });

  const bad: [string, (d: Record<string, unknown[]>) => void, RegExp][] = [
    ['a queue in an unknown vhost', (d) => d['queues']?.push({ name: 'lost', vhost: 'nope', durable: true, auto_delete: false, arguments: {} }), /queue 'lost' in vhost 'nope': no vhost 'nope'/],
    ['a bad password hash', (d) => d['users']?.push({ name: 'eve', password_hash: 'c2hvcnQ=', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] }), /user 'eve': a rabbit_password_hashing_sha256 password hash is 36 bytes/],
    ['an unknown hashing algorithm', (d) => d['users']?.push({ name: 'eve', password_hash: '', hashing_algorithm: 'rabbit_password_hashing_bcrypt', tags: [] }), /unknown hashing algorithm 'rabbit_password_hashing_bcrypt'/],
    ['a queue argument of the wrong type', (d) => d['queues']?.push({ name: 'typed', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 'ten' } }), /invalid arg 'x-max-length' for queue 'typed' in vhost '\/': expected an integer/],
    ['an unknown exchange type', (d) => d['exchanges']?.push({ name: 'hash', vhost: '/', type: 'x-consistent-hash', durable: true, auto_delete: false, internal: false, arguments: {} }), /exchange 'hash' in vhost '\/': unknown exchange type 'x-consistent-hash'/],
    ['a binding to a missing queue', (d) => d['bindings']?.push({ source: 'orders', vhost: '/', destination: 'ghost', destination_type: 'queue', routing_key: 'k', arguments: {} }), /no queue 'ghost' in vhost '\/'/],
    ['a permission pattern PCRE would read otherwise', (d) => d['permissions']?.push({ user: 'alice', vhost: 'dev', configure: '(?<=a)b', write: '', read: '' }), /permissions of user 'alice' in vhost 'dev'/],
    ['a policy with a key no broker knows', (d) => d['policies']?.push({ vhost: '/', name: 'odd', pattern: '^q', 'apply-to': 'queues', priority: 0, definition: { 'max-lenght': 5 } }), /policy 'odd' in vhost '\/': Validation failed[\s\S]*max-lenght/],
    ['a null argument', (d) => d['exchanges']?.push({ name: 'n', vhost: '/', type: 'direct', durable: true, auto_delete: false, internal: false, arguments: { x: null } }), /argument 'x' is null/],
  ];
  for (const [what, spoil, reason] of bad) {
    it(`refuses ${what} with a clear reason and changes nothing`, async () => {
      await withBroker(async (b) => {
        const before = canonical(b.definitions.export());
        const doc = rabbitExport() as Record<string, unknown[]>;
        spoil(doc);
        const err = await b.definitions.import(doc).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(DefinitionsError);
        expect(err).toMatchObject({ status: 400, error: 'bad_request', reason: expect.stringMatching(reason) });
        expect(canonical(b.definitions.export())).toEqual(before);
        expect(b.users.get('alice')).toBeUndefined();
      });
    });
  }

  it('refuses text that is not JSON', async () => {
    await withBroker(async (b) => {
      await expect(b.definitions.import('{"users": [')).rejects.toMatchObject({ status: 400, error: 'bad_request', reason: 'failed_to_parse_json' });
    });
  });
});
