import { describe, expect, it } from 'vitest';
import { Message } from '../../../../src/core/message.js';
import { deadLetterCopy, isDeadLetterCycle } from '../../../../src/core/queue/dead-letter.js';
import { encodePropertiesBuffer } from '../../../../src/protocol/content-header.js';
import { encodeTable, type FieldTable } from '../../../../src/protocol/field-table.js';

const msg = (props: Parameters<typeof encodePropertiesBuffer>[0], exchange = 'ex', key = 'rk'): Message =>
  new Message(exchange, key, encodePropertiesBuffer(props), Buffer.from('body'));

describe('deadLetterCopy', () => {
  it('writes the x-death entry with RabbitMQ 3.13 field types, byte for byte', () => {
    const copy = deadLetterCopy(msg({ expiration: '5000', deliveryMode: 2 }), 'q1', 'expired', 'dlx', undefined, 1_700_000_000_123);
    const headers = copy.message.properties.headers as FieldTable;
    const xDeath = headers['x-death'];
    expect(xDeath?.type).toBe('array');
    // Built by hand from the AMQP field-table grammar: the order and the tags are RabbitMQ's.
    const sstr = (s: string): Buffer => Buffer.concat([Buffer.from('S'), u32(s.length), Buffer.from(s)]);
    const key = (k: string): Buffer => Buffer.concat([Buffer.from([k.length]), Buffer.from(k)]);
    const entryBody = Buffer.concat([
      key('count'), Buffer.from('l'), u64(1),
      key('reason'), sstr('expired'),
      key('queue'), sstr('q1'),
      key('time'), Buffer.from('T'), u64(1_700_000_000),
      key('exchange'), sstr('ex'),
      key('routing-keys'), Buffer.from('A'), u32(5 + 2), sstr('rk'),
      key('original-expiration'), sstr('5000'),
    ]);
    const expected = Buffer.concat([u32(entryBody.length), entryBody]);
    const entry = (xDeath as unknown as { value: { value: FieldTable }[] }).value[0]!.value;
    expect(encodeTable(entry).equals(expected)).toBe(true);
    expect(copy.message.properties.expiration).toBeUndefined();
    expect(copy.message.properties.deliveryMode).toBe(2);
    expect(copy.message.exchange).toBe('dlx');
    expect(copy.routingKeys).toEqual(['rk']);
  });

  it('a forged x-death count (float, NaN, int64 max, string) never makes the copy throw', () => {
    for (const count of [
      { type: 'double', value: 1.5 },
      { type: 'double', value: Number.NaN },
      { type: 'int64', value: 2n ** 63n - 1n },
      { type: 'string', value: 'many' },
    ] as const) {
      const forged = msg({
        headers: { 'x-death': { type: 'array', value: [{ type: 'table', value: { count, queue: { type: 'string', value: 'q' }, reason: { type: 'string', value: 'expired' } } }] } },
      });
      const copy = deadLetterCopy(forged, 'q', 'expired', 'dlx', undefined, 1000);
      const xDeath = copy.message.properties.headers?.['x-death'] as unknown as { value: { value: FieldTable }[] };
      const next = xDeath.value[0]!.value['count'];
      expect(next?.type).toBe('int64');
    }
  });

  it('keeps every other header byte for byte, whatever it holds', () => {
    const headers = encodeTable({ a: { type: 'timestamp', value: 2n ** 64n - 1n }, b: { type: 'string', value: '\udcff\udcfe' } });
    const original = msg({ headers: { a: { type: 'timestamp', value: 2n ** 64n - 1n }, b: { type: 'string', value: '\udcff\udcfe' } } });
    const copy = deadLetterCopy(original, 'q', 'expired', 'dlx', undefined, 1000);
    // The original entries come first, unchanged, then the x-* entries.
    expect(copy.message.rawProperties.subarray(6, 2 + 4 + headers.length - 4).equals(headers.subarray(4))).toBe(true);
  });

  it('increments the count of an existing (queue, reason) entry and moves it to the front', () => {
    const first = deadLetterCopy(msg({}), 'a', 'rejected', 'dlx', undefined, 1000_000);
    const second = deadLetterCopy(first.message, 'b', 'expired', 'dlx2', undefined, 2000_000);
    const third = deadLetterCopy(second.message, 'a', 'rejected', 'dlx', 'fixed', 3000_000);
    const deaths = (third.message.properties.headers!['x-death'] as unknown as { value: { value: FieldTable }[] }).value.map((v) => v.value);
    expect(deaths.map((d) => [d['queue']?.value, d['reason']?.value, d['count']?.value])).toEqual([
      ['a', 'rejected', 2],
      ['b', 'expired', 1],
    ]);
    expect(deaths[0]!['time']).toEqual({ type: 'timestamp', value: 1000 }); // first time kept
    expect(deaths[0]!['exchange']?.value).toBe('ex'); // as first recorded
    const h = third.message.properties.headers!;
    expect(h['x-first-death-queue']?.value).toBe('a');
    expect(h['x-first-death-exchange']?.value).toBe('ex');
    expect(h['x-last-death-queue']?.value).toBe('a');
    expect(h['x-last-death-exchange']?.value).toBe('dlx2');
    expect(third.routingKeys).toEqual(['fixed']);
    expect(third.message.routingKey).toBe('fixed');
  });

  it('detects cycles only when no death since the target queue was a rejection', () => {
    const d = (queue: string, reason: string): FieldTable => ({
      queue: { type: 'string', value: queue },
      reason: { type: 'string', value: reason },
    });
    expect(isDeadLetterCycle('expired', [d('q', 'expired')], 'q')).toBe(true);
    expect(isDeadLetterCycle('expired', [d('p', 'expired'), d('q', 'maxlen')], 'q')).toBe(true);
    expect(isDeadLetterCycle('expired', [d('p', 'expired'), d('x', 'rejected'), d('q', 'expired')], 'q')).toBe(false);
    expect(isDeadLetterCycle('rejected', [d('q', 'rejected')], 'q')).toBe(false);
    expect(isDeadLetterCycle('expired', [d('p', 'expired')], 'q')).toBe(false);
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
