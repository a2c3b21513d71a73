import { describe, expect, it } from 'vitest';
import { brokerPrincipal, connectionPrincipal } from '../../../src/core/principal.js';
import type { DeclareQueueRequest } from '../../../src/core/vhost.js';
import { manualVhost } from './manual-time.js';

const LOCKED =
  "cannot obtain exclusive access to locked queue 'mine' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";

function exclusive(name: string): DeclareQueueRequest {
  return { name, passive: false, durable: false, exclusive: true, autoDelete: false, arguments: {} };
}

describe('exclusive queues belong to a principal, compared by connection id', () => {
  it('the owning connection is recognised from any principal object that names it; another connection gets 405', () => {
    const { vhost } = manualVhost();
    vhost.declareQueue(exclusive('mine'), connectionPrincipal('guest', '/', 'warren@a/1'));
    // A principal rebuilt elsewhere (another layer, a message from another node) is the same owner.
    const same = connectionPrincipal('guest', '/', 'warren@a/1');
    expect(vhost.getQueue('mine', same).name).toBe('mine');
    expect(vhost.declareQueue(exclusive('mine'), same).name).toBe('mine');
    // Same user, other connection: locked, with RabbitMQ's text.
    const other = connectionPrincipal('guest', '/', 'warren@a/2');
    expect(() => vhost.getQueue('mine', other)).toThrow(expect.objectContaining({ replyCode: 405, detail: LOCKED }));
    expect(() => vhost.deleteQueue('mine', brokerPrincipal('/'), false, false)).toThrow(expect.objectContaining({ replyCode: 405 }));
  });

  it('closing the owner (by a principal equal in id, not the same object) deletes only its queues', () => {
    const { vhost } = manualVhost();
    vhost.declareQueue(exclusive('mine'), connectionPrincipal('guest', '/', 'warren@a/1'));
    vhost.declareQueue(exclusive('theirs'), connectionPrincipal('guest', '/', 'warren@a/2'));
    vhost.connectionClosed(connectionPrincipal('guest', '/', 'warren@a/1'));
    expect(() => vhost.getQueue('mine', brokerPrincipal('/'))).toThrow(expect.objectContaining({ replyCode: 404 }));
    expect(vhost.getQueue('theirs', connectionPrincipal('guest', '/', 'warren@a/2')).name).toBe('theirs');
  });
});
