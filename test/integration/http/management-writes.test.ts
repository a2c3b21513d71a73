import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * The management API's write endpoints for queues, exchanges and bindings, over HTTP against a real
 * Warren and, with MGMT_REFERENCE_URL=http://guest:guest@127.0.0.1:PORT (and MGMT_REFERENCE_AMQP),
 * the same scenarios against RabbitMQ: status codes, error bodies, Location headers and the JSON of a
 * get must be the same. The effect is checked over AMQP with amqplib. Where RabbitMQ 4.x answers
 * differently from 3.10, the 4.x answer is asserted on Warren only (README, deviations).
 */

const REFERENCE = process.env['MGMT_REFERENCE_URL'];
const REFERENCE_AMQP = process.env['MGMT_REFERENCE_AMQP'] ?? 'amqp://guest:guest@127.0.0.1:5672';

interface Target {
  readonly name: string;
  readonly base: string;
  readonly amqpUrl: string;
  addUser(name: string, tags: string, perms?: { configure: string; write: string; read: string }): Promise<void>;
  readonly warren: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly location: string | null;
}

function client(base: string) {
  return async (method: string, path: string, body?: unknown, user = 'guest:guest'): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: 'Basic ' + Buffer.from(user).toString('base64'), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? '' : JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed, location: res.headers.get('location') };
  };
}

const bad = (reason: unknown) => ({ error: 'bad_request', reason });
const refused = { error: 'not_authorised', reason: 'Access refused.' };
const objectNotFound = { error: 'Object Not Found', reason: 'Not Found' };
/** 3.10 names no permission in the text ("access to"); 4.x does ("read access to"), as Warren. */
const accessText = (perm: string, rest: string) => new RegExp(`ACCESS_REFUSED - (${perm} )?access to ${rest}`);

let broker: Broker;
let closeBroker: () => Promise<void>;
const targets: Target[] = [];

beforeAll(async () => {
  ({ broker, close: closeBroker } = await openBroker({ managementPort: 0 }));
  targets.push({
    name: 'warren',
    base: `http://127.0.0.1:${broker.managementPort as number}`,
    amqpUrl: broker.url,
    warren: true,
    addUser: async (name, tags, perms) => {
      await broker.users.put({ name, password: name, tags: tags === '' ? [] : [tags] });
      if (perms !== undefined) await broker.permissions.set({ user: name, vhost: '/', ...perms });
    },
  });
  if (REFERENCE !== undefined) {
    const u = new URL(REFERENCE);
    const base = `${u.protocol}//${u.host}`;
    const http = client(base);
    targets.push({
      name: 'rabbitmq',
      base,
      amqpUrl: REFERENCE_AMQP,
      warren: false,
      addUser: async (name, tags, perms) => {
        await http('PUT', `/api/users/${name}`, { password: name, tags });
        if (perms !== undefined) await http('PUT', `/api/permissions/%2F/${name}`, perms);
      },
    });
  }
});

afterAll(async () => {
  await closeBroker();
});

