import { describe, expect, it } from 'vitest';
import type { RawClient } from '../../helpers/raw-client.js';
import { duplexConnection } from '../../helpers/duplex-connection.js';

describe('Connection over a Duplex stream (no socket)', () => {
  it('serves a handshake, queue.declare, a publish and basic.get in raw frames, then closes', async () => {
    const { conn, client, internalErrors, closed } = duplexConnection();
    expect(conn.remoteAddress).toBe('unknown'); // a stream has no peer address

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
    expect(closed()).toBe(conn);
    expect(internalErrors).toEqual([]);
  });
});
