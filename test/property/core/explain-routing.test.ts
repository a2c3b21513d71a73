import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainMessage, explainRoute } from '../../../src/core/inspect/explain.js';
import { brokerPrincipal } from '../../../src/core/principal.js';
import { VirtualHost } from '../../../src/core/vhost.js';
import type { FieldTable } from '../../../src/protocol/field-table.js';
import { ManualClock } from '../../../src/util/manual-clock.js';

/*
 * Explain can never disagree with routing: for random topologies of direct, topic, fanout and headers
 * exchanges with queue and exchange-to-exchange bindings and alternate exchanges (cycles included), the
 * queues explain names are exactly those a real publish through the vhost's publish path lands in.
 */

const TYPES = ['direct', 'topic', 'fanout', 'headers'] as const;
const WORDS = ['a', 'b', 'c'];
const word = fc.constantFrom(...WORDS);
const routingKey = fc.array(word, { minLength: 0, maxLength: 3 }).map((w) => w.join('.'));
const bindingKey = fc.array(fc.constantFrom(...WORDS, '*', '#'), { minLength: 0, maxLength: 3 }).map((w) => w.join('.'));
const headerValue = fc.constantFrom<unknown>(1, 2, 'x', 'y');
const headers = fc.dictionary(fc.constantFrom('h1', 'h2', 'h3'), headerValue, { maxKeys: 3 });

interface Topology {
  readonly exchanges: { type: (typeof TYPES)[number]; ae: number | undefined }[];
  readonly queues: number;
  readonly bindings: { source: number; toExchange: boolean; destination: number; key: string; match: 'all' | 'any'; args: Record<string, unknown> }[];
}

const topology: fc.Arbitrary<Topology> = fc
  .record({ nx: fc.integer({ min: 1, max: 6 }), nq: fc.integer({ min: 1, max: 6 }) })
  .chain(({ nx, nq }) =>
    fc.record({
      exchanges: fc.array(fc.record({ type: fc.constantFrom(...TYPES), ae: fc.option(fc.integer({ min: 0, max: nx - 1 }), { nil: undefined }) }), { minLength: nx, maxLength: nx }),
      queues: fc.constant(nq),
      bindings: fc.array(
        fc.record({
          source: fc.integer({ min: 0, max: nx - 1 }),
          toExchange: fc.boolean(),
          destination: fc.integer({ min: 0, max: Math.max(nx, nq) - 1 }),
          key: fc.oneof(bindingKey, routingKey),
          match: fc.constantFrom('all' as const, 'any' as const),
          args: headers,
        }),
        { maxLength: 16 },
      ),
    }),
  );

function tableOf(json: Record<string, unknown>): FieldTable {
  const t: Record<string, FieldTable[string]> = {};
  for (const [k, v] of Object.entries(json)) t[k] = typeof v === 'number' ? { type: 'int32', value: v } : { type: 'string', value: String(v) };
  return t;
}

function build(t: Topology): VirtualHost {
  const vhost = new VirtualHost('/', new ManualClock(0));
  const owner = brokerPrincipal('/');
  t.exchanges.forEach((x, i) => {
    const args: FieldTable = x.ae === undefined ? {} : { 'alternate-exchange': { type: 'string', value: `x${x.ae}` } };
    vhost.declareExchange({ name: `x${i}`, type: x.type, passive: false, durable: false, autoDelete: false, internal: false, arguments: args });
  });
  for (let q = 0; q < t.queues; q++) vhost.declareQueue({ name: `q${q}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, owner);
  for (const b of t.bindings) {
    const type = t.exchanges[b.source]?.type;
    const args = type === 'headers' ? { 'x-match': { type: 'string', value: b.match } as const, ...tableOf(b.args) } : {};
    if (b.toExchange) {
      if (b.destination < t.exchanges.length) vhost.bindExchange(`x${b.destination}`, `x${b.source}`, b.key, args);
    } else if (b.destination < t.queues) {
      vhost.bindQueue(`q${b.destination}`, `x${b.source}`, b.key, args, owner);
    }
  }
  return vhost;
}

describe('explain agrees with routing', () => {
  it('names exactly the queues a real publish lands in', () => {
    fc.assert(
      fc.property(topology, fc.integer({ min: -1, max: 5 }), routingKey, headers, fc.boolean(), (t, at, key, hdrs, toQueueName) => {
        const vhost = build(t);
        const exchangeName = at < 0 || at >= t.exchanges.length ? '' : `x${at}`;
        const rk = exchangeName === '' && toQueueName ? `q${Math.abs(at) % t.queues}` : key;
        const request = { routing_key: rk, headers: hdrs };
        const exchange = vhost.getExchange(exchangeName);
        const explained = explainRoute(vhost, exchange, explainMessage(exchangeName, request).message, explainMessage(exchangeName, request).routingKeys);
        const before = new Map([...vhost.queues].map(([n, q]) => [n, q.messageCount]));
        const { message, routingKeys } = explainMessage(exchangeName, request);
        const result = vhost.publish(exchange, message, routingKeys, false);
        const landed = [...vhost.queues].filter(([n, q]) => q.messageCount > (before.get(n) ?? 0)).map(([n]) => n);
        expect([...explained.queues].sort()).toEqual(landed.sort());
        expect(explained.routed).toBe(result.routed);
        // Every listed binding leads somewhere the walk went: its destination is a queue reached or an exchange followed.
        for (const b of explained.bindings) if (b.destinationType === 'queue') expect(explained.queues).toContain(b.destination);
      }),
      { numRuns: 500 },
    );
  });
});
