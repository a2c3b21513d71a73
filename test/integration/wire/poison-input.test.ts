import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BrokerProcess, internalErrorSignature } from '../../fuzz/broker-process.js';
import { roundTrip } from '../../fuzz/health.js';
import { judge, playSession, PROPER_REPLY_CODES } from '../../fuzz/play.js';
import type { Reproducer } from '../../fuzz/cases.js';
import { deserializeSteps, SessionBuilder } from '../../fuzz/session.js';
import { propertiesBytes, rawPropertiesBytes, type RawTable } from '../../fuzz/wire.js';

/**
 * Poison input found by fuzzing: bytes a client may send that the broker accepted and later failed to
 * write back out, from a timer or a delivery, where nothing catches the error. Each case replays the
 * bytes over a real socket to a real broker process and asserts that the process is still running, that
 * the poisoned connection got no 541 INTERNAL_ERROR (a proper refusal is fine), and that another client
 * still round-trips.
 *
 * The three classes: (1) invalid UTF-8 in a shortstr is decoded with U+FFFD (3 bytes each), so 100
 * bytes of 0xFF come back as 300 and cannot be re-encoded; (2) a header timestamp above 2^53
 * (0xFFFFFFFFFFFFFFFF) cannot be re-encoded when the headers are rewritten; (3) a property list cut short
 * is accepted at publish and first decoded when the message is dead-lettered. Each crashed the broker
 * process (or, where the error was caught, answered 541 after a half-written frame) when written.
 */

const POISON = Buffer.alloc(100, 0xff);
/** Exchanges outlive the connection that declared them: each case poisons a name of its own. */
const poison = (n: number): Buffer => Buffer.alloc(n, 0xff);
const TTL = 10;

let broker: BrokerProcess | undefined;

async function liveBroker(): Promise<BrokerProcess> {
  if (broker === undefined || !broker.alive) {
    await broker?.stop();
    broker = await BrokerProcess.start();
  }
  return broker;
}

afterEach(async () => {
  // A crashed broker is replaced before the next case, so one failure does not fail the rest.
  if (broker !== undefined && !broker.alive) {
    await broker.stop();
    broker = undefined;
  }
});

afterAll(async () => {
  await broker?.stop();
});

const int = (v: number): RawTable[number][1] => ({ tag: 'I', v });
const str = (v: string | Buffer): RawTable[number][1] => ({ tag: 'S', v });

/**
 * Plays the session, lets its consequences happen, then probes the poisoned connection (a new channel
 * must open, unless the broker closed the connection with a proper code), and checks the broker process
 * survived and still serves another client.
 */
async function expectSurvives(session: SessionBuilder): Promise<void> {
  const b = await liveBroker();
  b.errorLogs.length = 0;
  session.sleep(150).openChannel(9).await('channel.open-ok', 2, 2000);
  const outcome = await playSession(session.steps, { port: b.port, settleMs: 50, maxMs: 8000 });
  // Timers the session started (TTL, delays) may fire after it ended; give them time to.
  await new Promise((r) => setTimeout(r, 100));
  const health = b.alive ? await roundTrip(b.port) : 'broker process exited';
  const crash = b.alive ? '' : `broker exited (${JSON.stringify(b.exit)}):\n${b.stderr}`;
  expect(crash, 'the broker process must keep running').toBe('');
  expect(health, 'another client must still round-trip').toBeUndefined();
  const findings = judge(outcome).filter((f) => !f.startsWith('socket dropped'));
  const internal = b.errorLogs.filter((e) => e['msg'] === 'internal error').map((e) => internalErrorSignature(e));
  expect({ findings, internal }, 'the poisoned connection gets a proper reply code, never a 541 or corrupt bytes').toEqual({ findings: [], internal: [] });
  const closedProperly = outcome.connectionCloses.some((c) => PROPER_REPLY_CODES.has(c));
  const answered = (outcome.methods.get('channel.open-ok') ?? 0) >= 2;
  expect(closedProperly || answered, `the poisoned connection still answers (or was closed with a proper code): ${JSON.stringify([...outcome.methods])}`).toBe(true);
}

function opened(): SessionBuilder {
  return new SessionBuilder().handshake().openChannel(1).await('channel.open-ok');
}

const plain = propertiesBytes({});

