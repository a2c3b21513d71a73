import { SessionBuilder, type Step } from './session.js';
import type { Values } from './values.js';
import { methodFrameRaw, type RawTable, type RawValue } from './wire.js';

/**
 * Seed sessions: what real clients do, built with the codec, with values drawn from `Values` (so some
 * are hostile). TTLs and delays are a few milliseconds and the sessions wait for the consequences, so
 * expiry, dead-lettering, delivery limits and delayed release happen inside the case.
 *
 * `ns` prefixes every name, so concurrent cases mostly keep to their own queues and exchanges, and the
 * broker's set of names stays bounded (ns cycles through a few dozen values).
 */
export type Seed = (v: Values, ns: string) => Step[];

const I = (v: number): RawValue => ({ tag: 'I', v });
const S = (v: string | Buffer): RawValue => ({ tag: 'S', v });

function start(v: Values): SessionBuilder {
  const r = v.rng;
  const s = new SessionBuilder();
  if (r.chance(v.poison / 4)) {
    // Hostile handshakes: odd client properties, another mechanism, a bad login or vhost.
    s.handshake({
      clientProperties: v.extremeTable(r.range(0, 6)),
      mechanism: v.name(r.pick(['PLAIN', 'AMQPLAIN', 'EXTERNAL'])),
      response: r.chance(0.5) ? Buffer.from('\0guest\0guest') : r.bytes(r.range(0, 40)),
      vhost: v.name(r.pick(['/', 'nope'])),
      frameMax: v.u32(131072),
      channelMax: v.u16(2047),
      heartbeat: v.u16(0),
    });
  } else {
    s.handshake();
  }
  return s.openChannel(1);
}

function ttlArgs(v: Values, dlx: string, extra: RawTable = []): RawTable {
  const r = v.rng;
  const args: [string | Buffer, RawValue][] = [
    ['x-message-ttl', v.argument(I(r.range(1, 15)))],
    ['x-dead-letter-exchange', v.argument(S(v.name(dlx)))],
  ];
  if (r.chance(0.5)) args.push(['x-dead-letter-routing-key', v.argument(S(v.name('dl')))]);
  return [...args, ...extra];
}

