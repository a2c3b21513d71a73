import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/* GET /api/definitions[/{vhost}] through inject(): administrators only, RabbitMQ 3.10's answers. */

let broker: Broker;
let close: () => Promise<void>;
const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

async function get(url: string, auth = basic('guest', 'guest')) {
  const res = await broker.managementApp!.inject({ method: 'GET', url, headers: { authorization: auth } });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  await broker.users.put({ name: 'mon', password: 'pw', tags: ['monitoring'] });
});

afterAll(async () => {
  await close();
});

describe('GET /api/definitions', () => {
  it('exports the whole broker and one vhost', async () => {
    const whole = await get('/api/definitions');
    expect(whole.status).toBe(200);
    expect(whole.body['users']).toContainEqual(expect.objectContaining({ name: 'guest', tags: ['administrator'] }));
    expect(whole.body['vhosts']).toContainEqual(expect.objectContaining({ name: '/' }));
    const one = await get('/api/definitions/%2F');
    expect(one.status).toBe(200);
    expect(one.body['users']).toBeUndefined();
    expect(one.body).toHaveProperty('queues');
  });

  it('is for administrators, and an unknown vhost is 400 vhost_not_found', async () => {
    expect(await get('/api/definitions', basic('mon', 'pw'))).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'Not administrator user' } });
    expect(await get('/api/definitions/%2F', basic('mon', 'pw'))).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'Not administrator user' } });
    expect(await get('/api/definitions/nope')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'vhost_not_found' } });
  });
});
