/**
 * The permission check on the publish path: a cached decision (a generation compare and a Map
 * lookup) against running the pattern each time, and a topic-permission check on a cached key.
 *   npm run bench -- permissions
 */
import { AccessControl } from '../src/core/security/access.js';
import { compilePattern } from '../src/core/security/pcre-pattern.js';
import { PermissionStore } from '../src/core/security/permissions.js';
import { connectionPrincipal } from '../src/core/principal.js';
import { bench, header, sink } from './harness.js';

header('Permission checks (one publish each)');
{
  const store = new PermissionStore();
  store.set({ user: 'u', vhost: '/', configure: '.*', write: '^(orders|events)\\.[a-z]+$', read: '.*' });
  store.setTopic({ user: 'u', vhost: '/', exchange: 'events.topic', write: '^{username}\\.', read: '.*' });
  const access = new AccessControl(store, () => []).forPrincipal(connectionPrincipal('u', '/', 'n/1'));
  const pattern = compilePattern('^(orders|events)\\.[a-z]+$');
  bench('cached write check (steady state)', () => {
    access.check('write', 'exchange', 'events.topic');
  });
  bench('the pattern run every time (no cache)', () => {
    sink.value = pattern.test('events.topic');
  });
  bench('cached topic write check', () => {
    access.checkTopic('write', 'events.topic', 'u.created');
  });
}
