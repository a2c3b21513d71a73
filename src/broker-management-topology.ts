import type { BrokerPublish } from './broker-publish.js';
import { bindingMatches, parsePropertiesKey } from './core/binding-key.js';
import { Exchange } from './core/exchange/exchange.js';
import { connectionPrincipal, type Principal } from './core/principal.js';
import { withDefaultQueueType } from './core/queue/default-queue-type.js';
import type { AccessControl, PrincipalAccess } from './core/security/access.js';
import * as rules from './core/security/access-rules.js';
import type { VirtualHost } from './core/vhost.js';
import { amqpError } from './errors/index.js';
import type { GotMessage, TopologyOps } from './http/topology-ops.js';

/**
 * The connection id of the management API's principals. Not '' (the broker itself, never checked),
 * and no connection's: an exclusive queue is locked to it, as RabbitMQ's API (no connection) finds it.
 */
const MANAGEMENT_CONNECTION = 'management-api';

/**
 * The management API's topology writes (http/topology-ops.ts) on the broker's vhosts: the checks of
 * core/security/access-rules.ts in rabbit_channel's order, then the vhost's own declare, delete,
 * bind and get, exactly as amqp/topology-methods.ts calls them; each write resolves once its
 * definitions record is on disk, as a declare-ok waits for it.
 */
export function managementTopology(vhosts: ReadonlyMap<string, VirtualHost>, accessControl: AccessControl, publish: BrokerPublish): TopologyOps {
  const acting = (user: string, vhostName: string): { vhost: VirtualHost; principal: Principal; access: PrincipalAccess } => {
    const vhost = vhosts.get(vhostName);
    if (vhost === undefined) throw amqpError('WARREN_NOT_FOUND', `no vhost '${vhostName}'`);
    const principal = connectionPrincipal(user, vhostName, MANAGEMENT_CONNECTION);
    return { vhost, principal, access: accessControl.forPrincipal(principal) };
  };

  return {
    async declareQueue(user, vhostName, req) {
      const { vhost, principal, access } = acting(user, vhostName);
      rules.checkQueueDeclare(access, vhost, { name: req.name, passive: req.passive, serverNamed: false, arguments: req.arguments });
      const flags = { durable: req.durable, exclusive: false, autoDelete: req.autoDelete };
      const args = req.passive ? req.arguments : withDefaultQueueType(vhost.defaultQueueType, flags, req.arguments);
      const existed = vhost.queues.has(req.name);
      vhost.declareQueue({ name: req.name, passive: req.passive, ...flags, arguments: args }, principal);
      await synced(vhost);
      return !existed;
    },

    async deleteQueue(user, vhostName, name, options) {
      const { vhost, principal, access } = acting(user, vhostName);
      rules.checkQueueDelete(access, name);
      vhost.deleteQueue(name, principal, options.ifUnused, options.ifEmpty);
      await synced(vhost);
    },

    purgeQueue(user, vhostName, name) {
      const { vhost, principal, access } = acting(user, vhostName);
      rules.checkQueueRead(access, name);
      vhost.queueRef(name, principal).purge();
    },

    async getMessages(user, vhostName, name, count, ackmode) {
      const { vhost, principal, access } = acting(user, vhostName);
      rules.checkQueueRead(access, name);
      const queue = vhost.queueRef(name, principal);
      const noAck = ackmode === 'ack_requeue_false';
      const got: GotMessage[] = [];
      const held: number[] = [];
      try {
        while (got.length !== count) {
          const next = queue.get(noAck);
          if (next === undefined) {
            if (!queue.readingBack) break;
            await new Promise<void>((resolve) => queue.whenReadBack(resolve)); // its paged tail is being read back
            continue;
          }
          const m = next.message;
          got.push({
            redelivered: next.redelivered,
            exchange: m.exchange,
            routingKey: m.routingKey,
            messageCount: queue.messageCount,
            properties: m.properties,
            body: m.body,
            deliveryCount: next.deliveryCount,
          });
          if (!noAck) held.push(next.seq);
        }
      } finally {
        // Settled only once all are taken, as RabbitMQ's API does: a requeued message would come back next.
        if (ackmode === 'reject_requeue_false') for (const seq of held) queue.reject(seq, false);
        else if (held.length > 0) queue.requeueMany(held.sort((a, b) => a - b));
      }
      return got;
    },

    async declareExchange(user, vhostName, req) {
      const { vhost, access } = acting(user, vhostName);
      rules.checkExchangeDeclare(access, vhost, { name: req.name, type: req.type, passive: req.passive, arguments: req.arguments });
      const existed = vhost.exchanges.has(req.name);
      vhost.declareExchange(req);
      await synced(vhost);
      return !existed;
    },

    async deleteExchange(user, vhostName, name, ifUnused) {
      const { vhost, access } = acting(user, vhostName);
      rules.checkExchangeDelete(access, name);
      vhost.deleteExchange(name, ifUnused);
      await synced(vhost);
    },

    async bind(user, vhostName, req) {
      const { vhost, principal, access } = acting(user, vhostName);
      const b = req;
      rules.checkBinding(access, vhost, b.destinationType, b.destination, b.source, b.routingKey);
      if (b.destinationType === 'queue') vhost.bindQueue(b.destination, b.source, b.routingKey, b.arguments, principal);
      else vhost.bindExchange(b.destination, b.source, b.routingKey, b.arguments);
      await synced(vhost);
    },

    async unbind(user, vhostName, req) {
      const { vhost, principal, access } = acting(user, vhostName);
      rules.checkBinding(access, vhost, req.destinationType, req.destination, req.source, req.routingKey);
      if (req.destinationType === 'queue') vhost.unbindQueue(req.destination, req.source, req.routingKey, req.arguments, principal);
      else vhost.unbindExchange(req.destination, req.source, req.routingKey, req.arguments);
      await synced(vhost);
    },

    findBinding(vhostName, source, destinationType, destination, key) {
      const parsed = parsePropertiesKey(key);
      const vhost = vhosts.get(vhostName);
      const exchange = vhost?.exchanges.get(source);
      if (parsed === undefined || exchange === undefined || source === '') return undefined;
      for (const b of exchange.table.bindings()) {
        const d = b.destination;
        if ((d instanceof Exchange ? 'exchange' : 'queue') !== destinationType || d.name !== destination) continue;
        if (bindingMatches(parsed, b.routingKey, b.args)) return { source, destinationType, destination, routingKey: b.routingKey, arguments: b.args };
      }
      return undefined;
    },

    publish: (user, vhost, exchange, request) => publish(vhost, exchange, request, { user }),
  };
}

/** Resolves once every definitions record written so far is on disk. */
function synced(vhost: VirtualHost): Promise<void> {
  const mark = vhost.definitionsMark();
  return new Promise<void>((resolve, reject) => {
    const waiting = vhost.whenDefinitionsSynced(mark, (ok) => (ok ? resolve() : reject(new Error('the definitions log could not be written'))));
    if (!waiting) resolve();
  });
}
