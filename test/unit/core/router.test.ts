import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/core/message.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import type { VirtualHost } from '../../../src/core/vhost.js';
import type { BasicProperties } from '../../../src/protocol/content-header.js';
import { deathsOf, declareExchange, declareQueue, getAll, manualVhost, OWNER, publishResult, str } from './manual-time.js';

/** Declares the queues and binds each to `exchange` with its keys. */
function bound(vhost: VirtualHost, exchange: string, bindings: Record<string, readonly string[]>): Record<string, Queue> {
  const queues: Record<string, Queue> = {};
  for (const [name, keys] of Object.entries(bindings)) {
    queues[name] = declareQueue(vhost, name);
    for (const key of keys) vhost.bindQueue(name, exchange, key, {}, OWNER);
  }
  return queues;
}

/** Which queues hold a message now, emptying them. */
function reached(queues: Record<string, Queue>): string[] {
  return Object.entries(queues)
    .filter(([, q]) => getAll(q).length > 0)
    .map(([name]) => name)
    .sort();
}

function onlyMessage(queue: Queue): Message {
  const e = queue.get();
  expect(e).toBeDefined();
  queue.settle(e!);
  expect(queue.messageCount).toBe(0);
  return e!.message;
}

describe('Router: the one publish path of a vhost', () => {
  it('direct: the queues bound with the key, each once even when several keys reach it', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'x', 'direct');
    const qs = bound(vhost, 'x', { one: ['a'], both: ['a', 'b'], other: ['b'], none: ['c'] });
    expect(publishResult(vhost, 'x', 'a', 'm')).toMatchObject({ enqueued: 2, routed: true });
    expect(reached(qs)).toEqual(['both', 'one']);
    expect(publishResult(vhost, 'x', ['a', 'b'], 'm')).toMatchObject({ enqueued: 3 }); // 'both' once
    expect(reached(qs)).toEqual(['both', 'one', 'other']);
    expect(publishResult(vhost, 'x', 'A', 'm')).toMatchObject({ enqueued: 0, routed: false }); // keys are case-sensitive
  });

  it('fanout: every bound queue, whatever the key', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'f', 'fanout');
    const qs = bound(vhost, 'f', { p: ['ignored'], q: [''] });
    declareQueue(vhost, 'unbound');
    expect(publishResult(vhost, 'f', 'anything', 'm')).toMatchObject({ enqueued: 2 });
    expect(reached(qs)).toEqual(['p', 'q']);
    expect(vhost.queues.get('unbound')?.messageCount).toBe(0);
  });

  it('topic: * is one word, # zero or more; through an exchange-to-exchange binding too', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 't', 'topic');
    declareExchange(vhost, 'inner', 'topic');
    vhost.bindExchange('inner', 't', 'stock.#', {});
    const qs = bound(vhost, 't', { star: ['stock.*.nyse'], all: ['#'], tail: ['*.ibm.#'] });
    Object.assign(qs, bound(vhost, 'inner', { viaInner: ['stock.ibm.*'] }));
    const cases: [string, string[]][] = [
      ['stock.ibm.nyse', ['all', 'star', 'tail', 'viaInner']],
      ['stock.msft.nyse', ['all', 'star']],
      ['stock.ibm', ['all', 'tail']],
      ['bond.ibm.x.y', ['all', 'tail']],
      ['stock.ibm.nyse.extra', ['all', 'tail']],
      ['', ['all']],
    ];
    for (const [key, expected] of cases) {
      publishResult(vhost, 't', key, key);
      expect(reached(qs), key).toEqual(expected);
    }
  });

  it('the alternate exchange takes only what its exchange cannot route, and then the message counts as routed', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'ae', 'fanout');
    declareExchange(vhost, 'main', 'direct', { 'alternate-exchange': str('ae') });
    const qs = bound(vhost, 'main', { bound: ['k'] });
    Object.assign(qs, bound(vhost, 'ae', { unrouted: [''] }));
    expect(publishResult(vhost, 'main', 'k', 'm', {}, true)).toMatchObject({ enqueued: 1, mustReturn: false });
    expect(reached(qs)).toEqual(['bound']);
    expect(publishResult(vhost, 'main', 'other', 'm', {}, true)).toMatchObject({ enqueued: 1, routed: true, mustReturn: false });
    expect(reached(qs)).toEqual(['unrouted']);
  });

  it('an unroutable publish is reported: returned when mandatory, silently dropped otherwise', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'x', 'direct');
    declareExchange(vhost, 'aeless', 'direct', { 'alternate-exchange': str('missing') });
    expect(publishResult(vhost, 'x', 'nowhere', 'm', {}, true)).toEqual({ enqueued: 0, refused: 0, held: 0, routed: false, mustReturn: true });
    expect(publishResult(vhost, 'x', 'nowhere', 'm', {}, false)).toEqual({ enqueued: 0, refused: 0, held: 0, routed: false, mustReturn: false });
    expect(publishResult(vhost, 'aeless', 'k', 'm', {}, true)).toMatchObject({ routed: false, mustReturn: true });
    expect(publishResult(vhost, '', 'no-such-queue', 'm', {}, true)).toMatchObject({ routed: false, mustReturn: true });
  });

  it('dead-lettering publishes a copy with x-death (reason, count, queue, exchange, routing-keys) by the original key', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'ex', 'direct');
    declareExchange(vhost, 'dlx', 'direct');
    const work = declareQueue(vhost, 'work', { 'x-dead-letter-exchange': str('dlx') });
    vhost.bindQueue('work', 'ex', 'job', {}, OWNER);
    const qs = bound(vhost, 'dlx', { byKey: ['job'], other: ['elsewhere'] });
    publishResult(vhost, 'ex', 'job', 'body', { headers: { kept: str('yes') } });
    const got = work.ref.get(false)!;
    work.ref.reject(got.seq, false);
    expect(qs['other']!.messageCount).toBe(0);
    const dead = onlyMessage(qs['byKey']!);
    expect(dead.body.toString()).toBe('body');
    expect(dead.exchange).toBe('dlx');
    expect(dead.properties.headers?.['kept']).toEqual(str('yes'));
    expect(deathsOf(dead)).toEqual([
      expect.objectContaining({ reason: 'rejected', count: 1, queue: 'work', exchange: 'ex', 'routing-keys': ['job'] }),
    ]);
  });

  it('x-dead-letter-routing-key replaces the key the copy is routed by; x-death keeps the original keys; a second death counts up', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'dlx', 'direct');
    declareQueue(vhost, 'work', { 'x-dead-letter-exchange': str('dlx'), 'x-dead-letter-routing-key': str('retry') });
    vhost.bindQueue('work', 'dlx', 'retry', {}, OWNER); // rejected messages come back to work
    const qs = bound(vhost, 'dlx', { original: ['work'] });
    const work = vhost.queues.get('work')!;
    publishResult(vhost, '', 'work', 'again');
    for (let death = 1; death <= 2; death++) {
      const got = work.ref.get(false)!;
      work.ref.reject(got.seq, false); // rejected: no cycle, so it re-enters work
      expect(qs['original']!.messageCount).toBe(0);
      const back = work.ref.get(true)!;
      expect(back.message.routingKey).toBe('retry');
      expect(deathsOf(back.message)).toEqual([expect.objectContaining({ reason: 'rejected', count: death, queue: 'work', exchange: '', 'routing-keys': ['work'] })]);
      publishResult(vhost, 'dlx', 'retry', 'again', back.message.properties); // as a consumer republishing it
      expect(work.messageCount).toBe(1);
    }
  });

  it('a delayed message with an expiration keeps its TTL once released: it expires in the queue, dead-lettered as expired', () => {
    const { clock, vhost } = manualVhost();
    declareExchange(vhost, 'later', 'x-delayed-message', { 'x-delayed-type': str('direct') });
    declareExchange(vhost, 'dlx', 'fanout');
    const q = declareQueue(vhost, 'q', { 'x-dead-letter-exchange': str('dlx') });
    vhost.bindQueue('q', 'later', 'k', {}, OWNER);
    const dead = bound(vhost, 'dlx', { dead: [''] })['dead']!;
    const props: BasicProperties = { expiration: '500', headers: { 'x-delay': { type: 'int32', value: 1000 } } };
    expect(publishResult(vhost, 'later', 'k', 'm', props, true)).toMatchObject({ held: 1, enqueued: 0, routed: true, mustReturn: false });
    clock.advance(1000);
    expect(q.messageCount).toBe(1);
    clock.advance(499);
    expect(q.messageCount).toBe(1);
    clock.advance(1);
    expect(q.messageCount).toBe(0);
    const copy = onlyMessage(dead);
    expect(deathsOf(copy)).toEqual([expect.objectContaining({ reason: 'expired', queue: 'q', exchange: 'later', 'original-expiration': '500' })]);
  });
});
