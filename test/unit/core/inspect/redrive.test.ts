import { describe, expect, it } from 'vitest';
import { redrive } from '../../../../src/core/inspect/redrive.js';
import { Message } from '../../../../src/core/message.js';
import type { MessageLog, PersistedMessage, TopologyListener } from '../../../../src/core/persistence.js';
import { brokerPrincipal } from '../../../../src/core/principal.js';
import type { QueueConsumer } from '../../../../src/core/queue/consumer-set.js';
import { VirtualHost } from '../../../../src/core/vhost.js';
import { encodePropertiesBuffer } from '../../../../src/protocol/content-header.js';
import { ManualClock } from '../../../../src/util/manual-clock.js';

/** Durable queues' logs in memory: appends wait for the test to sync them; removals are recorded. */
class HeldLogs {
  readonly pending: ((ok: boolean) => void)[] = [];
  readonly removed: string[] = [];
  private n = 0;
  log(queue: string): MessageLog {
    return {
      append: (_m: PersistedMessage, onSynced?: (ok: boolean) => void) => {
        if (onSynced !== undefined) this.pending.push(onSynced);
        return `${queue}#${this.n++}`;
      },
      delivered: () => undefined,
      removed: (location) => this.removed.push(location as string),
      destroy: () => undefined,
      codec: { encode: () => [0, 0], decode: () => undefined },
    };
  }
  sync(ok: boolean): void {
    for (const f of this.pending.splice(0)) f(ok);
  }
}

function setup(plainFirst = false) {
  const logs = new HeldLogs();
  const listener = {
    openPageStore: () => undefined as never,
    exchangeDeclared: () => undefined,
    exchangeDeleted: () => undefined,
    queueDeclared: (_v: string, q: { name: string; options?: { durable: boolean } }) => (q.options?.durable === true ? logs.log(q.name) : undefined),
    queueDeleted: () => undefined,
    bindingAdded: () => undefined,
    bindingRemoved: () => undefined,
    definitionsMark: () => 0,
    whenDefinitionsSynced: () => false,
  } as unknown as TopologyListener;
  const vhost = new VirtualHost('/', new ManualClock(), listener);
  const owner = brokerPrincipal('/');
  const declare = (name: string, args = {}) =>
    vhost.declareQueue({ name, passive: false, durable: true, exclusive: false, autoDelete: false, arguments: args }, owner);
  const work = declare('work', { 'x-dead-letter-exchange': { type: 'string', value: '' }, 'x-dead-letter-routing-key': { type: 'string', value: 'dlq' } });
  const dlq = declare('dlq');
  if (plainFirst) dlq.enqueue(new Message('', 'dlq', encodePropertiesBuffer({}), Buffer.from('plain')), undefined); // no x-death: skipped
  // Dead-letter three persistent messages through the real path: rejected from work.
  for (let i = 0; i < 3; i++) work.enqueue(new Message('', 'work', encodePropertiesBuffer({ deliveryMode: 2 }), Buffer.from(`m${i}`)), undefined);
  logs.sync(true);
  for (let i = 0; i < 3; i++) work.reject(work.get() as never);
  logs.sync(true);
  return { vhost, logs, work, dlq };
}

const bodies = (q: { get(noAck: boolean): { message: Message } | undefined }): string[] => {
  const out: string[] = [];
  for (let e = q.get(true); e !== undefined; e = q.get(true)) out.push(e.message.body.toString());
  return out;
};

describe('redrive', () => {
  it('removes a message from the DLQ only once the target has it on disk; meanwhile no consumer gets it', async () => {
    const { vhost, logs, work, dlq } = setup();
    expect(dlq.messageCount).toBe(3);
    const removedBefore = logs.removed.length;
    const delivered: string[] = [];
    const consumer: QueueConsumer = {
      tag: 'c', exclusive: false, noAck: true, owner: brokerPrincipal('/'),
      canDeliver: () => true,
      deliver: (_ref, _seq, message) => void delivered.push(message.body.toString()),
      cancelledByQueue: () => undefined,
    } as QueueConsumer;
    const pending = redrive(vhost, dlq, { max: 2 });
    dlq.ref.consume(consumer, 0);
    await new Promise((r) => setImmediate(r));
    expect(delivered).toEqual(['m2']); // the two claimed ones are not delivered while they move
    expect(work.messageCount).toBe(2);
    expect(logs.removed.length).toBe(removedBefore + 1); // only m2's (delivered no-ack): the moved ones still stored here
    logs.sync(true);
    expect(await pending).toEqual({ moved: 2, skipped: 0 });
    expect(logs.removed.length).toBe(removedBefore + 3);
    expect(bodies(work)).toEqual(['m0', 'm1']);
  });

  it('puts a message back in its place, unflagged, when the target failed to store it', async () => {
    const { vhost, logs, work, dlq } = setup(true);
    const pending = redrive(vhost, dlq, { max: 1 });
    expect(dlq.messageCount).toBe(3); // plain (skipped) stays, m0 claimed from the middle
    logs.sync(false); // the target's disk write failed: its publisher would get a nack
    expect(await pending).toEqual({ moved: 0, skipped: 2 });
    expect(dlq.messageCount).toBe(4);
    const back = [];
    for (let e = dlq.get(true); e !== undefined; e = dlq.get(true)) back.push([e.message.body.toString(), e.redelivered]);
    expect(back).toEqual([['plain', false], ['m0', false], ['m1', false], ['m2', false]]);
    expect(work.messageCount).toBe(1); // the target's copy: a duplicate, never a loss
  });

  it('filters by the latest death reason and honours max', async () => {
    const { vhost, logs, dlq } = setup();
    const expired = redrive(vhost, dlq, { reason: 'expired' });
    expect(await expired).toEqual({ moved: 0, skipped: 3 });
    const some = redrive(vhost, dlq, { reason: 'rejected', max: 1 });
    logs.sync(true);
    expect(await some).toEqual({ moved: 1, skipped: 0 });
    expect(dlq.messageCount).toBe(2);
  });
});
