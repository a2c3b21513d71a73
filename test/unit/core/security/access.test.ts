import { describe, expect, it } from 'vitest';
import { AccessControl } from '../../../../src/core/security/access.js';
import { PermissionStore } from '../../../../src/core/security/permissions.js';
import { brokerPrincipal, connectionPrincipal } from '../../../../src/core/principal.js';

function counting(store: PermissionStore, user: string, vhost: string): { calls: number } {
  const counter = { calls: 0 };
  const entry = store.get(user, vhost) as unknown as { write: { test: (n: string) => boolean } };
  const test = entry.write.test;
  entry.write = { ...entry.write, test: (n: string) => (counter.calls++, test(n)) };
  return counter;
}

describe('access decisions', () => {
  it('are cached: a repeated check runs no pattern until a permission changes anywhere', () => {
    const store = new PermissionStore();
    store.set({ user: 'u', vhost: '/', configure: '', write: '^x$', read: '' });
    const access = new AccessControl(store, () => []).forPrincipal(connectionPrincipal('u', '/', 'n/1'));
    const counter = counting(store, 'u', '/');
    for (let i = 0; i < 1000; i++) access.check('write', 'exchange', 'x');
    expect(counter.calls).toBe(1);
    store.set({ user: 'other', vhost: '/', configure: '', write: '', read: '' }); // any change invalidates
    expect(() => access.check('write', 'exchange', 'y')).toThrow("write access to exchange 'y' in vhost '/' refused for user 'u'");
    store.set({ user: 'u', vhost: '/', configure: '', write: '', read: '' });
    expect(() => access.check('write', 'exchange', 'x')).toThrow(/write access/);
  });

  it('a permission change applies to the very next check of the exchange last allowed (the one-compare path)', () => {
    const store = new PermissionStore();
    store.set({ user: 'u', vhost: '/', configure: '', write: '^x$', read: '' });
    const access = new AccessControl(store, () => []).forPrincipal(connectionPrincipal('u', '/', 'n/1'));
    access.check('write', 'exchange', 'x');
    access.check('write', 'exchange', 'x');
    store.set({ user: 'u', vhost: '/', configure: '', write: '^y$', read: '' });
    expect(() => access.check('write', 'exchange', 'x')).toThrow("write access to exchange 'x' in vhost '/' refused for user 'u'");
    access.check('write', 'exchange', 'y');
  });

  it('the default exchange is checked as amq.default; the broker itself is never checked', () => {
    const store = new PermissionStore();
    store.set({ user: 'u', vhost: '/', configure: '', write: '^amq\\.default$', read: '' });
    const control = new AccessControl(store, (user) => (user === 'u' ? ['impersonator'] : []));
    const access = control.forPrincipal(connectionPrincipal('u', '/', 'n/1'));
    access.check('write', 'exchange', '');
    expect(() => access.check('write', 'queue', '')).toThrow(/queue ''/);
    expect(access.impersonator).toBe(true);
    control.forPrincipal(brokerPrincipal('/')).check('configure', 'queue', 'anything');
  });

  it('checkAny (passive declares) takes any one of read, write or configure, and refuses with the configure text', () => {
    const store = new PermissionStore();
    const control = new AccessControl(store, () => []);
    const access = control.forPrincipal(connectionPrincipal('u', '/', 'n/1'));
    for (const [configure, write, read] of [['^q$', '', ''], ['', '^q$', ''], ['', '', '^q$']]) {
      store.set({ user: 'u', vhost: '/', configure: configure as string, write: write as string, read: read as string });
      access.checkAny('queue', 'q');
      expect(() => access.checkAny('queue', 'other')).toThrow("configure access to queue 'other' in vhost '/' refused for user 'u'");
    }
    store.set({ user: 'u', vhost: '/', configure: '', write: '', read: '' });
    expect(() => access.checkAny('exchange', '')).toThrow("configure access to exchange 'amq.default' in vhost '/' refused for user 'u'");
    control.forPrincipal(brokerPrincipal('/')).checkAny('queue', 'anything');
  });

  it("topic permissions expand {client_id} from the connection's name, and leave it literal without one", () => {
    const store = new PermissionStore();
    store.set({ user: 'u', vhost: '/', configure: '', write: '.*', read: '.*' });
    store.setTopic({ user: 'u', vhost: '/', exchange: 't', write: '^{client_id}\\.', read: '.*' });
    const control = new AccessControl(store, () => []);
    control.forPrincipal(connectionPrincipal('u', '/', 'n/1'), 'svc').checkTopic('write', 't', 'svc.a');
    expect(() => control.forPrincipal(connectionPrincipal('u', '/', 'n/2'), 'svc').checkTopic('write', 't', 'other.a')).toThrow(
      "write access to topic 'other.a' in exchange 't' in vhost '/' refused for user 'u'",
    );
    control.forPrincipal(connectionPrincipal('u', '/', 'n/3')).checkTopic('write', 't', '{client_id}.a');
    control.forPrincipal(connectionPrincipal('u', '/', 'n/3')).checkTopic('write', 'no-topic-permission-here', 'anything');
  });
});