describe.each([['warren'], ...(REFERENCE !== undefined ? [['rabbitmq']] : [])])('management writes on %s', (which) => {
  const run = `w${Date.now().toString(36)}`;
  const t = (): Target => targets.find((x) => x.name === which) as Target;
  const http = (...args: Parameters<ReturnType<typeof client>>) => client(t().base)(...args);
  const q = (name: string) => `/api/queues/%2F/${run}.${name}`;
  const x = (name: string) => `/api/exchanges/%2F/${run}.${name}`;
  let conn: amqp.ChannelModel;
  const channel = async () => {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return ch;
  };

  beforeAll(async () => {
    conn = await amqp.connect(t().amqpUrl);
  });
  afterAll(async () => {
    await conn.close();
  });

  it('PUT a queue: 201, 204 when equivalent, RabbitMQ 400s when not; declarable passively over AMQP', async () => {
    const name = `${run}.q1`;
    expect(await http('PUT', q('q1'), { durable: true, arguments: { 'x-max-length': 10 } })).toMatchObject({ status: 201, body: '' });
    const node = ((await http('GET', '/api/overview')).body as { node: string }).node;
    expect(await http('PUT', q('q1'), { durable: 'true', arguments: { 'x-max-length': 10 }, node })).toMatchObject({ status: 204 });
    expect(await http('PUT', q('q1'), { durable: true, node: 'rabbit@nowhere' })).toMatchObject({ status: 400, body: bad('Node rabbit@nowhere could not be contacted') });
    expect(await http('PUT', q('q1'), { durable: false, arguments: { 'x-max-length': 10 } })).toEqual({
      status: 400,
      body: bad(`inequivalent arg 'durable' for queue '${name}' in vhost '/': received 'false' but current is 'true'`),
      location: null,
    });
    expect((await http('PUT', q('q1'), { durable: true })).body).toEqual(
      bad(`inequivalent arg 'x-max-length' for queue '${name}' in vhost '/': received none but current is the value '10' of type 'long'`),
    );
    const ch = await channel();
    expect(await ch.checkQueue(name)).toMatchObject({ queue: name, messageCount: 0 });
    const shown = (await http('GET', q('q1'))).body as Record<string, unknown>;
    expect(shown).toMatchObject({ name, durable: true, auto_delete: false, exclusive: false, arguments: { 'x-max-length': 10 } });
    await ch.close();
  });

  it('refuses bad queue declarations with RabbitMQ reasons, and declares nothing', async () => {
    const cases: [string, unknown, number, unknown][] = [
      [q('b1'), '{bad', 400, bad('not_json')],
      [q('b2'), '[1,2]', 400, bad('not_json')],
      [q('b3'), '"str"', 400, bad('invalid payload: the request body JSON-decoded to a string. Is the input doubly-JSON-encoded?')],
      [q('b4'), { durable: 'yes' }, 400, bad(['not_boolean', 'yes'])],
      [q('b5'), { auto_delete: 1 }, 400, bad(['not_boolean', 1])],
      [q('b6'), { arguments: { 'x-max-length': null } }, 400, bad('null_not_allowed')],
      [q('b7'), { passive: true }, 404, { error: 'not_found', reason: `no queue '${run}.b7' in vhost '/'` }],
      [`/api/queues/%2F/${'x'.repeat(256)}`, {}, 400, bad('queue should be less than 255 bytes, actually was 256\n')],
      ['/api/queues/no-such-vhost/b8', {}, 404, { error: 'not_found', reason: 'vhost_not_found' }],
      ['/api/queues/%2F/amq.b9', {}, 401, refused],
    ];
    for (const [path, body, status, expected] of cases) {
      expect(await http('PUT', path, body), JSON.stringify(body)).toMatchObject({ status, body: expected });
    }
    // An unknown field is ignored, as RabbitMQ ignores it.
    expect((await http('PUT', q('b11'), { colour: 'blue' })).status).toBe(201);
    const names = ((await http('GET', '/api/queues/%2F?columns=name')).body as { name: string }[]).map((o) => o.name).filter((n) => n.startsWith(`${run}.b`));
    expect(names).toEqual([`${run}.b11`]);
  });

  it('DELETE a queue with if-empty / if-unused, and purge it', async () => {
    const name = `${run}.d1`;
    await http('PUT', q('d1'), {});
    const ch = await channel();
    ch.sendToQueue(name, Buffer.from('one'));
    ch.sendToQueue(name, Buffer.from('two'));
    await ch.checkQueue(name);
    expect(await http('DELETE', `${q('d1')}?if-empty=true`)).toMatchObject({ status: 400, body: bad(`queue '${name}' in vhost '/' not empty`) });
    const tag = (await ch.consume(name, () => undefined)).consumerTag;
    expect(await http('DELETE', `${q('d1')}?if-unused=true`)).toMatchObject({ status: 400, body: bad(`queue '${name}' in vhost '/' in use`) });
    await ch.cancel(tag);
    await ch.recover();
    expect(await http('DELETE', `${q('d1')}/contents`)).toMatchObject({ status: 204, body: '' });
    expect((await ch.checkQueue(name)).messageCount).toBe(0);
    expect(await http('GET', `${q('d1')}/contents`)).toMatchObject({ status: 405 });
    expect(await http('DELETE', `${q('d1')}/contents`, 'garbage')).toMatchObject({ status: 400, body: bad('not_json') });
    expect(await http('DELETE', q('d1'))).toMatchObject({ status: 204 });
    expect(await http('DELETE', q('d1'))).toMatchObject({ status: 404, body: objectNotFound });
    expect(await http('DELETE', `${q('d1')}/contents`)).toMatchObject({ status: 404, body: objectNotFound });
    await expect(ch.checkQueue(name)).rejects.toThrow(/404/);
  });

  it('POST .../get: RabbitMQ JSON for properties, headers and payloads, and its four ackmodes', async () => {
    const name = `${run}.g1`;
    await http('PUT', q('g1'), {});
    const properties = { delivery_mode: 2, headers: { a: 1, b: 'x', c: true, d: 1.5, e: [1, 'y'], f: { g: 2 } }, content_type: 'text/plain', priority: 3, timestamp: 1700000000, message_id: 'm' };
    const pub = (body: Record<string, unknown>) => http('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: name, properties: {}, ...body });
    expect(await pub({ properties, payload: 'hello', payload_encoding: 'string' })).toMatchObject({ status: 200, body: { routed: true } });
    expect((await pub({ payload: '/w==', payload_encoding: 'base64' })).body).toEqual({ routed: true });
    expect((await pub({ payload: 'héllo wörld', payload_encoding: 'string' })).body).toEqual({ routed: true });
    const ch = await channel();
    ch.sendToQueue(name, Buffer.from('amqp'), { headers: { bin: Buffer.from([0xff, 0x00]), ok: Buffer.from('ok'), v: null, arr: [Buffer.from([0xff])] } });
    await ch.checkQueue(name);

    const got = await http('POST', `${q('g1')}/get`, { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 3 });
    expect(got.status).toBe(200);
    expect(got.body).toEqual([
      { payload_bytes: 5, redelivered: false, exchange: '', routing_key: name, message_count: 3, properties, payload: 'hel', payload_encoding: 'string' },
      { payload_bytes: 1, redelivered: false, exchange: '', routing_key: name, message_count: 2, properties: [], payload: '/w==', payload_encoding: 'base64' },
      { payload_bytes: 13, redelivered: false, exchange: '', routing_key: name, message_count: 1, properties: [], payload: 'hé', payload_encoding: 'string' },
      {
        payload_bytes: 4,
        redelivered: false,
        exchange: '',
        routing_key: name,
        message_count: 0,
        properties: { headers: { arr: ['Not UTF-8, base64 is: /w=='], bin: 'Not UTF-8, base64 is: /wA=', ok: 'ok', v: 'undefined' } },
        payload: 'amq',
        payload_encoding: 'string',
      },
    ]);
    const again = (await http('POST', `${q('g1')}/get`, { count: '1', ackmode: 'reject_requeue_true', encoding: 'base64' })).body as Record<string, unknown>[];
    expect(again).toMatchObject([{ redelivered: true, payload: Buffer.from('hello').toString('base64'), payload_encoding: 'base64', message_count: 3 }]);
    const taken = (await http('POST', `${q('g1')}/get`, { count: 10, ackmode: 'ack_requeue_false', encoding: 'auto' })).body as unknown[];
    expect(taken).toHaveLength(4);
    expect(await ch.get(name)).toBe(false);
    // reject_requeue_false rejects them: dead-lettered where the queue says.
    await http('PUT', q('g1dl'), {});
    await http('PUT', q('g2'), { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${run}.g1dl` } });
    ch.sendToQueue(`${run}.g2`, Buffer.from('rejected'));
    await ch.checkQueue(`${run}.g2`);
    expect((await http('POST', `${q('g2')}/get`, { count: 1, ackmode: 'reject_requeue_false', encoding: 'auto' })).body).toMatchObject([{ payload: 'rejected' }]);
    const dead = (await http('POST', `${q('g1dl')}/get`, { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' })).body as { payload: string; properties: { headers: Record<string, unknown> } }[];
    expect(dead).toMatchObject([{ payload: 'rejected' }]);
    expect(dead[0]?.properties.headers['x-death']).toMatchObject([{ reason: 'rejected', queue: `${run}.g2`, count: 1 }]);
    expect((await ch.checkQueue(`${run}.g2`)).messageCount).toBe(0);
    expect(await http('POST', `${q('g1')}/get`, { count: 1, ackmode: 'ack_requeue_true' })).toMatchObject({ status: 400, body: bad('[{key_missing,encoding}]') });
    expect(await http('POST', `${q('g1')}/get`, { count: 'x', ackmode: 'ack_requeue_true', encoding: 'auto' })).toMatchObject({ status: 400, body: bad(['not_integer', 'x']) });
    expect(await http('POST', `${q('g1')}/get`, { count: 1, ackmode: 'ack_requeue_true', encoding: 'utf8' })).toMatchObject({
      status: 400,
      body: bad('Unsupported encoding. Please use auto or base64.'),
    });
    await ch.close();
  });

  it('PUT and DELETE an exchange; the default exchange and amq.* are refused as RabbitMQ refuses them', async () => {
    const name = `${run}.x1`;
    expect(await http('PUT', x('x1'), { type: 'direct' })).toMatchObject({ status: 201 });
    expect(await http('PUT', x('x1'), { type: 'direct', passive: true })).toMatchObject({ status: 204 });
    expect(await http('PUT', x('x1'), { type: 'fanout' })).toMatchObject({
      status: 400,
      body: bad(`inequivalent arg 'type' for exchange '${name}' in vhost '/': received 'fanout' but current is 'direct'`),
    });
    expect(await http('PUT', x('x2'), { type: 'no-such-type-zz' })).toMatchObject({ status: 400, body: bad("unknown exchange type 'no-such-type-zz'") });
    expect(await http('PUT', x('x3'), { type: 'direct', arguments: { 'alternate-exchange': 5 } })).toMatchObject({
      status: 400,
      body: bad(`invalid type 'long' for arg 'alternate-exchange' in exchange '${run}.x3' in vhost '/'`),
    });
    expect(await http('PUT', x('x4'), { type: 'direct', internal: 'maybe' })).toMatchObject({ status: 400, body: bad(['not_boolean', 'maybe']) });
    expect(await http('PUT', '/api/exchanges/%2F/amq.default', { type: 'direct' })).toMatchObject({ status: 401, body: refused });
    expect(await http('PUT', `/api/exchanges/%2F/amq.${run}`, { type: 'direct' })).toMatchObject({ status: 401, body: refused });
    expect(await http('PUT', '/api/exchanges/%2F/amq.direct', { type: 'direct', durable: true })).toMatchObject({ status: 204 });
    expect(await http('DELETE', '/api/exchanges/%2F/amq.direct')).toMatchObject({ status: 401, body: refused });
    expect(await http('DELETE', '/api/exchanges/%2F/amq.default')).toMatchObject({ status: 401, body: refused });
    expect(await http('DELETE', x('nosuch'))).toMatchObject({ status: 404, body: objectNotFound });
    await http('PUT', q('xq'), {});
    expect((await http('POST', `/api/bindings/%2F/e/${name}/q/${run}.xq`, { routing_key: 'k' })).status).toBe(201);
    expect(await http('DELETE', `${x('x1')}?if-unused=true`)).toMatchObject({ status: 400, body: bad(`exchange '${name}' in vhost '/' in use`) });
    expect(await http('DELETE', x('x1'))).toMatchObject({ status: 204 });
    const ch = await channel();
    await expect(ch.checkExchange(name)).rejects.toThrow(/404/);
  });

  it('POST .../publish: routed or not, RabbitMQ reasons for bad properties, and the message arrives', async () => {
    const name = `${run}.p1`;
    await http('PUT', q('p1'), {});
    const pub = (body: Record<string, unknown>, exchange = 'amq.default') =>
      http('POST', `/api/exchanges/%2F/${exchange}/publish`, { routing_key: name, properties: {}, payload: 'x', payload_encoding: 'string', ...body });
    expect((await pub({ properties: { delivery_mode: 2, headers: { h: 'v' }, correlation_id: 'c' }, payload: 'hi' })).body).toEqual({ routed: true });
    expect((await pub({ routing_key: `${run}.nobody` })).body).toEqual({ routed: false });
    expect(await pub({ properties: { delivery_mode: '2' } })).toMatchObject({ status: 400, body: bad(['not_int', 'delivery_mode']) });
    expect(await pub({ payload_encoding: 'hex' })).toMatchObject({ status: 400, body: bad(['unsupported_encoding', 'hex']) });
    expect(await pub({ payload: 'not base64!', payload_encoding: 'base64' })).toMatchObject({ status: 400, body: bad(['not_base64', 'not base64!']) });
    expect(await pub({ properties: { expiration: '-1' } })).toMatchObject({ status: 400, body: bad("406 PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}") });
    expect(await pub({ properties: { user_id: 'mallory' } })).toMatchObject({
      status: 400,
      body: bad("406 PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'"),
    });
    expect(await http('POST', '/api/exchanges/%2F/amq.direct/publish', { routing_key: 'k', payload: 'p' })).toMatchObject({
      status: 400,
      body: bad('[{key_missing,properties},{key_missing,payload_encoding}]'),
    });
    await http('PUT', q('p0'), { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    expect(await pub({ routing_key: `${run}.p0` })).toMatchObject({ status: 400, body: bad('rejected Unable to publish message. Check queue limits.') });
    const ch = await channel();
    const m = await ch.get(name, { noAck: true });
    expect(m !== false && m.content.toString()).toBe('hi');
    expect(m !== false && m.properties).toMatchObject({ deliveryMode: 2, correlationId: 'c', headers: { h: 'v' } });
    await ch.close();
  });

  it('bindings: POST gives RabbitMQ Location, GET and DELETE by properties_key (~ and the arguments hash)', async () => {
    const ex = `${run}.bx`;
    const queue = `${run}.bq`;
    await http('PUT', x('bx'), { type: 'direct' });
    await http('PUT', q('bq'), {});
    const post = (body: unknown, dest = `q/${queue}`) => http('POST', `/api/bindings/%2F/e/${ex}/${dest}`, body);
    expect(await post({ routing_key: 'k' })).toMatchObject({ status: 201, location: `${queue}/k` });
    expect(await post({})).toMatchObject({ status: 201, location: `${queue}/~` });
    expect(await post({ routing_key: 'a b~c/d' })).toMatchObject({ status: 201, location: `${queue}/a%2Bb%257Ec%252Fd` });
    expect(await post({ routing_key: 'k', arguments: { x: 1 } })).toMatchObject({ status: 201, location: `${queue}/k~9nmLZQ` });
    expect(await post({ routing_key: 'k', arguments: { x: '1' } })).toMatchObject({ status: 201, location: `${queue}/k~Js_DUg` });
    expect(await post({ routing_key: 'k2' }, 'e/amq.fanout')).toMatchObject({ status: 201, location: 'amq.fanout/k2' });
    expect(await post({ routing_key: 'k' }, 'q/amq.default'.replace('q/', 'e/'))).toMatchObject({ status: 401, body: refused });
    expect(await http('POST', `/api/bindings/%2F/e/amq.default/q/${queue}`, { routing_key: 'k' })).toMatchObject({ status: 401, body: refused });
    expect(await http('POST', `/api/bindings/%2F/e/${run}.nosuch/q/${queue}`, {})).toMatchObject({ status: 404, body: { error: 'not_found', reason: `no exchange '${run}.nosuch' in vhost '/'` } });
    expect(await post({}, `q/${run}.nosuch`)).toMatchObject({ status: 404, body: { error: 'not_found', reason: `no queue '${run}.nosuch' in vhost '/'` } });
    expect(await http('POST', `/api/bindings/no-such-vhost/e/${ex}/q/${queue}`, {})).toMatchObject({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });

    const keys = ((await http('GET', `/api/bindings/%2F/e/${ex}/q/${queue}`)).body as { properties_key: string }[]).map((b) => b.properties_key).sort();
    expect(keys).toEqual(['a+b%7Ec%2Fd', 'k', 'k~9nmLZQ', 'k~Js_DUg', '~'].sort());
    expect((await http('GET', `/api/bindings/%2F/e/${ex}/q/${queue}/k~Js_DUg`)).body).toMatchObject({ routing_key: 'k', arguments: { x: '1' }, properties_key: 'k~Js_DUg' });

    const ch = await channel();
    ch.publish(ex, 'k', Buffer.from('via binding'));
    await ch.checkQueue(queue);
    const m = await ch.get(queue, { noAck: true });
    expect(m !== false && m.content.toString()).toBe('via binding');

    const del = (props: string, dest = `q/${queue}`) => http('DELETE', `/api/bindings/%2F/e/${ex}/${dest}/${props}`);
    expect(await del('k~9nmLZQ')).toMatchObject({ status: 204 });
    expect(await del('k~9nmLZQ')).toMatchObject({ status: 404, body: objectNotFound });
    expect(await del('k~AAAAAA')).toMatchObject({ status: 404, body: objectNotFound });
    expect(await del('a%2Bb%257Ec%252Fd')).toMatchObject({ status: 204 });
    expect(await del('~')).toMatchObject({ status: 204 });
    expect(await del('k2', 'e/amq.fanout')).toMatchObject({ status: 204 });
    const left = ((await http('GET', `/api/bindings/%2F/e/${ex}/q/${queue}`)).body as { properties_key: string }[]).map((b) => b.properties_key).sort();
    expect(left).toEqual(['k', 'k~Js_DUg']);
    await ch.close();
  });

  it('a binding made over AMQP with typed arguments has the properties_key RabbitMQ gives it, and is deleted by it', async () => {
    const hx = `${run}.hx`;
    const hq = `${run}.hq`;
    const ch = await channel();
    await ch.assertExchange(hx, 'headers', { durable: false });
    await ch.assertQueue(hq, { durable: false });
    // amqplib's types: integers 'I' or 'l', 2.5 a double, nested table in wire order (not sorted).
    await ch.bindQueue(hq, hx, '', { 'x-match': 'all', a: 1, b: 'two', c: 2.5, big: 5000000000, t: true, arr: [1, 'x'], n: { z: 1, a: 2 } });
    const listed = (await http('GET', `/api/bindings/%2F/e/${hx}/q/${hq}`)).body as { properties_key: string }[];
    expect(listed.map((b) => b.properties_key)).toEqual(['~SNjjeQ']); // RabbitMQ 3.10's value for these arguments
    expect(await http('DELETE', `/api/bindings/%2F/e/${hx}/q/${hq}/~SNjjeQ`)).toMatchObject({ status: 204 });
    expect((await http('GET', `/api/bindings/%2F/e/${hx}/q/${hq}`)).body).toEqual([]);
    await ch.close();
  });

  it('names with NUL are kept as RabbitMQ keeps them; a huge body is refused and declares nothing', async () => {
    expect(await http('PUT', `/api/queues/%2F/${run}.a%00b`, {})).toMatchObject({ status: 201 });
    expect((await http('GET', `/api/queues/%2F/${run}.a%00b`)).body).toMatchObject({ name: `${run}.a\u0000b` });
    expect(await http('DELETE', `/api/queues/%2F/${run}.a%00b`)).toMatchObject({ status: 204 });
    if (!t().warren) return; // RabbitMQ 3.10 answers 500 with no body (README, deviations)
    const huge = JSON.stringify({ arguments: { pad: 'x'.repeat(21_000_000) } });
    expect(await http('PUT', q('huge'), huge)).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect((await http('GET', q('huge'))).status).toBe(404);
  });

  it("checks the user's configure, write and read permissions and tags as RabbitMQ does", async () => {
    const user = `${run}lim`;
    await t().addUser(user, 'management', { configure: `^${run}\\.c`, write: `^${run}\\.w`, read: `^${run}\\.r` });
    await t().addUser(`${run}none`, 'management');
    await t().addUser(`${run}nomg`, '', { configure: '.*', write: '.*', read: '.*' });
    await http('PUT', q('wq'), {});
    await http('PUT', q('rq'), {});
    const as = (method: string, path: string, body?: unknown) => http(method, path, body, `${user}:${user}`);
    expect((await as('PUT', q('cq'), {})).status).toBe(201);
    expect(await as('PUT', q('pxq'), {})).toMatchObject({ status: 401, body: refused });
    expect(await as('DELETE', q('wq'))).toMatchObject({ status: 401, body: refused });
    expect(await as('DELETE', `${q('wq')}/contents`)).toMatchObject({ status: 401, body: refused });
    expect(await as('PUT', x('xx'), { type: 'direct' })).toMatchObject({ status: 401, body: refused });
    expect(await as('POST', `/api/bindings/%2F/e/amq.direct/q/${run}.wq`, {})).toMatchObject({ status: 401, body: refused });
    const get = await as('POST', `${q('wq')}/get`, { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(get.status).toBe(401);
    expect((get.body as { reason: string }).reason).toMatch(accessText('read', `queue '${run}.wq' in vhost '/' refused for user '${user}'`));
    expect((await as('POST', `${q('rq')}/get`, { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' })).body).toEqual([]);
    const pub = await as('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'k', properties: {}, payload: 'x', payload_encoding: 'string' });
    expect(pub.status).toBe(400);
    expect((pub.body as { reason: string }).reason).toMatch(new RegExp(`^403 ${accessText('write', `exchange 'amq.default' in vhost '/' refused for user '${user}'`).source}`));
    expect(await http('PUT', q('n1'), {}, `${run}none:${run}none`)).toMatchObject({ status: 401, body: { error: 'not_authorised', reason: 'User not authorised to access virtual host' } });
    expect(await http('PUT', q('n2'), {}, `${run}nomg:${run}nomg`)).toMatchObject({ status: 401, body: { error: 'not_authorised', reason: 'Not management user' } });
    const names = ((await http('GET', '/api/queues/%2F?columns=name')).body as { name: string }[]).map((o) => o.name).filter((n) => /\.(pxq|n1|n2)$/.test(n) && n.startsWith(run));
    expect(names).toEqual([]);
  });

  it("RabbitMQ 4.x's 404s for a get from or publish to what does not exist", async () => {
    if (!t().warren) return; // 3.10 answers 400 / 401 here (README, deviations)
    const get = { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' };
    expect(await http('POST', `${q('nosuch')}/get`, get)).toMatchObject({ status: 404, body: { error: 'not_found', reason: 'queue_not_found' } });
    expect(await http('POST', '/api/queues/no-such-vhost/q/get', get)).toMatchObject({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });
    const body = { routing_key: 'k', properties: {}, payload: 'x', payload_encoding: 'string' };
    expect(await http('POST', `${x('nosuch')}/publish`, body)).toMatchObject({ status: 404, body: { error: 'not_found', reason: 'exchange_not_found' } });
  });

  it('a PUT declares through the default queue type of the vhost and its policies, as queue.declare does', async () => {
    if (!t().warren) return; // RabbitMQ 3.10 has no default queue type per vhost
    await broker.createVhost(`${run}-v`, { defaultQueueType: 'quorum' });
    await broker.permissions.set({ user: 'guest', vhost: `${run}-v`, configure: '.*', write: '.*', read: '.*' });
    await broker.policies.set(`${run}-v`, 'cap', { pattern: '^capped', 'apply-to': 'queues', definition: { 'max-length': 3 }, priority: 0 });
    expect((await http('PUT', `/api/queues/${run}-v/capped`, { durable: true })).status).toBe(201);
    const shown = (await http('GET', `/api/queues/${run}-v/capped`)).body as Record<string, unknown>;
    expect(shown).toMatchObject({ arguments: { 'x-queue-type': 'quorum' }, policy: 'cap' });
    expect((await http('PUT', `/api/queues/${run}-v/capped`, { durable: true })).status).toBe(204);
  });
});
