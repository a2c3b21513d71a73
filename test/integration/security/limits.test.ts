import { expect, it } from 'vitest';
import { channel, refused } from '../topology/support.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';
import { accessAdmin, onReference } from './access-admin.js';

/**
 * Vhost limits (max-connections 530, max-queues 406) and user limits (max-connections 530,
 * max-channels 530), with RabbitMQ's codes and texts. The same scenarios run against RabbitMQ
 * 3.10 with PERMISSIONS_REFERENCE_URL (see access-admin.ts): there rabbitmqctl set_vhost_limits
 * and set_user_limits set them. The texts are 4.x's (rabbit_reader.erl, rabbit_queue_type.erl);
 * 3.10 gives the same ones but for max-channels, which it wrote "limit of (N)".
 */
const PW = 'limits-pw';
const admin = accessAdmin([
  { name: 'lim-vhost', password: PW },
  { name: 'lim-conns', password: PW },
  { name: 'lim-chans', password: PW },
]);
const FULL = ['.*', '.*', '.*'] as const;

/** connection.open's answer through a raw client: 'open', or the refusal's code and text. */
async function openRaw(user: string, vhost: string): Promise<string> {
  try {
    const raw = await RawClient.open(admin.port(), { user, password: PW, vhost });
    await raw.close();
    return 'open';
  } catch (err) {
    if (err instanceof HandshakeRefused && err.close !== undefined) return `${err.close.replyCode} ${err.close.replyText}`;
    throw err;
  }
}

/**
 * The answer once it is not 'open' (or, with `until: 'open'`, once it is): RabbitMQ counts
 * connections asynchronously, so a connection just opened or closed may take a moment to count.
 */
async function settledOpen(user: string, vhost: string, until: 'refused' | 'open' = 'refused'): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const answer = await openRaw(user, vhost);
    if ((answer === 'open') === (until === 'open') || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("vhost max-connections: 530 with RabbitMQ's text; a connection closing makes room", async () => {
  await admin.createVhost('lim.conns');
  try {
    await admin.setPermissions('lim-vhost', 'lim.conns', ...FULL);
    await admin.setVhostLimits('lim.conns', { 'max-connections': 1 });
    const first = await admin.connect('lim-vhost', 'lim.conns');
    expect(await settledOpen('lim-vhost', 'lim.conns')).toBe(
      "530 NOT_ALLOWED - access to vhost 'lim.conns' refused for user 'lim-vhost': connection limit (1) is reached",
    );
    await first.close();
    expect(await settledOpen('lim-vhost', 'lim.conns', 'open')).toBe('open');
  } finally {
    await admin.deleteVhost('lim.conns');
  }
});

it('vhost max-queues: 406 on a new queue; redeclaring an existing one still works', async () => {
  await admin.createVhost('lim.queues');
  try {
    await admin.setPermissions('lim-vhost', 'lim.queues', ...FULL);
    await admin.setVhostLimits('lim.queues', { 'max-queues': 1 });
    const conn = await admin.connect('lim-vhost', 'lim.queues');
    const ch = await channel(conn);
    await ch.assertQueue('a', { durable: false });
    await ch.assertQueue('a', { durable: false });
    expect(await refused(conn, (c) => c.assertQueue('b', { durable: false }))).toMatchObject({
      code: 406,
      text: "PRECONDITION_FAILED - cannot declare queue 'b': queue limit in vhost 'lim.queues' (1) is reached",
    });
    await conn.close(); // before the vhost goes: amqplib's close of a connection RabbitMQ closed with 320 never settles
  } finally {
    await admin.deleteVhost('lim.queues');
  }
});

it("user max-connections: 530 with RabbitMQ's text", async () => {
  await admin.setPermissions('lim-conns', '/', ...FULL);
  await admin.setUserLimits('lim-conns', { 'max-connections': 1 });
  const first = await admin.connect('lim-conns');
  expect(await settledOpen('lim-conns', '/')).toBe("530 NOT_ALLOWED - connection refused for user 'lim-conns': user connection limit (1) is reached");
  await first.close();
  expect(await settledOpen('lim-conns', '/', 'open')).toBe('open');
});

it("user max-channels: opening one more closes the connection with 530 and RabbitMQ's text", async () => {
  await admin.setPermissions('lim-chans', '/', ...FULL);
  await admin.setUserLimits('lim-chans', { 'max-channels': 1 });
  const conn = await admin.connect('lim-chans');
  await conn.createChannel();
  const closed = new Promise<Error>((resolve) => conn.on('error', resolve));
  await expect(conn.createChannel()).rejects.toThrow();
  const err = (await closed) as Error & { code?: number };
  expect(err.code).toBe(530);
  // 4.x: "... limit of 1" (rabbit_reader:is_over_limits, ~w); 3.10 wrote "limit of (1)".
  const limit = onReference ? '(1)' : '1';
  expect(err.message).toContain(`NOT_ALLOWED - number of channels opened for user 'lim-chans' has reached the maximum allowed user limit of ${limit}`);
});

it('connection.open checks the vhost limit before the permission entry, in rabbit_reader order', async () => {
  await admin.createVhost('lim.order');
  try {
    await admin.setVhostLimits('lim.order', { 'max-connections': 0 });
    // lim-conns has no permission entry in lim.order: the limit is what it is told.
    expect(await openRaw('lim-conns', 'lim.order')).toBe(
      "530 NOT_ALLOWED - access to vhost 'lim.order' refused for user 'lim-conns': connection limit (0) is reached",
    );
  } finally {
    await admin.deleteVhost('lim.order');
  }
});
