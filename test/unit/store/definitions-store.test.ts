import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionsStore, type Definitions } from '../../../src/store/definitions-store.js';
import { RefusedFileError } from '../../../src/store/format.js';
import { SyncScheduler } from '../../../src/store/sync-scheduler.js';
import { delayedDirName, queueDirName } from '../../../src/store/queue-dirs.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-defs-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function reopen(): Promise<Awaited<ReturnType<typeof DefinitionsStore.open>>["definitions"]> {
  const { store, definitions } = await DefinitionsStore.open(dataDir);
  store.close();
  return definitions;
}

describe('deletion records: the evidence the start-up sweep deletes by', async () => {
  it('survive compaction while the directory they name exists, and go once it is gone', async () => {
    const dir = queueDirName('/', 'q');
    mkdirSync(join(dataDir, dir), { recursive: true });
    const { store } = await DefinitionsStore.open(dataDir);
    store.write({ op: 'put-queue', vhost: '/', name: 'q', autoDelete: false, arguments: '' });
    store.write({ op: 'del-queue', vhost: '/', name: 'q', dir });
    store.close();
    // Two starts in which the sweep did not get to run (a crash): the evidence stays.
    expect([...(await reopen()).deletedDirs.keys()]).toEqual([dir]);
    expect([...(await reopen()).deletedDirs.keys()]).toEqual([dir]);
    expect(readFileSync(join(dataDir, 'definitions.log'), 'utf8')).toContain('"del-queue"');
    rmSync(join(dataDir, dir), { recursive: true });
    await reopen();
    expect((await reopen()).deletedDirs.size).toBe(0);
    expect(readFileSync(join(dataDir, 'definitions.log'), 'utf8')).not.toContain('"del-queue"');
  });

  it('records of older logs, without the directory, still name it; declaring again clears it', async () => {
    mkdirSync(join(dataDir, queueDirName('/', 'old')), { recursive: true });
    mkdirSync(join(dataDir, delayedDirName('/', 'held')), { recursive: true });
    const { store } = await DefinitionsStore.open(dataDir);
    store.write({ op: 'del-queue', vhost: '/', name: 'old' });
    store.write({ op: 'del-exchange', vhost: '/', name: 'held' });
    store.write({ op: 'del-queue', vhost: '/', name: 'back' });
    store.write({ op: 'put-queue', vhost: '/', name: 'back', autoDelete: false, arguments: '' });
    store.close();
    const d = await reopen();
    expect(new Set(d.deletedDirs.keys())).toEqual(new Set([queueDirName('/', 'old'), delayedDirName('/', 'held')]));
    expect(d.queues.has('/\u0000back')).toBe(true);
  });
});

describe('del-vhost', () => {
  it('drops the vhost and whatever of it is still recorded, claims its directories for the sweep, and leaves other vhosts alone', async () => {
    const dir = queueDirName('gone', 'q');
    mkdirSync(join(dataDir, dir), { recursive: true });
    const { store, fresh } = await DefinitionsStore.open(dataDir);
    expect(fresh).toBe(true);
    for (const vhost of ['gone', 'kept']) {
      store.write({ op: 'put-vhost', name: vhost });
      store.write({ op: 'put-queue', vhost, name: 'q', autoDelete: false, arguments: '' });
      store.write({ op: 'put-exchange', vhost, name: 'x', type: 'direct', autoDelete: false, internal: false, arguments: '' });
      store.write({ op: 'put-binding', vhost, source: 'x', destination: 'q', destinationKind: 'queue', routingKey: 'k', arguments: '' });
    }
    store.write({ op: 'del-vhost', name: 'gone' });
    store.close();
    const reopened = await DefinitionsStore.open(dataDir);
    reopened.store.close();
    const d = reopened.definitions;
    expect(reopened.fresh).toBe(false);
    expect([...d.vhosts]).toEqual(['kept']);
    expect([...d.queues.values()].map((q) => q.vhost)).toEqual(['kept']);
    expect([...d.exchanges.values()].map((x) => x.vhost)).toEqual(['kept']);
    expect([...d.bindings.values()].map((b) => b.vhost)).toEqual(['kept']);
    expect([...d.deletedDirs.keys()]).toEqual([dir]);
    // Compaction kept the outcome: the vhost stays gone.
    expect([...(await reopen()).vhosts]).toEqual(['kept']);
  });
});

const put = {
  vhost: (name: string) => ({ op: 'put-vhost', name }) as const,
  exchange: (name: string, type = 'direct') => ({ op: 'put-exchange', vhost: '/', name, type, autoDelete: false, internal: false, arguments: '' }) as const,
  queue: (name: string) => ({ op: 'put-queue', vhost: '/', name, autoDelete: false, arguments: '' }) as const,
  binding: (source: string, destination: string, routingKey: string, args = '', destinationKind: 'queue' | 'exchange' = 'queue') =>
    ({ op: 'put-binding', vhost: '/', source, destination, destinationKind, routingKey, arguments: args }) as const,
};
const names = (m: Map<string, { name: string }>): string[] => [...m.values()].map((d) => d.name).sort();
const bindings = (d: Definitions): string[] => [...d.bindings.values()].map((b) => `${b.source}->${b.destinationKind}:${b.destination}/${b.routingKey}/${b.arguments}`).sort();