const publishPlain: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.plain`;
  const s = start(v).declareQueue(1, { name: v.name(q), exclusive: true, args: v.hostile() ? v.extremeTable(r.range(1, 4)) : [] });
  const n = r.range(1, 4);
  for (let i = 0; i < n; i++) s.publish(1, '', v.name(q), v.properties(), r.bytes(r.range(0, 300)), { mandatory: r.chance(0.3) });
  s.get(1, q).await('basic.get-ok', 1, 200).method(1, { name: 'basic.ack', deliveryTag: v.u64(1), multiple: r.chance(0.5) });
  s.get(1, q, true);
  return s.close().steps;
};

const ttlDeadLetter: Seed = (v, ns) => {
  const r = v.rng;
  const dlx = `${ns}.dlx`;
  const s = start(v)
    .declareExchange(1, v.name(dlx), r.pick(['fanout', 'direct', 'topic']))
    .declareQueue(1, { name: `${ns}.dlq`, exclusive: true })
    .bindQueue(1, `${ns}.dlq`, dlx, r.pick(['dl', '#', '']))
    .declareQueue(1, { name: `${ns}.ttl`, exclusive: true, args: ttlArgs(v, dlx) })
    .consume(1, `${ns}.dlq`, v.name('dlc'), { noAck: r.chance(0.5) })
    .await('basic.consume-ok', 1, 300);
  const n = r.range(1, 3);
  for (let i = 0; i < n; i++) {
    s.publish(1, '', `${ns}.ttl`, v.properties({ expiration: String(r.range(1, 10)), headers: v.hostile() ? v.headers() : undefined }), r.bytes(r.range(0, 64)));
  }
  s.await('basic.deliver', n, 300).method(1, { name: 'basic.ack', deliveryTag: v.u64(n), multiple: true });
  return s.close().steps;
};

const deliveryLimit: Seed = (v, ns) => {
  const r = v.rng;
  const dlx = `${ns}.dlx2`;
  const s = start(v)
    .declareExchange(1, dlx, 'fanout')
    .declareQueue(1, { name: `${ns}.dlq2`, exclusive: true })
    .bindQueue(1, `${ns}.dlq2`, dlx, '')
    .declareQueue(1, { name: `${ns}.lim`, exclusive: true, args: [['x-delivery-limit', v.argument(I(r.range(0, 2)))], ['x-dead-letter-exchange', S(dlx)]] })
    .consume(1, `${ns}.dlq2`, 'dlc', { noAck: true })
    .publish(1, '', `${ns}.lim`, v.properties({ headers: v.headers() }), r.bytes(8))
    .consume(1, `${ns}.lim`, v.name('lc'));
  for (let i = 1; i <= 4; i++) {
    s.await('basic.deliver', i, 200);
    const how = r.int(3);
    if (how === 0) s.method(1, { name: 'basic.nack', deliveryTag: v.u64(i), multiple: false, requeue: true });
    else if (how === 1) s.method(1, { name: 'basic.reject', deliveryTag: v.u64(i), requeue: true });
    else s.method(1, { name: 'basic.recover', requeue: true });
  }
  return s.close().steps;
};

const maxLength: Seed = (v, ns) => {
  const r = v.rng;
  const dlx = `${ns}.dlx3`;
  const s = start(v)
    .method(1, { name: 'confirm.select', nowait: false })
    .declareExchange(1, dlx, 'fanout')
    .declareQueue(1, { name: `${ns}.dlq3`, exclusive: true })
    .bindQueue(1, `${ns}.dlq3`, dlx, '')
    .declareQueue(1, {
      name: `${ns}.len`,
      exclusive: true,
      args: [
        ['x-max-length', v.argument(I(r.range(0, 2)))],
        ...(r.chance(0.5) ? ([['x-max-length-bytes', v.argument(I(r.range(0, 100)))]] as const) : []),
        ['x-overflow', v.argument(S(r.pick(['drop-head', 'reject-publish', 'reject-publish-dlx'])))],
        ['x-dead-letter-exchange', S(dlx)],
      ],
    });
  const n = r.range(2, 5);
  for (let i = 0; i < n; i++) s.publish(1, '', `${ns}.len`, v.properties({ headers: v.hostile() ? v.headers() : undefined }), r.bytes(r.range(0, 80)));
  s.await('basic.ack', 1, 200).get(1, `${ns}.dlq3`, true).get(1, `${ns}.len`, true);
  return s.close().steps;
};

const priority: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.prio`;
  const s = start(v)
    .declareQueue(1, { name: q, exclusive: true, args: [['x-max-priority', v.argument(I(r.range(1, 10)))]] })
    .method(1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: v.u16(r.range(0, 3)), global: r.chance(0.3) });
  const n = r.range(1, 5);
  for (let i = 0; i < n; i++) s.publish(1, '', q, v.properties({ priority: r.pick([0, 1, 5, 9, 10, 255]) }), r.bytes(4));
  s.consume(1, q, v.name('pc'), { args: r.chance(0.3) ? [['x-priority', v.argument(I(r.range(-5, 5)))]] : [] }).await('basic.deliver', Math.min(n, 2), 200);
  s.method(1, { name: 'basic.ack', deliveryTag: v.u64(0), multiple: true });
  return s.close().steps;
};

const delayed: Seed = (v, ns) => {
  const r = v.rng;
  const x = `${ns}.delay`;
  const q = `${ns}.dq`;
  const s = start(v)
    .declareExchange(1, v.name(x), 'x-delayed-message', [['x-delayed-type', v.argument(S(r.pick(['direct', 'fanout', 'topic', 'headers', 'x-delayed-message'])))]], { durable: r.chance(0.2) })
    .declareQueue(1, { name: q, exclusive: true })
    .bindQueue(1, q, x, 'k')
    .consume(1, q, 'dc', { noAck: true });
  const n = r.range(1, 3);
  for (let i = 0; i < n; i++) {
    const delay = v.argument(r.chance(0.5) ? I(r.range(0, 15)) : { tag: 'l', v: BigInt(r.range(-5, 15)) });
    s.publish(1, x, v.name('k'), v.properties({ headers: [['x-delay', delay], ...(v.hostile() ? v.headers() : [])] }), r.bytes(8), { mandatory: r.chance(0.5) });
  }
  s.await('basic.deliver', n, 300);
  return s.method(1, { name: 'exchange.delete', ticket: 0, exchange: x, ifUnused: false, nowait: false }).close().steps;
};

