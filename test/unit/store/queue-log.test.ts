import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/store/pacer.js';
import { QueueLog, type StoredMessage } from '../../../src/store/queue-log.js';
import { SyncScheduler } from '../../../src/store/sync-scheduler.js';

let dir: string;
let scheduler: SyncScheduler;
let errors: unknown[];
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'warren-qlog-')), 'queue');
  errors = [];
  scheduler = new SyncScheduler('never', (e) => errors.push(e));
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

function message(n: number, extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    exchange: 'ex',
    routingKey: `key.${n}`,
    properties: Buffer.from([0x10, 0x00, 2]), // any bytes: the log keeps them as given
    body: Buffer.from(`body ${n}`),
    priority: n % 10,
    expiresAt: n === 0 ? Infinity : 1_700_000_000_000 + n,
    ...extra,
  };
}

/** What a recovered message says, without its location. */
function seen(m: StoredMessage & { delivered?: boolean }) {
  return {
    exchange: m.exchange,
    routingKey: m.routingKey,
    properties: Buffer.from(m.properties).toString('hex'),
    body: Buffer.from(m.body).toString(),
    priority: m.priority,
    expiresAt: m.expiresAt,
    ...(m.delivered === undefined ? {} : { delivered: m.delivered }),
  };
}

async function recover() {
  return QueueLog.recover(dir, scheduler, new Pacer());
}

const segments = (): string[] => readdirSync(dir).filter((f) => f.startsWith('msgs.')).sort();

describe('QueueLog: a durable queue’s messages on disk', () => {
  it('recovers every appended message, byte for byte and in order, once onSynced said so', async () => {
    const log = QueueLog.create(dir, scheduler);
    const written = [message(0), message(1, { body: Buffer.from(new ArrayBuffer(0)) }) /* an empty body with no backing memory: zlib's CRC of it is 0 */, message(2, { routingKey: '', exchange: '' }), message(3, { body: Buffer.alloc(70_000, 7) })];
    const synced: boolean[] = [];
    for (const m of written) log.append(m, (ok) => synced.push(ok));
    await scheduler.idle();
    expect(synced).toEqual([true, true, true, true]);
    log.close();

    const { log: again, report } = await recover();
    expect(report.damage).toEqual([]);
    expect(report.messages.map(seen)).toEqual(written.map((m) => ({ ...seen(m), delivered: false })));
    again.close();
    expect(errors).toEqual([]);
  });

  it('a removed message is not recovered, a delivered one comes back marked delivered', async () => {
    const log = QueueLog.create(dir, scheduler);
    const at = [0, 1, 2, 3].map((n) => log.append(message(n)));
    log.delivered(at[1]!);
    log.removed(at[2]!);
    log.delivered(at[3]!);
    log.removed(at[3]!);
    await scheduler.idle();
    log.close();

    const { log: again, report } = await recover();
    expect(report.messages.map((m) => [m.routingKey, m.delivered])).toEqual([
      ['key.0', false],
      ['key.1', true],
    ]);
    // The recovered locations are live: removing through them sticks across another restart.
    again.removed(report.messages[0]!.location);
    await scheduler.idle();
    again.close();
    const third = await recover();
    expect(third.report.messages.map((m) => m.routingKey)).toEqual(['key.1']);
    third.log.close();
  });

  it('a torn tail is cut off and reported; what came before survives, and appends after recovery are readable', async () => {
    const log = QueueLog.create(dir, scheduler);
    log.append(message(1));
    log.append(message(2));
    await scheduler.idle();
    log.close();
    const segment = join(dir, segments()[0]!);
    const whole = statSync(segment).size;
    truncateSync(segment, whole - 3); // a crash in the middle of the second record

    const first = await recover();
    expect(first.report.messages.map((m) => m.routingKey)).toEqual(['key.1']);
    expect(first.report.damage).toHaveLength(1);
    expect(first.report.damage[0]).toMatch(/torn record at byte \d+; cut at byte \d+/);
    first.log.append(message(3));
    await scheduler.idle();
    first.log.close();

    const second = await recover();
    expect(second.report.damage).toEqual([]);
    expect(second.report.messages.map((m) => m.routingKey)).toEqual(['key.1', 'key.3']);
    second.log.close();
  });

  it('a record whose bytes changed on disk fails its checksum: it and everything after it are cut', async () => {
    const log = QueueLog.create(dir, scheduler);
    for (const n of [1, 2, 3]) log.append(message(n, { body: Buffer.from(`payload-${n}-payload`) }));
    await scheduler.idle();
    log.close();
    const segment = join(dir, segments()[0]!);
    const bytes = readFileSync(segment);
    const at = bytes.indexOf('payload-2-payload');
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    writeFileSync(segment, bytes);

    const { log: again, report } = await recover();
    expect(report.messages.map((m) => m.routingKey)).toEqual(['key.1']);
    expect(report.damage[0]).toMatch(/checksum mismatch/);
    again.close();
  });

  it('a torn ack record at the tail is cut; the whole ones before it still count', async () => {
    const log = QueueLog.create(dir, scheduler);
    const a = log.append(message(1));
    log.append(message(2));
    log.removed(a);
    await scheduler.idle();
    log.close();
    const acks = join(dir, readdirSync(dir).find((f) => f.startsWith('acks.'))!);
    writeFileSync(acks, Buffer.concat([readFileSync(acks), Buffer.from([2, 0])])); // half a record

    const { log: again, report } = await recover();
    expect(report.messages.map((m) => m.routingKey)).toEqual(['key.2']);
    expect(report.damage).toEqual([expect.stringMatching(/torn ack record at the tail/)]);
    again.close();
  });

  it('rolls over to a new segment past 8 MiB and deletes a rolled-over segment once all of it is removed', async () => {
    const log = QueueLog.create(dir, scheduler);
    const big = Buffer.alloc(1024 * 1024, 1);
    const first = [];
    for (let n = 0; n < 9; n++) first.push(log.append(message(n, { body: big })));
    const later = log.append(message(9, { body: big }));
    await scheduler.idle();
    expect(segments()).toHaveLength(2);
    for (const loc of first) log.removed(loc);
    await scheduler.idle();
    await eventually(() => segments().length === 1);
    expect(segments()).toEqual(['msgs.0000000002']);
    expect(readdirSync(dir).filter((f) => f.includes('.deleted-'))).toEqual([]);
    log.close();

    const { log: again, report } = await recover();
    expect(report.messages.map((m) => m.routingKey)).toEqual(['key.9']);
    expect(report.messages[0]!.location.segment.no).toBe(later.segment.no);
    again.close();
  });

  it('destroy() removes the whole directory', async () => {
    const log = QueueLog.create(dir, scheduler);
    log.append(message(1));
    await scheduler.idle();
    log.destroy();
    expect(existsSync(dir)).toBe(false);
  });
});

async function eventually(test: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