describe('replay: the state the records add up to', () => {
  it('puts and deletes of vhosts, exchanges, queues and bindings; a deleted end takes its bindings along', async () => {
    const { store } = await DefinitionsStore.open(dataDir);
    store.write(put.vhost('/'));
    store.write(put.vhost('other'));
    for (const x of ['ex', 'gone-x', 'inner']) store.write(put.exchange(x));
    for (const q of ['q1', 'q2', 'gone-q']) store.write(put.queue(q));
    store.write(put.binding('ex', 'q1', 'a'));
    store.write(put.binding('ex', 'q1', 'a', 'AAAA')); // same key, other arguments: another binding
    store.write(put.binding('ex', 'q2', 'b'));
    store.write(put.binding('ex', 'gone-q', 'c'));
    store.write(put.binding('gone-x', 'q2', 'd'));
    store.write(put.binding('ex', 'gone-x', 'e', '', 'exchange'));
    store.write(put.binding('ex', 'inner', 'f', '', 'exchange'));
    store.write({ op: 'del-binding', vhost: '/', source: 'ex', destination: 'q1', destinationKind: 'queue', routingKey: 'a', arguments: '' });
    store.write({ op: 'del-queue', vhost: '/', name: 'gone-q' });
    store.write({ op: 'del-exchange', vhost: '/', name: 'gone-x' });
    store.close();

    const d = await reopen();
    expect([...d.vhosts].sort()).toEqual(['/', 'other']);
    expect(names(d.exchanges)).toEqual(['ex', 'inner']);
    expect(names(d.queues)).toEqual(['q1', 'q2']);
    expect(bindings(d)).toEqual(['ex->exchange:inner/f/', 'ex->queue:q1/a/AAAA', 'ex->queue:q2/b/']);
  });

  it('compaction leaves only the live records, and replaying the compacted log gives the same state', async () => {
    const { store } = await DefinitionsStore.open(dataDir);
    store.write(put.exchange('ex', 'topic'));
    store.write(put.queue('kept'));
    for (let i = 0; i < 200; i++) {
      store.write(put.queue(`temp-${i}`));
      store.write({ op: 'del-queue', vhost: '/', name: `temp-${i}` });
    }
    store.write(put.binding('ex', 'kept', 'k.#'));
    store.close();
    const before = readFileSync(join(dataDir, 'definitions.log')).length;

    const first = await reopen();
    const compacted = readFileSync(join(dataDir, 'definitions.log'));
    expect(compacted.length).toBeLessThan(before / 10);
    expect(compacted.toString('latin1')).not.toContain('temp-');
    const second = await reopen();
    for (const d of [first, second]) {
      expect(names(d.queues)).toEqual(['kept']);
      expect([...d.exchanges.values()]).toEqual([{ vhost: '/', name: 'ex', type: 'topic', autoDelete: false, internal: false, arguments: '' }]);
      expect(bindings(d)).toEqual(['ex->queue:kept/k.#/']);
    }
  });

  it('a torn or damaged last record is dropped and reported; the records before it count', async () => {
    const { store } = await DefinitionsStore.open(dataDir);
    store.write(put.queue('first'));
    store.write(put.queue('second'));
    store.close();
    const path = join(dataDir, 'definitions.log');
    const bytes = readFileSync(path);
    // One byte of the last record's JSON changed ('second' -> 'secone'): its checksum no longer matches.
    const at = bytes.lastIndexOf('second');
    writeFileSync(path, Buffer.concat([bytes.subarray(0, at + 5), Buffer.from('e'), bytes.subarray(at + 6)]));

    const opened = await DefinitionsStore.open(dataDir);
    opened.store.close();
    expect(names(opened.definitions.queues)).toEqual(['first']);
    expect(opened.damage).toEqual([expect.stringMatching(/damaged record at byte \d+; dropped the last \d+ bytes/)]);

    // Compaction rewrote the log without the damage.
    const again = await DefinitionsStore.open(dataDir);
    again.store.close();
    expect(again.damage).toEqual([]);
    expect(names(again.definitions.queues)).toEqual(['first']);
  });

  it('refuses a file whose header it cannot vouch for, and leaves it as it was', async () => {
    const path = join(dataDir, 'definitions.log');
    const foreign = Buffer.from('not a warren definitions log at all');
    writeFileSync(path, foreign);
    await expect(DefinitionsStore.open(dataDir)).rejects.toBeInstanceOf(RefusedFileError);
    expect(readFileSync(path)).toEqual(foreign);
  });
});

describe('group commit', () => {
  it('marks grow with every record; whenSynced calls back once the records up to the mark are on disk', async () => {
    const { store } = await DefinitionsStore.open(dataDir);
    const scheduler = new SyncScheduler('never', () => undefined);
    store.groupCommit(scheduler);
    const a = store.write(put.queue('a'));
    const b = store.write(put.queue('b'));
    expect(b).toBe(a + 1);
    expect(store.mark).toBe(b);
    const done: string[] = [];
    expect(store.whenSynced(a, (ok) => done.push(`a:${ok}`))).toBe(true);
    expect(store.whenSynced(b, (ok) => done.push(`b:${ok}`))).toBe(true);
    expect(done).toEqual([]); // nothing is on disk before the scheduler's batch
    await scheduler.idle();
    expect(done).toEqual(['a:true', 'b:true']);
    expect(store.whenSynced(b, () => done.push('late'))).toBe(false); // already on disk: no callback
    store.close();
    expect(names((await reopen()).queues)).toEqual(['a', 'b']);
    expect(done).toEqual(['a:true', 'b:true']);
  });
});