describe('invalid UTF-8 in a shortstr (100 bytes of 0xFF, re-encoded as 300)', () => {
  it('an exchange name, on delivery', async () => {
    const s = opened()
      .declareExchange(1, POISON, 'direct')
      .declareQueue(1, { name: 'poison.ex.deliver', exclusive: true })
      .bindQueue(1, 'poison.ex.deliver', POISON, 'k')
      .consume(1, 'poison.ex.deliver', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, POISON, 'k', plain, Buffer.from('x'));
    await expectSurvives(s);
  });

  it('an exchange name, on a return (mandatory, unroutable)', async () => {
    const s = opened()
      .declareExchange(1, poison(101), 'direct')
      .await('exchange.declare-ok')
      .publish(1, poison(101), 'nowhere', plain, Buffer.from('x'), { mandatory: true });
    await expectSurvives(s);
  });

  it('an exchange name as the dead-letter exchange, delivered after TTL expiry', async () => {
    const s = opened()
      .declareExchange(1, poison(102), 'fanout')
      .declareQueue(1, { name: 'poison.ex.dlq', exclusive: true })
      .bindQueue(1, 'poison.ex.dlq', poison(102), '')
      .declareQueue(1, { name: 'poison.ex.src', exclusive: true, args: [['x-message-ttl', int(TTL)], ['x-dead-letter-exchange', str(poison(102))]] })
      .consume(1, 'poison.ex.dlq', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, '', 'poison.ex.src', plain, Buffer.from('x'))
      .await('basic.deliver', 1, 2000);
    await expectSurvives(s);
  });

  it('a routing key, on delivery', async () => {
    const s = opened()
      .declareExchange(1, 'poison.rk.fanout', 'fanout')
      .declareQueue(1, { name: 'poison.rk.deliver', exclusive: true })
      .bindQueue(1, 'poison.rk.deliver', 'poison.rk.fanout', '')
      .consume(1, 'poison.rk.deliver', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, 'poison.rk.fanout', POISON, plain, Buffer.from('x'));
    await expectSurvives(s);
  });

  it('a routing key, on a return (mandatory, unroutable)', async () => {
    const s = opened().publish(1, 'amq.direct', POISON, plain, Buffer.from('x'), { mandatory: true });
    await expectSurvives(s);
  });

  it('a routing key, dead-lettered by TTL expiry (x-death routing-keys)', async () => {
    const s = opened()
      .declareExchange(1, 'poison.rk.src', 'fanout')
      .declareExchange(1, 'poison.rk.dlx', 'fanout')
      .declareQueue(1, { name: 'poison.rk.dlq', exclusive: true })
      .bindQueue(1, 'poison.rk.dlq', 'poison.rk.dlx', '')
      .declareQueue(1, { name: 'poison.rk.ttl', exclusive: true, args: [['x-message-ttl', int(TTL)], ['x-dead-letter-exchange', str('poison.rk.dlx')]] })
      .bindQueue(1, 'poison.rk.ttl', 'poison.rk.src', '')
      .consume(1, 'poison.rk.dlq', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, 'poison.rk.src', POISON, plain, Buffer.from('x'))
      .await('basic.deliver', 1, 2000);
    await expectSurvives(s);
  });

  it('a consumer tag, on delivery', async () => {
    const s = opened()
      .declareQueue(1, { name: 'poison.tag', exclusive: true })
      .consume(1, 'poison.tag', POISON, { noAck: true })
      .publish(1, '', 'poison.tag', plain, Buffer.from('x'));
    await expectSurvives(s);
  });
});

describe('invalid UTF-8 in a property shortstr (message-id of 100 bytes of 0xFF), found by the fuzzer', () => {
  it('redelivered, when x-delivery-count is added to the headers', async () => {
    const s = opened()
      .declareQueue(1, { name: 'poison.mid.limit', exclusive: true, args: [['x-delivery-limit', int(5)]] })
      .publish(1, '', 'poison.mid.limit', rawPropertiesBytes({ messageId: POISON }), Buffer.from('x'))
      .consume(1, 'poison.mid.limit', 'c1')
      .await('basic.deliver', 1)
      .method(1, { name: 'basic.nack', deliveryTag: 1, multiple: false, requeue: true })
      .await('basic.deliver', 2, 2000);
    await expectSurvives(s);
  });

  it('dead-lettered by TTL expiry', async () => {
    const s = opened()
      .declareExchange(1, 'poison.mid.dlx', 'fanout')
      .declareQueue(1, { name: 'poison.mid.dlq', exclusive: true })
      .bindQueue(1, 'poison.mid.dlq', 'poison.mid.dlx', '')
      .declareQueue(1, { name: 'poison.mid.ttl', exclusive: true, args: [['x-message-ttl', int(TTL)], ['x-dead-letter-exchange', str('poison.mid.dlx')]] })
      .consume(1, 'poison.mid.dlq', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, '', 'poison.mid.ttl', rawPropertiesBytes({ messageId: POISON }), Buffer.from('x'))
      .await('basic.deliver', 1, 2000);
    await expectSurvives(s);
  });
});

