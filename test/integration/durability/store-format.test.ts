import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { createLogger, silentLogger } from '../../../src/util/logger.js';
import { getAllBodies } from '../../helpers/amqp.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-format-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

type Line = Record<string, unknown>;

async function start(options: { forceRecovery?: boolean } = {}): Promise<{ broker: Broker; lines: Line[] }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
      cb();
    },
  });
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: createLogger('info', sink), ...options });
  return { broker, lines };
}

async function refused(): Promise<Error> {
  const err = await start().then(
    async ({ broker }) => {
      await broker.close();
      throw new Error('expected start-up to be refused');
    },
    (e: unknown) => e as Error,
  );
  expect(err).toMatchObject({ name: 'StartupError', kind: 'store-format', exitCode: 5 });
  return err;
}

async function seed(queue: string, count: number, dir = dataDir): Promise<void> {
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: dir, logger: silentLogger() });
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  for (let i = 0; i < count; i++) ch.sendToQueue(queue, Buffer.from(`${queue}-${i}`), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
  await broker.close();
}

const drain = (broker: Broker, queue: string): Promise<string[]> => getAllBodies(broker.url, queue, { assertDurable: true });

/** Every file under the data directory with a hash of its bytes (the lock file aside). */
function tree(root = dataDir): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) {
        out[`${relative(root, p)}/`] = '';
        walk(p);
      } else if (e !== 'warren.lock') out[relative(root, p)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

const dirOf = (queue: string): string => join(dataDir, 'msgs', createHash('sha1').update('/').update('\u0000').update(queue).digest('hex'));

function queueDirs(): string[] {
  return readdirSync(join(dataDir, 'msgs')).map((d) => join(dataDir, 'msgs', d));
}
const segmentOf = (dir: string): string => join(dir, readdirSync(dir).find((f) => f.startsWith('msgs.'))!);
const definitions = (): string => join(dataDir, 'definitions.log');
const onlySegment = (): string => segmentOf(dirOf('q'));
const onlyAcks = (): string => onlySegment().replace(/msgs\.(\d+)$/, 'acks.$1');

/**
 * A data directory in which a start would change files before it reaches queue 'q': queue 'a'
 * (recovered first) has a torn tail to cut, and the log has records that compaction drops.
 */
async function seedWithPendingRepairs(): Promise<void> {
  await seed('a', 2);
  await seed('q', 3);
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  await ch.assertQueue('short-lived', { durable: true });
  await ch.deleteQueue('short-lived');
  await conn.close();
  await broker.close();
  appendFileSync(segmentOf(dirOf('a')), Buffer.from([0, 0, 0]));
}

/** One way of spoiling a file, applied to its bytes. */
const damages = {
  'flipped magic': (b: Buffer) => {
    b[0] = b[0]! ^ 0xff;
    return b;
  },
  'version + 1': (b: Buffer) => {
    b.writeUInt16BE(b.readUInt16BE(4) + 1, 4);
    return b;
  },
  'truncated header': (b: Buffer) => b.subarray(0, 5),
} as const;

const expectedText = {
  'flipped magic': 'bad magic',
  'version + 1': 'written by storage format version 2, newer than the version 1 this Warren reads',
  'truncated header': 'cut inside its 8-byte header',
} as const;

describe('a file this version cannot read stops start-up; nothing is touched', () => {
  const cases: [string, () => string, keyof typeof damages][] = [
    ['definitions log', definitions, 'flipped magic'],
    ['definitions log', definitions, 'version + 1'],
    ['definitions log', definitions, 'truncated header'],
    ['segment', onlySegment, 'flipped magic'],
    ['segment', onlySegment, 'version + 1'],
    ['ack log', onlyAcks, 'flipped magic'],
    ['ack log', onlyAcks, 'version + 1'],
  ];
  for (const [what, fileOf, damage] of cases) {
    it(`${what}, ${damage}: refused with exit code 5; after the file is restored, every message comes back`, async () => {
      await seedWithPendingRepairs();
      const file = fileOf();
      const original = readFileSync(file);
      writeFileSync(file, damages[damage](Buffer.from(original)));
      const before = tree();
      const err = await refused();
      expect(err.message).toContain(file);
      expect(err.message).toContain(expectedText[damage]);
      expect(err.message).toContain('Nothing was changed');
      expect(err.message).toContain('--force-recovery');
      if (damage === 'version + 1') expect(err.message).toContain('does not downgrade');
      expect(tree()).toEqual(before);
      writeFileSync(file, original);
      const { broker } = await start();
      try {
        expect(await drain(broker, 'q')).toEqual(['q-0', 'q-1', 'q-2']);
        expect(await drain(broker, 'a')).toEqual(['a-0', 'a-1']);
      } finally {
        await broker.close();
      }
    });
  }

  it('a segment cut inside its header (a crash while creating it) holds nothing and is not refused', async () => {
    await seed('q', 2);
    const dir = queueDirs()[0]!;
    writeFileSync(join(dir, 'msgs.0000000009'), Buffer.from('WSE'));
    const { broker, lines } = await start();
    try {
      expect(await drain(broker, 'q')).toEqual(['q-0', 'q-1']);
      expect(lines.some((l) => l['event'] === 'store.damaged' && String(l['detail']).includes('msgs.0000000009'))).toBe(true);
    } finally {
      await broker.close();
    }
  });
});

describe('--force-recovery moves what it cannot read to the quarantine, never deletes it', () => {
  it('a foreign definitions log: the log and every message directory are quarantined, logged at error, and can be put back', async () => {
    await seed('q', 3);
    const original = readFileSync(definitions());
    writeFileSync(definitions(), damages['flipped magic'](Buffer.from(original)));
    const qdir = relative(dataDir, queueDirs()[0]!);
    const { broker, lines } = await start({ forceRecovery: true });
    let root: string;
    try {
      expect(broker.readModel.queues('/')).toEqual([]);
      const errors = lines.filter((l) => l['event'] === 'store.quarantined');
      expect(errors.map((l) => l['level'])).toEqual([50, 50]);
      root = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
      expect(existsSync(join(root, 'definitions.log'))).toBe(true);
      expect(readdirSync(join(root, qdir)).filter((f) => f.startsWith('msgs.'))).toHaveLength(1);
    } finally {
      await broker.close();
    }
    // The operator repairs and restores.
    writeFileSync(definitions(), original);
    rmSync(join(dataDir, qdir), { recursive: true, force: true });
    renameSync(join(root, qdir), join(dataDir, qdir));
    const restored = await start();
    try {
      expect(await drain(restored.broker, 'q')).toEqual(['q-0', 'q-1', 'q-2']);
    } finally {
      await restored.broker.close();
    }
  });

  it('a segment of a newer format: it and its ack log are quarantined, the queue starts without them', async () => {
    await seed('q', 2);
    const seg = onlySegment();
    const acks = onlyAcks();
    const original = readFileSync(seg);
    writeFileSync(seg, damages['version + 1'](Buffer.from(original)));
    const { broker, lines } = await start({ forceRecovery: true });
    let root: string;
    try {
      expect(await drain(broker, 'q')).toEqual([]);
      root = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
      expect(existsSync(join(root, relative(dataDir, seg)))).toBe(true);
      expect(existsSync(join(root, relative(dataDir, acks)))).toBe(true);
      expect(lines.filter((l) => l['event'] === 'store.quarantined' && l['level'] === 50)).toHaveLength(2);
    } finally {
      await broker.close();
    }
    writeFileSync(seg, original);
    renameSync(join(root, relative(dataDir, acks)), acks);
    const restored = await start();
    try {
      expect(await drain(restored.broker, 'q')).toEqual(['q-0', 'q-1']);
    } finally {
      await restored.broker.close();
    }
  });
});

describe('message directories no definition claims', () => {
  it('are quarantined, not deleted, when no deletion is recorded; a restored definitions log brings the messages back', async () => {
    await seed('lost', 3);
    const backup = readFileSync(definitions());
    const lostDir = relative(dataDir, queueDirs()[0]!);
    // Definitions from elsewhere (a lost or replaced log): they know nothing of 'lost'.
    const other = mkdtempSync(join(tmpdir(), 'warren-format-other-'));
    await seed('other', 0, other);
    cpSync(join(other, 'definitions.log'), definitions());
    rmSync(other, { recursive: true, force: true });
    const { broker, lines } = await start();
    let root: string;
    try {
      expect(broker.readModel.queue('/', 'lost')).toBeUndefined();
      const line = lines.find((l) => l['event'] === 'store.quarantined');
      expect(line).toMatchObject({ level: 50, file: join(dataDir, lostDir) });
      root = join(dataDir, 'quarantine', readdirSync(join(dataDir, 'quarantine'))[0]!);
      expect(readdirSync(join(root, lostDir)).some((f) => f.startsWith('msgs.'))).toBe(true);
    } finally {
      await broker.close();
    }
    writeFileSync(definitions(), backup);
    renameSync(join(root, lostDir), join(dataDir, lostDir));
    const restored = await start();
    try {
      expect(await drain(restored.broker, 'lost')).toEqual(['lost-0', 'lost-1', 'lost-2']);
    } finally {
      await restored.broker.close();
    }
  });

  it('of a queue whose deletion the log records (a crash between the record and the removal) are removed', async () => {
    await seed('gone', 2);
    const dir = queueDirs()[0]!;
    const copy = mkdtempSync(join(tmpdir(), 'warren-format-copy-'));
    cpSync(dir, copy, { recursive: true });
    {
      const { broker } = await start();
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      await ch.deleteQueue('gone');
      await conn.close();
      await broker.close();
    }
    expect(existsSync(dir)).toBe(false);
    cpSync(copy, dir, { recursive: true }); // as if the broker died before removing it
    rmSync(copy, { recursive: true, force: true });
    for (let run = 0; run < 2; run++) {
      const { broker, lines } = await start();
      await broker.close();
      if (run === 0) {
        expect(lines.find((l) => l['event'] === 'store.orphan-removed')).toMatchObject({ dir });
        expect(lines.some((l) => l['event'] === 'store.quarantined')).toBe(false);
        expect(existsSync(dir)).toBe(false);
        expect(existsSync(join(dataDir, 'quarantine'))).toBe(false);
      }
    }
  });

  it('a queue deleted while its writes are in flight and declared again at once keeps its new messages', async () => {
    const { broker } = await start();
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('racy', { durable: true });
    for (let i = 0; i < 200; i++) ch.sendToQueue('racy', Buffer.alloc(10_000), { persistent: true });
    // No wait for the confirms: delete and declare again while that batch is being written.
    await ch.deleteQueue('racy');
    await ch.assertQueue('racy', { durable: true });
    ch.sendToQueue('racy', Buffer.from('new'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await broker.close();
    const restarted = await start();
    try {
      expect(await drain(restarted.broker, 'racy')).toEqual(['new']);
    } finally {
      await restarted.broker.close();
    }
  });

  it('a queue deleted and declared again keeps its new messages across a restart', async () => {
    const { broker } = await start();
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('again', { durable: true });
    ch.sendToQueue('again', Buffer.from('old'), { persistent: true });
    await ch.waitForConfirms();
    await ch.deleteQueue('again');
    await ch.assertQueue('again', { durable: true });
    ch.sendToQueue('again', Buffer.from('new'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await broker.close();
    const restarted = await start();
    try {
      expect(await drain(restarted.broker, 'again')).toEqual(['new']);
      expect(restarted.lines.some((l) => l['event'] === 'store.quarantined' || l['event'] === 'store.orphan-removed')).toBe(false);
    } finally {
      await restarted.broker.close();
    }
  });
});
