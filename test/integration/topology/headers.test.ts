/**
 * The headers exchange: x-match all / any / all-with-x / any-with-x, void values as presence
 * tests, and value comparison across AMQP types. Each binding's expected messages are what
 * RabbitMQ 3.10 delivered for the same bindings and publishes (integer vs float header values are
 * left out: 3.10 compares them with ==, 3.13+ with =:=, see the report).
 */
import { describe, expect, it } from 'vitest';
import { confirmChannel, drainBodies, sharedBroker } from './support.js';

const { connect, connectClient } = sharedBroker();

const int = (t: string, value: number) => ({ '!': t, value });

// Published once each, the body naming the case.
const messages: Record<string, Record<string, unknown> | undefined> = {
  int8: { v: 5 },
  int32: { v: int('int32', 5) },
  int64: { v: int('int64', 5) },
  uint8: { v: int('uint8', 5) },
  timestamp: { v: int('timestamp', 5) },
  string: { v: '5' },
  bytes: { v: Buffer.from('5') },
  bool: { v: true },
  boolAsInt: { v: 1 },
  void: { v: null },
  a1: { a: 1 },
  a1b2: { a: 1, b: 2 },
  a1b3: { a: 1, b: 3 },
  xk: { 'x-k': 'y' },
  z: { z: 1 },
  emptyHeaders: {},
  noHeaders: undefined,
};
const all = Object.keys(messages);
const withV = ['int8', 'int32', 'int64', 'uint8', 'timestamp', 'string', 'bytes', 'bool', 'boolAsInt', 'void'];
const ints = ['int8', 'int32', 'int64', 'uint8', 'timestamp'];

const bindings: Record<string, { args: Record<string, unknown>; expected: string[] }> = {
  'int8 5, x-match all': { args: { 'x-match': 'all', v: 5 }, expected: ints },
  'int32 5 (width does not matter)': { args: { v: int('int32', 5) }, expected: ints },
  'int64 5': { args: { v: int('int64', 5) }, expected: ints },
  "string '5' (not an integer)": { args: { v: '5' }, expected: ['string', 'bytes'] },
  'bool true (not the integer 1)': { args: { v: true }, expected: ['bool'] },
  'void: presence of the header': { args: { v: null }, expected: withV },
  'any a=1 b=2': { args: { 'x-match': 'any', a: 1, b: 2 }, expected: ['a1', 'a1b2', 'a1b3'] },
  'all a=1 b=2': { args: { 'x-match': 'all', a: 1, b: 2 }, expected: ['a1b2'] },
  'all-with-x x-k=y': { args: { 'x-match': 'all-with-x', 'x-k': 'y' }, expected: ['xk'] },
  'any-with-x x-k=y z=1': { args: { 'x-match': 'any-with-x', 'x-k': 'y', z: 1 }, expected: ['xk', 'z'] },
  'all ignores x- arguments': { args: { 'x-match': 'all', 'x-k': 'y' }, expected: all },
  'any ignores x- arguments': { args: { 'x-match': 'any', 'x-k': 'y' }, expected: [] },
  'all with no arguments': { args: { 'x-match': 'all' }, expected: all },
  'any with no arguments': { args: { 'x-match': 'any' }, expected: [] },
  'no x-match means all': { args: { a: 1, b: 2 }, expected: ['a1b2'] },
};

describe('headers exchange', () => {
  it('matches each binding as RabbitMQ does', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('h.x', 'headers', { durable: false });
    const names = Object.keys(bindings);
    const queues: string[] = [];
    for (const name of names) {
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, 'h.x', 'ignored key', bindings[name]!.args);
      queues.push(queue);
    }
    for (const [name, headers] of Object.entries(messages)) {
      ch.publish('h.x', 'any key', Buffer.from(name), headers === undefined ? {} : { headers });
    }
    await ch.waitForConfirms();
    const got: Record<string, string[]> = {};
    const want: Record<string, string[]> = {};
    for (const [i, name] of names.entries()) {
      got[name] = await drainBodies(ch, queues[i]!);
      want[name] = bindings[name]!.expected;
    }
    expect(got).toEqual(want);
  });

  it('treats bindings with other arguments as distinct, and unbinds by arguments', async () => {
    const ch = await confirmChannel(await connect());
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'amq.match', '', { 'x-match': 'any', color: 'red' });
    await ch.bindQueue(queue, 'amq.match', '', { 'x-match': 'any', color: 'blue' });
    ch.publish('amq.match', '', Buffer.from('red'), { headers: { color: 'red' } });
    ch.publish('amq.match', '', Buffer.from('blue'), { headers: { color: 'blue' } });
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['red', 'blue']);
    await ch.unbindQueue(queue, 'amq.match', '', { 'x-match': 'any', color: 'red' });
    ch.publish('amq.match', '', Buffer.from('red'), { headers: { color: 'red' } });
    ch.publish('amq.match', '', Buffer.from('blue'), { headers: { color: 'blue' } });
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['blue']);
  });

  it('refuses an invalid x-match with 406', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const err = await ch.bindQueue(queue, 'amq.headers', '', { 'x-match': 'most' }).then(
      () => undefined,
      (e: { code?: number; message: string }) => e,
    );
    expect(err?.code).toBe(406);
    expect(err?.message).toMatch(/PRECONDITION_FAILED - Invalid x-match field value .*most.*; expected all, any, all-with-x, or any-with-x/);
  });

  it('matches int32 values sent by @cloudamqp/amqp-client against int8 bindings from amqplib', async () => {
    const ch = await confirmChannel(await connect());
    const { queue } = await ch.assertQueue('h.cross-client', { exclusive: false, durable: false });
    await ch.bindQueue(queue, 'amq.headers', '', { 'x-match': 'all', n: 7, s: 'x' }); // amqplib: n as int8
    const client = await connectClient();
    const cch = await client.channel();
    await cch.confirmSelect();
    await cch.basicPublish('amq.headers', '', 'int32 header', { headers: { n: 7, s: 'x' } }); // amqp-client: n as int32
    await cch.basicPublish('amq.headers', '', 'other value', { headers: { n: 8, s: 'x' } });
    expect(await drainBodies(ch, queue)).toEqual(['int32 header']);
    await ch.deleteQueue(queue);
  });
});