const mandatoryReturn: Seed = (v, ns) => {
  const r = v.rng;
  const s = start(v).declareExchange(1, v.name(`${ns}.ret`), r.pick(['direct', 'topic', 'headers', 'fanout']), [], { autoDelete: r.chance(0.3) });
  const n = r.range(1, 3);
  for (let i = 0; i < n; i++) s.publish(1, r.chance(0.5) ? `${ns}.ret` : 'amq.direct', v.name('nowhere'), v.properties(), r.bytes(r.range(0, 100)), { mandatory: true });
  return s.await('basic.return', n, 200).close().steps;
};

const transactions: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.tx`;
  const s = start(v).declareQueue(1, { name: q, exclusive: true }).method(1, { name: 'tx.select' });
  for (let i = 0; i < r.range(1, 3); i++) s.publish(1, '', q, v.properties(), r.bytes(10));
  s.method(1, r.chance(0.5) ? { name: 'tx.commit' } : { name: 'tx.rollback' });
  s.get(1, q).await('basic.get-ok', 1, 200).method(1, { name: 'basic.ack', deliveryTag: v.u64(1), multiple: false });
  s.method(1, r.chance(0.5) ? { name: 'tx.rollback' } : { name: 'tx.commit' });
  if (r.chance(0.3)) s.method(1, { name: 'confirm.select', nowait: false }); // not allowed on a tx channel
  return s.close().steps;
};

const confirms: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.cf`;
  const s = start(v)
    .method(1, { name: 'confirm.select', nowait: r.chance(0.3) })
    .declareQueue(1, { name: q, durable: r.chance(0.3), autoDelete: true, exclusive: r.chance(0.7) });
  const n = r.range(1, 5);
  for (let i = 0; i < n; i++) s.publish(1, '', q, v.properties({ persistent: r.chance(0.5) }), r.bytes(r.range(0, 200)), { mandatory: r.chance(0.2) });
  s.await('basic.ack', 1, 300);
  if (r.chance(0.3)) s.method(1, { name: 'tx.select' }); // not allowed on a confirm channel
  s.method(1, { name: 'queue.delete', ticket: 0, queue: q, ifUnused: false, ifEmpty: false, nowait: false });
  return s.close().steps;
};

const topology: Seed = (v, ns) => {
  const r = v.rng;
  const a = `${ns}.ta`;
  const b = `${ns}.tb`;
  const q = `${ns}.tq`;
  const type = v.hostile() ? r.pick(['x-consistent-hash', 'bogus', '']) : r.pick(['topic', 'headers', 'direct', 'fanout']);
  const s = start(v)
    .declareExchange(1, v.name(a), type, v.hostile() ? v.extremeTable(r.range(1, 3)) : [['alternate-exchange', S(v.name(b))]], { autoDelete: true })
    .declareExchange(1, b, 'fanout', [], { internal: r.chance(0.3), autoDelete: true })
    .bindExchange(1, b, a, v.name('a.*.#'))
    .declareQueue(1, { name: q, exclusive: true, args: v.hostile() ? v.wideTable(r.range(100, 130_000)) : [['x-expires', v.argument(I(r.range(1, 1000)))]] })
    .bindQueue(1, q, b, v.name('#'), type === 'headers' ? [['x-match', v.argument(S(r.pick(['all', 'any', 'all-with-x', 'any-with-x', 'none'])))], ['h', v.hostile() ? v.extremeValue() : S('x')]] : []);
  s.publish(1, a, v.name('a.b.c'), v.properties({ headers: type === 'headers' ? [['h', v.hostile() ? v.extremeValue() : S('x')]] : undefined }), r.bytes(5));
  s.get(1, q, true);
  s.method(1, { name: 'queue.purge', ticket: 0, queue: q, nowait: false });
  s.send(methodFrameRaw(1, { name: 'queue.unbind', ticket: 0, queue: q, exchange: b, routingKey: '#', arguments: {} }, {}));
  s.method(1, { name: 'exchange.unbind', ticket: 0, destination: b, source: a, routingKey: 'a.*.#', nowait: false, arguments: {} });
  s.method(1, { name: 'exchange.delete', ticket: 0, exchange: a, ifUnused: r.chance(0.5), nowait: false });
  return s.close().steps;
};

