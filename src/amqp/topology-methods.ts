import type { Method } from '../protocol/methods.generated.js';
import type { Channel } from './channel.js';
import { REPLY_TO } from './direct-reply-to.js';
import * as rules from '../core/security/access-rules.js';
import { withDefaultQueueType } from '../core/queue/default-queue-type.js';

/**
 * exchange.* and queue.*: declare, delete, bind, unbind, purge. The vhost enforces the rules
 * and throws coded errors; this maps methods to calls and replies (unless nowait).
 * Returns false for methods of other classes.
 */
export function handleTopologyMethod(ch: Channel, m: Method): boolean {
  const vhost = ch.vhost;
  const owner = ch.port.principal;
  const access = ch.port.access;
  switch (m.name) {
    case 'exchange.declare':
      rules.checkExchangeDeclare(access, vhost, { name: m.exchange, type: m.type, passive: m.passive, arguments: m.arguments });
      vhost.declareExchange({
        name: m.exchange,
        type: m.type,
        passive: m.passive,
        durable: m.durable,
        autoDelete: m.autoDelete,
        internal: m.internal,
        arguments: m.arguments,
      });
      if (!m.nowait) ch.reply({ name: 'exchange.declare-ok' });
      return true;
    case 'exchange.delete':
      rules.checkExchangeDelete(access, m.exchange);
      vhost.deleteExchange(m.exchange, m.ifUnused);
      if (!m.nowait) ch.reply({ name: 'exchange.delete-ok' });
      return true;
    case 'exchange.bind':
      rules.checkBinding(access, vhost, 'exchange', m.destination, m.source, m.routingKey);
      vhost.bindExchange(m.destination, m.source, m.routingKey, m.arguments);
      if (!m.nowait) ch.reply({ name: 'exchange.bind-ok' });
      return true;
    case 'exchange.unbind':
      rules.checkBinding(access, vhost, 'exchange', m.destination, m.source, m.routingKey);
      vhost.unbindExchange(m.destination, m.source, m.routingKey, m.arguments);
      if (!m.nowait) ch.reply({ name: 'exchange.unbind-ok' });
      return true;
    case 'queue.declare': {
      if (m.passive && m.queue === REPLY_TO) {
        // The pseudo-queue always "exists" (RabbitMQ answers a passive declare of it).
        if (!m.nowait) ch.reply({ name: 'queue.declare-ok', queue: REPLY_TO, messageCount: 0, consumerCount: 0 });
        return true;
      }
      // An empty name asks for a server-named queue; a passive declare takes its name literally
      // (RabbitMQ answers a passive '' with "no queue ''", not with the last declared queue).
      const serverNamed = m.queue === '' && !m.passive;
      const name = serverNamed ? vhost.generateQueueName() : m.queue;
      rules.checkQueueDeclare(access, vhost, { name, passive: m.passive, serverNamed, arguments: m.arguments });
      // rabbit_channel applies the vhost's default queue type before the declare (not to a passive one).
      const args = m.passive ? m.arguments : withDefaultQueueType(vhost.defaultQueueType, m, m.arguments);
      const existed = m.passive || vhost.queues.has(name);
      // RabbitMQ's churn (rabbit_channel): every non-passive declare past the permission check, before
      // the equivalence checks; then the ones that created the queue.
      if (!m.passive) ch.port.stats.queueDeclared();
      const queue = vhost.declareQueue(
        { name, passive: m.passive, durable: m.durable, exclusive: m.exclusive, autoDelete: m.autoDelete, arguments: args, serverNamed },
        owner,
      );
      if (!existed) ch.port.stats.queueCreated();
      ch.lastQueueName = queue.name;
      if (!m.nowait) {
        ch.reply({ name: 'queue.declare-ok', queue: queue.name, messageCount: queue.messageCount, consumerCount: queue.consumerCount });
      }
      return true;
    }
    case 'queue.bind': {
      const queue = ch.resolveQueueName(m.queue);
      const key = shortcutKey(m.queue, m.routingKey, queue);
      rules.checkBinding(access, vhost, 'queue', queue, m.exchange, key);
      vhost.bindQueue(queue, m.exchange, key, m.arguments, owner);
      if (!m.nowait) ch.reply({ name: 'queue.bind-ok' });
      return true;
    }
    case 'queue.unbind': {
      const queue = ch.resolveQueueName(m.queue);
      const key = shortcutKey(m.queue, m.routingKey, queue);
      rules.checkBinding(access, vhost, 'queue', queue, m.exchange, key);
      vhost.unbindQueue(queue, m.exchange, key, m.arguments, owner);
      ch.reply({ name: 'queue.unbind-ok' });
      return true;
    }
    case 'queue.purge': {
      const name = ch.resolveQueueName(m.queue);
      rules.checkQueueRead(access, name);
      const count = vhost.queueRef(name, owner).purge();
      if (!m.nowait) ch.reply({ name: 'queue.purge-ok', messageCount: count });
      return true;
    }
    case 'queue.delete': {
      const name = ch.resolveQueueName(m.queue);
      rules.checkQueueDelete(access, name);
      const count = vhost.deleteQueue(name, owner, m.ifUnused, m.ifEmpty);
      if (!m.nowait) ch.reply({ name: 'queue.delete-ok', messageCount: count });
      return true;
    }
    default:
      return false;
  }
}

/**
 * Spec 1.7.2.3: an empty queue name and an empty routing key both mean the last declared queue.
 * RabbitMQ applies it to queue.unbind too, so a shortcut binding can be undone the same way.
 */
function shortcutKey(queueField: string, routingKey: string, queue: string): string {
  return queueField === '' && routingKey === '' ? queue : routingKey;
}
