import { Duplex } from 'node:stream';
import type { BrokerContext } from '../../src/amqp/broker-context.js';
import { Connection } from '../../src/amqp/connection.js';
import { serverProperties } from '../../src/amqp/server-properties.js';
import type { ConfigInput } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/load.js';
import type { Clock } from '../../src/core/clock.js';
import { Registry } from '../../src/core/registry.js';
import { BrokerStats } from '../../src/core/stats/broker-stats.js';
import { VirtualHost } from '../../src/core/vhost.js';
import { UserStore } from '../../src/core/security/users.js';
import { LoginThrottle } from '../../src/amqp/login-throttle.js';
import { AccessControl } from '../../src/core/security/access.js';
import { PermissionStore } from '../../src/core/security/permissions.js';
import { silentLogger } from '../../src/util/logger.js';
import { ManualClock } from '../../src/util/manual-clock.js';
import { RawClient } from './raw-client.js';

/**
 * A Connection served over an in-memory Duplex pair, with a RawClient on the other end: no socket,
 * no port, no server ticker. The broker context is the smallest real one (one vhost '/' on the given
 * clock, a user `unit`/`secret` who may log in from anywhere: a stream has no peer address).
 */

/**
 * Two Duplex ends joined in memory: what one writes the other reads, and ending or destroying one
 * ends the other, as a socket's peer sees it.
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const end = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        peer().push(chunk);
        done();
      },
      final(done) {
        peer().push(null);
        done();
      },
      destroy(err, done) {
        peer().destroy();
        done(err);
      },
    });
  ends.push(end(() => ends[1] as Duplex), end(() => ends[0] as Duplex));
  return [ends[0] as Duplex, ends[1] as Duplex];
}

export function unitContext(internalErrors: unknown[], clock: Clock = new ManualClock(), config: ConfigInput = {}): BrokerContext {
  const vhosts = new Map([['/', new VirtualHost('/', clock)]]);
  const permissions = new PermissionStore();
  permissions.set({ user: 'unit', vhost: '/', configure: '.*', write: '.*', read: '.*' });
  return {
    access: new AccessControl(permissions, () => []),
    config: resolveConfig({ users: [{ name: 'unit', password: 'secret' }], ...config }),
    logger: silentLogger(),
    vhosts,
    registry: new Registry('warren@unit'),
    stats: new BrokerStats(vhosts),
    serverProperties: serverProperties('warren', 'test'),
    now: () => Date.now(),
    clock,
    internalError: (err) => internalErrors.push(err),
    alarms: { active: false, reason: '', noteIncoming: () => undefined },
    faults: { nackNext: 0 },
    users: (() => {
      const u = new UserStore([], undefined);
      u.put({ name: 'unit', password: 'secret' });
      return u;
    })(),
    loginThrottle: new LoginThrottle(0),
    vhostLimits: () => undefined,
    counts: { connectionsOn: () => 0, connectionsOf: () => 0, channelsOf: () => 0 },
  };
}

export interface DuplexConnection {
  readonly conn: Connection;
  readonly client: RawClient;
  readonly internalErrors: unknown[];
  /** Set once the connection called its onClosed. */
  readonly closed: () => Connection | undefined;
}

/** A connection over a Duplex pair and a raw client on the other end, not yet shaken hands. */
export function duplexConnection(options: { clock?: Clock; config?: ConfigInput; id?: number } = {}): DuplexConnection {
  const [serverEnd, clientEnd] = duplexPair();
  const internalErrors: unknown[] = [];
  let closed: Connection | undefined;
  const conn = new Connection(serverEnd, unitContext(internalErrors, options.clock, options.config), (c) => (closed = c), options.id ?? 7);
  return { conn, client: RawClient.over(clientEnd), internalErrors, closed: () => closed };
}