const consumeCycle: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.cc`;
  const tag = v.name('ct');
  const s = start(v)
    .declareQueue(1, { name: q, exclusive: true, args: r.chance(0.3) ? [['x-single-active-consumer', { tag: 't', v: 1 }]] : [] })
    .method(1, { name: 'basic.qos', prefetchSize: v.u32(0), prefetchCount: v.u16(1), global: false })
    .consume(1, q, tag, { exclusive: r.chance(0.3), args: v.hostile() ? v.extremeTable(2) : [] });
  for (let i = 0; i < 3; i++) s.publish(1, '', q, v.properties(), r.bytes(3));
  s.await('basic.deliver', 1, 200);
  s.method(1, r.pick([
    { name: 'basic.reject', deliveryTag: v.u64(1), requeue: r.chance(0.5) },
    { name: 'basic.nack', deliveryTag: v.u64(1), multiple: r.chance(0.5), requeue: r.chance(0.5) },
    { name: 'basic.ack', deliveryTag: v.u64(1), multiple: false },
  ] as const));
  s.method(1, { name: 'basic.recover', requeue: r.chance(0.5) });
  s.send(methodFrameRaw(1, { name: 'basic.cancel', consumerTag: typeof tag === 'string' ? tag : '', nowait: r.chance(0.3) }, typeof tag === 'string' ? {} : { consumerTag: tag }));
  s.method(1, { name: 'channel.flow', active: r.chance(0.5) });
  s.method(1, { name: 'channel.close', replyCode: 200, replyText: 'done', classId: 0, methodId: 0 });
  return s.await('channel.close-ok', 1, 200).close().steps;
};

const multiChannel: Seed = (v, ns) => {
  const r = v.rng;
  const s = start(v);
  const channels = r.range(2, 5);
  for (let c = 2; c <= channels; c++) s.openChannel(v.u16(c));
  for (let c = 1; c <= channels; c++) {
    const q = `${ns}.mc${c}`;
    s.declareQueue(c, { name: q, exclusive: true, args: ttlArgs(v, 'amq.fanout') }).publish(c, '', q, v.properties(), r.bytes(4), { frameMax: 4096 });
  }
  s.sleep(r.range(5, 20));
  if (r.chance(0.5)) s.method(0, { name: 'connection.close', replyCode: v.u16(200), replyText: 'x', classId: 0, methodId: 0 });
  return s.steps;
};

const largeMessage: Seed = (v, ns) => {
  const r = v.rng;
  const q = `${ns}.big`;
  const body = r.bytes(r.range(1000, 300_000));
  const s = start(v).declareQueue(1, { name: q, exclusive: true }).publish(1, '', q, v.properties(), body, { frameMax: r.pick([4096, 131072]), bodySize: r.chance(0.2) ? v.u32(body.length) : body.length });
  return s.get(1, q, true).await('basic.get-ok', 1, 500).close().steps;
};

export const SEEDS: readonly (readonly [name: string, seed: Seed])[] = [
  ['publish-get', publishPlain],
  ['ttl-dead-letter', ttlDeadLetter],
  ['delivery-limit', deliveryLimit],
  ['max-length', maxLength],
  ['priority', priority],
  ['delayed-exchange', delayed],
  ['mandatory-return', mandatoryReturn],
  ['tx', transactions],
  ['confirms', confirms],
  ['topology', topology],
  ['consume-cycle', consumeCycle],
  ['multi-channel', multiChannel],
  ['large-message', largeMessage],
];