const HUGE_TIMESTAMP: RawTable = [['stamp', { tag: 'T', v: 0xffffffffffffffffn }]];

describe('a header timestamp of 0xFFFFFFFFFFFFFFFF', () => {
  it('dead-lettered by TTL expiry', async () => {
    const s = opened()
      .declareExchange(1, 'poison.ts.dlx', 'fanout')
      .declareQueue(1, { name: 'poison.ts.dlq', exclusive: true })
      .bindQueue(1, 'poison.ts.dlq', 'poison.ts.dlx', '')
      .declareQueue(1, { name: 'poison.ts.ttl', exclusive: true, args: [['x-message-ttl', int(TTL)], ['x-dead-letter-exchange', str('poison.ts.dlx')]] })
      .consume(1, 'poison.ts.dlq', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, '', 'poison.ts.ttl', rawPropertiesBytes({ headers: HUGE_TIMESTAMP }), Buffer.from('x'))
      .await('basic.deliver', 1, 2000);
    await expectSurvives(s);
  });

  it('dead-lettered by the delivery limit', async () => {
    const s = opened()
      .declareExchange(1, 'poison.dl.dlx', 'fanout')
      .declareQueue(1, { name: 'poison.dl.dlq', exclusive: true })
      .bindQueue(1, 'poison.dl.dlq', 'poison.dl.dlx', '')
      .declareQueue(1, { name: 'poison.dl.src', exclusive: true, args: [['x-delivery-limit', int(1)], ['x-dead-letter-exchange', str('poison.dl.dlx')]] })
      .consume(1, 'poison.dl.dlq', 'c2', { noAck: true })
      .publish(1, '', 'poison.dl.src', rawPropertiesBytes({ headers: HUGE_TIMESTAMP }), Buffer.from('x'))
      .consume(1, 'poison.dl.src', 'c1')
      .await('basic.deliver', 1)
      .method(1, { name: 'basic.nack', deliveryTag: 1, multiple: false, requeue: true })
      .await('basic.deliver', 2)
      .method(1, { name: 'basic.nack', deliveryTag: 2, multiple: false, requeue: true })
      // The third delivery is the dead-lettered copy, to the consumer on the dead-letter queue.
      .await('basic.deliver', 3, 2000);
    await expectSurvives(s);
  });
});

describe('a content-header property list cut short', () => {
  it('accepted at publish, decoded when dead-lettered by TTL expiry', async () => {
    // Flags say content-type, message-id and timestamp follow; only content-type is there. The
    // publish path checks the list only up to expiration, so this is accepted and decoded later.
    const truncated = Buffer.from([0x80, 0xc0, 0x04, 0x74, 0x65, 0x78, 0x74]);
    const s = opened()
      .declareExchange(1, 'poison.tr.dlx', 'fanout')
      .declareQueue(1, { name: 'poison.tr.dlq', exclusive: true })
      .bindQueue(1, 'poison.tr.dlq', 'poison.tr.dlx', '')
      .declareQueue(1, { name: 'poison.tr.ttl', exclusive: true, args: [['x-message-ttl', int(TTL)], ['x-dead-letter-exchange', str('poison.tr.dlx')]] })
      .consume(1, 'poison.tr.dlq', 'c1', { noAck: true })
      .await('basic.consume-ok')
      .publish(1, '', 'poison.tr.ttl', truncated, Buffer.from('x'))
      .await('basic.deliver', 1, 2000);
    await expectSurvives(s);
  });
});

/** Crashes the fuzzer saved (one per stack signature, each one that crashed a fresh broker alone). */
const REPRODUCERS = fileURLToPath(new URL('../../../fixtures/fuzz/crashes/', import.meta.url));
const saved = readdirSync(REPRODUCERS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, r: JSON.parse(readFileSync(REPRODUCERS + f, 'utf8')) as Reproducer }));

describe('saved fuzz reproducers', () => {
  it.each(saved)('$file: $r.signature', async ({ r }) => {
    const b = await liveBroker();
    // Full await timeouts and a long settle: time for the consequences (TTL, dead-lettering) to happen
    // while the case's exclusive queues still exist.
    await playSession(deserializeSteps(r.steps), { port: b.port, splitPoints: r.splitPoints, settleMs: 300 });
    await new Promise((res) => setTimeout(res, 200));
    const crash = b.alive ? '' : `broker exited (${JSON.stringify(b.exit)}):\n${b.stderr}`;
    expect(crash, 'the broker process must keep running').toBe('');
    expect(await roundTrip(b.port), 'another client must still round-trip').toBeUndefined();
  });
});
