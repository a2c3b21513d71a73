import { Duplex } from 'node:stream';
import { UserStore } from '../../../src/core/security/users.js';
import { LoginThrottle } from '../../../src/amqp/login-throttle.js';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/amqp/connection.js';
import type { BrokerContext } from '../../../src/amqp/broker-context.js';
import { serverProperties } from '../../../src/amqp/server-properties.js';
import { resolveConfig } from '../../../src/config/load.js';
import { Registry } from '../../../src/core/registry.js';
import { BrokerStats } from '../../../src/core/stats/broker-stats.js';
import { ManualClock } from '../../../src/util/manual-clock.js';
import { VirtualHost } from '../../../src/core/vhost.js';
import { silentLogger } from '../../../src/util/logger.js';
import { RawClient } from '../../helpers/raw-client.js';

/**
 * Two Duplex ends joined in memory: what one writes the other reads, and ending or destroying one
 * ends the other, as a socket's peer sees it. No socket, no port, no event beyond the streams'.
 */
function duplexPair(): [Duplex, Duplex] {
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

function context(internalErrors: unknown[]): BrokerContext {
  const vhosts = new Map([['/', new VirtualHost('/', new ManualClock())]]);
  return {
    // guest may log in from loopback only, and a stream has no peer address: a user who may log in from anywhere.
    config: resolveConfig({ users: [{ name: 'unit', password: 'secret' }] }),
    logger: silentLogger(),
    vhosts,
    registry: new Registry('warren@unit'),
    stats: new BrokerStats(vhosts),
    serverProperties: serverProperties('warren', 'test'),
    now: () => Date.now(),
    internalError: (err) => internalErrors.push(err),
    alarms: { active: false, reason: '', noteIncoming: () => undefined },
    users: (() => { const u = new UserStore([], undefined); u.put({ name: 'unit', password: 'secret' }); return u; })(),
    loginThrottle: new LoginThrottle(0),
    vhostLimits: () => undefined,
    counts: { connectionsOn: () => 0, connectionsOf: () => 0, channelsOf: () => 0 },
  };
}

describe('Connection over a Duplex stream (no socket)', () => {
  it('serves a handshake, queue.declare, a publish and basic.get in raw frames, then closes', async () => {
    const [serverEnd, clientEnd] = duplexPair();
    const internalErrors: unknown[] = [];
    let closed: Connection | undefined;
    const conn = new Connection(serverEnd, context(internalErrors), (c) => (closed = c), 7);
    expect(conn.remoteAddress).toBe('unknown'); // a stream has no peer address

    const client = RawClient.over(clientEnd);
    const tuned = await client.handshake({ user: 'unit', password: 'secret' });
    expect(tuned.frameMax).toBeGreaterThan(0);
    const start = client.frames.find((f) => f.kind === 'method' && f.method.name === 'connection.start');
    expect(start?.kind === 'method' && start.method.name === 'connection.start' && start.method.serverProperties['version']).toEqual({ type: 'string', value: 'test' });
    await client.openChannel(1);

    client.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'in-memory', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
    const declared = await client.waitMethod('queue.declare-ok', 1);
    expect(declared).toMatchObject({ queue: 'in-memory', messageCount: 0, consumerCount: 0 });

    const body = Buffer.from('over a Duplex, not a socket');
    client.publish(1, '', 'in-memory', body);
    // basic.get answers get-empty until the publish is in: ask until the message is there.
    let got: RawClient['frames'][number] | undefined;
    for (let attempt = 0; attempt < 50 && got === undefined; attempt++) {
      const from = client.frames.length;
      client.sendMethod(1, { name: 'basic.get', ticket: 0, queue: 'in-memory', noAck: true });
      const reply = await client.waitFor((f) => f.kind === 'method' && (f.method.name === 'basic.get-ok' || f.method.name === 'basic.get-empty'), 'basic.get reply', 5000, from);
      if (reply.kind === 'method' && reply.method.name === 'basic.get-ok') got = reply;
    }
    expect(got?.kind === 'method' && got.method).toMatchObject({ name: 'basic.get-ok', exchange: '', routingKey: 'in-memory', redelivered: false, messageCount: 0 });
    const bodyFrame = await client.waitFor((f) => f.kind === 'body', 'the body frame', 5000, client.frames.indexOf(got as RawClient['frames'][number]));
    expect(bodyFrame.kind === 'body' && bodyFrame.size).toBe(body.length);
    expect(client.received().includes(body)).toBe(true);

    await client.close();
    expect(closed).toBe(conn);
    expect(internalErrors).toEqual([]);
  });
});
