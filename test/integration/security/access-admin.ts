/**
 * The permission suites' adapter: the same scenario sets users and permissions on Warren through
 * the Broker API, or, with PERMISSIONS_REFERENCE_URL=amqp://guest:guest@127.0.0.1:5673, on a
 * reference RabbitMQ through rabbitmqctl (/work/shared/tools/rabbitmq.sh ctl, with RABBITMQ_PORT
 * taken from the URL). The users are fixed for the file: Warren takes them from its configuration,
 * the reference gets them with add_user in beforeAll.
 */
import { execFileSync } from 'node:child_process';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openBroker } from '../../helpers/broker.js';
import type { Broker } from '../../../src/index.js';

const REFERENCE_URL = process.env['PERMISSIONS_REFERENCE_URL'];
const RABBITMQ_SH = '/work/shared/tools/rabbitmq.sh';

export const onReference = REFERENCE_URL !== undefined;

export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly tags?: readonly string[];
}

export interface AccessAdmin {
  /** An AMQP URL for the user on the vhost ('/' by default). */
  url(user: string, vhost?: string): string;
  setPermissions(user: string, vhost: string, configure: string, write: string, read: string): Promise<void>;
  clearPermissions(user: string, vhost: string): Promise<void>;
  setTopicPermissions(user: string, vhost: string, exchange: string, write: string, read: string): Promise<void>;
  clearTopicPermissions(user: string, vhost: string): Promise<void>;
  /** Connects as the user; the connection is closed after the test. */
  connect(user: string, vhost?: string): Promise<amqp.ChannelModel>;
  /** The broker's AMQP port (for a raw client, which sees connection.open refusals' texts). */
  port(): number;
  /** add_vhost (after delete_vhost of a leftover one on the reference) / broker.createVhost. */
  createVhost(name: string): Promise<void>;
  deleteVhost(name: string): Promise<void>;
  /** set_vhost_limits -p VHOST '{"max-connections": N, "max-queues": N}' / broker.updateVhost. */
  setVhostLimits(vhost: string, limits: VhostLimitsJson): Promise<void>;
  /** set_user_limits USER '{"max-connections": N, "max-channels": N}' / broker.users.put. */
  setUserLimits(user: string, limits: UserLimitsJson): Promise<void>;
}

/** rabbitmqctl's limit names. */
export interface VhostLimitsJson {
  readonly 'max-connections'?: number;
  readonly 'max-queues'?: number;
}
export interface UserLimitsJson {
  readonly 'max-connections'?: number;
  readonly 'max-channels'?: number;
}

function ctl(args: string[]): void {
  const port = new URL(REFERENCE_URL as string).port;
  execFileSync(RABBITMQ_SH, ['ctl', ...args], { env: { ...process.env, RABBITMQ_PORT: port }, stdio: 'pipe' });
}

export function accessAdmin(users: readonly TestUser[]): AccessAdmin {
  let broker: Broker | undefined;
  let close: (() => Promise<void>) | undefined;
  let base = REFERENCE_URL === undefined ? undefined : new URL(REFERENCE_URL);
  const passwords = new Map(users.map((u) => [u.name, u.password]));
  const open: amqp.ChannelModel[] = [];
  beforeAll(async () => {
    if (REFERENCE_URL !== undefined) {
      for (const u of users) {
        try {
          ctl(['delete_user', u.name]);
        } catch {
          // not there yet
        }
        ctl(['add_user', u.name, u.password]);
        ctl(['set_user_tags', u.name, ...(u.tags ?? [])]);
      }
      return;
    }
    const opened = await openBroker({
      users: [{ name: 'guest', password: 'guest' }, ...users.map((u) => ({ name: u.name, password: u.password, tags: [...(u.tags ?? [])] }))],
    });
    broker = opened.broker;
    close = opened.close;
    base = new URL(broker.url);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(async () => {
    if (REFERENCE_URL !== undefined) for (const u of users) ctl(['delete_user', u.name]);
    await close?.();
  });
  const url = (user: string, vhost = '/'): string => {
    if (base === undefined) throw new Error('broker not started');
    const u = new URL(base.href);
    u.username = user;
    u.password = passwords.get(user) ?? 'guest';
    u.pathname = `/${encodeURIComponent(vhost)}`;
    return u.href;
  };
  const warren = (): Broker => {
    if (broker === undefined) throw new Error('broker not started');
    return broker;
  };
  return {
    url,
    setPermissions: async (user, vhost, configure, write, read) => {
      if (REFERENCE_URL !== undefined) ctl(['set_permissions', '-p', vhost, user, configure, write, read]);
      else await warren().permissions.set({ user, vhost, configure, write, read });
    },
    clearPermissions: async (user, vhost) => {
      if (REFERENCE_URL !== undefined) ctl(['clear_permissions', '-p', vhost, user]);
      else await warren().permissions.clear(user, vhost);
    },
    setTopicPermissions: async (user, vhost, exchange, write, read) => {
      if (REFERENCE_URL !== undefined) ctl(['set_topic_permissions', '-p', vhost, user, exchange, write, read]);
      else await warren().topicPermissions.set({ user, vhost, exchange, write, read });
    },
    clearTopicPermissions: async (user, vhost) => {
      if (REFERENCE_URL !== undefined) ctl(['clear_topic_permissions', '-p', vhost, user]);
      else await warren().topicPermissions.clear(user, vhost);
    },
    port: () => Number((base as URL).port),
    createVhost: async (name) => {
      if (REFERENCE_URL === undefined) {
        await warren().createVhost(name);
        return;
      }
      try {
        ctl(['delete_vhost', name]);
      } catch {
        // not there
      }
      ctl(['add_vhost', name]);
    },
    deleteVhost: async (name) => {
      if (REFERENCE_URL !== undefined) ctl(['delete_vhost', name]);
      else await warren().deleteVhost(name);
    },
    setVhostLimits: async (vhost, limits) => {
      if (REFERENCE_URL !== undefined) ctl(['set_vhost_limits', '-p', vhost, JSON.stringify(limits)]);
      else await warren().updateVhost(vhost, { limits: { maxConnections: limits['max-connections'], maxQueues: limits['max-queues'] } });
    },
    setUserLimits: async (user, limits) => {
      if (REFERENCE_URL !== undefined) {
        ctl(['set_user_limits', user, JSON.stringify(limits)]);
        return;
      }
      const u = users.find((x) => x.name === user);
      if (u === undefined) throw new Error(`not a test user: ${user}`);
      const { 'max-connections': maxConnections, 'max-channels': maxChannels } = limits;
      await warren().users.put({ name: u.name, password: u.password, tags: [...(u.tags ?? [])], limits: { maxConnections, maxChannels } });
    },
    connect: async (user, vhost) => {
      const conn = await amqp.connect(url(user, vhost));
      conn.on('error', () => undefined);
      open.push(conn);
      return conn;
    },
  };
}
