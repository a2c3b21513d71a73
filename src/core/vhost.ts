import { randomBytes } from 'node:crypto';
import { amqpError } from '../errors/index.js';
import type { FieldTable } from '../protocol/field-table.js';
import { hasBinding, stripCrLf, withoutCrLf } from './vhost-names.js';
import { defaultExchangeRefused, lockedQueue, queueLimitReached, queueNotFound, raise, remoteQueue } from './vhost-errors.js';
import { ExclusiveOwners } from './exclusive-owners.js';
import { sameOwner, type Principal } from './principal.js';
import type { Clock } from './clock.js';
import { Exchange, type Destination, type ExchangeOptions, type SchemaCache } from './exchange/exchange.js';
import { createTableFor, DELAYED_EXCHANGE_TYPE, isKnownExchangeType } from './exchange/exchange-factory.js';
import { addBuiltinExchanges } from './exchange/builtin-exchanges.js';
import { DelayScheduler } from './exchange/delayed.js';
import { newReplyQueue } from './queue/reply-queue.js';
import { Router } from './router.js';
import { assertEquivalentArgs, assertEquivalentFlag, EXCHANGE_EQUIVALENCE_ARGS, QUEUE_EQUIVALENCE_ARGS, rabbitTypeName } from './equivalence.js';
import type { Message } from './message.js';
import type { PublishResult } from './publish.js';
import { parseQueueArgs } from './queue/arguments.js';
import type { DeathReason } from './queue/dead-letter.js';
import { Queue, type QueueOptions, type QueueRef } from './queue/queue.js';
import type { HeldBytes } from './queue/ready-store.js';
import { DeletedQueueCounters } from './stats/counters.js';
import type { SyncTicket, TopologyListener } from './persistence.js';
import { runGuarded, type FaultReporter, type FaultSink } from './fault.js';
import { applyExchangePolicy, applyQueuePolicy, VhostPolicies } from './policy/apply-policies.js';

export interface DeclareExchangeRequest extends ExchangeOptions {
  readonly name: string;
  readonly type: string;
  readonly passive: boolean;
}

export interface DeclareQueueRequest {
  readonly name: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  /** The name came from generateQueueName(): exempt from the reserved amq. prefix rule. */
  readonly serverNamed?: boolean;
  /** Cluster: the queue lives on this other node; here it is a stub (known, listed, never routed to or consumed). */
  readonly ownerNode?: string;
}

/** A virtual host: its exchanges, queues and bindings, and routing between them. */
export class VirtualHost {
  readonly name: string;
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** Direct reply-to queues (amq.rabbitmq.reply-to.*): reachable through the default exchange, never listed. */
  private readonly replyQueues = new Map<string, Queue>();
  readonly router: Router; // public for the cluster layer's forwarder (router.forwarder)
  /** Time for everything in this vhost (TTL, x-expires, delays, x-death): injected, never the wall clock. */
  readonly clock: Clock;
  /** Exclusive queues by owning connection: a close touches its own queues, not all of them. */
  private readonly exclusiveOwners = new ExclusiveOwners();

  private readonly listener: TopologyListener | undefined;
  /** Message bytes (properties + body) this vhost's queues hold in memory: what the memory alarm counts. */
  readonly heldBytes: HeldBytes = { bytes: 0 };
  /** What deleted queues had counted, so broker totals never go down, and how many (churn's queue_deleted). */
  readonly deletedQueueCounters = new DeletedQueueCounters();
  /** Set by the vhost table: max-queues (undefined: none); the type the protocol layers give declares without x-queue-type (queue/default-queue-type.ts). */
  maxQueues: number | undefined = undefined;
  defaultQueueType = 'classic';
  schemas: SchemaCache | undefined = undefined; // the broker's compiled x-schema cache (core/exchange/schema.ts)
  readonly policies = new VhostPolicies(); // core/policy: applied at declare and by the broker's policies API
  /** Set by the broker: where a bug in a queue's or exchange's timer goes (logged, counted). */
  onFault: FaultReporter | undefined = undefined;
  private readonly exchangeFaults: FaultSink<Exchange> = {
    fault: (x, task, err) => this.reportFault(err, { exchange: x.name, task }),
  };

  constructor(name: string, clock: Clock, listener?: TopologyListener) {
    this.name = name;
    this.clock = clock;
    this.router = new Router(this.exchanges, this.queues, this.replyQueues, clock);
    this.listener = listener;
    addBuiltinExchanges(this.exchanges);
  }

  // ---- exchanges ---------------------------------------------------------------------------

  /**
   * RabbitMQ's order of checks: the type (406 since 3.13, a 503 connection error before), the default exchange, then an
   * existing exchange must match; only a new name is checked for the reserved amq. prefix, so
   * redeclaring amq.direct with its own flags succeeds.
   */
  declareExchange(declared: DeclareExchangeRequest): Exchange {
    const req = withoutCrLf(declared);
    if (req.passive) {
      if (req.name === '') throw defaultExchangeRefused();
      return this.getExchange(req.name);
    }
    if (!isKnownExchangeType(req.type)) {
      throw amqpError('WARREN_EXCHANGE_TYPE_UNKNOWN', `unknown exchange type '${req.type}'`);
    }
    if (req.name === '') throw defaultExchangeRefused();
    const existing = this.exchanges.get(req.name);
    if (existing !== undefined) {
      const n = req.name;
      assertEquivalentFlag('exchange', n, this.name, 'type', req.type, existing.type);
      assertEquivalentFlag('exchange', n, this.name, 'durable', req.durable, existing.options.durable);
      assertEquivalentFlag('exchange', n, this.name, 'auto_delete', req.autoDelete, existing.options.autoDelete);
      assertEquivalentFlag('exchange', n, this.name, 'internal', req.internal, existing.options.internal);
      assertEquivalentArgs('exchange', n, this.name, req.arguments, existing.options.arguments, EXCHANGE_EQUIVALENCE_ARGS);
      return existing;
    }
    if (req.name.startsWith('amq.')) {
      throw amqpError('WARREN_ACCESS_REFUSED', `exchange name '${req.name}' contains reserved prefix 'amq.*'`);
    }
    const ae = Object.hasOwn(req.arguments, 'alternate-exchange') ? req.arguments['alternate-exchange'] : undefined;
    if (ae !== undefined && ae.type !== 'string') {
      throw amqpError(
        'WARREN_ARGUMENT_INVALID',
        `invalid type '${rabbitTypeName(ae)}' for arg 'alternate-exchange' in exchange '${req.name}' in vhost '${this.name}'`,
      );
    }
    const options = { durable: req.durable, autoDelete: req.autoDelete, internal: req.internal, arguments: req.arguments };
    const table = createTableFor<Destination>(req.type, req.arguments, req.name, this.name);
    const exchange = new Exchange(req.name, req.type, options, table, false, this.schemas, this.name);
    applyExchangePolicy(this.policies, exchange);
    if (req.type === DELAYED_EXCHANGE_TYPE) {
      exchange.delayed = new DelayScheduler(exchange.name, this.clock, (message, keys) =>
        runGuarded(this.exchangeFaults, exchange, 'delayed release', () => this.router.releaseDelayed(exchange, message, keys)),
      );
    }
    const log = this.listener?.exchangeDeclared(this.name, exchange); // first: if it throws, nothing was declared
    if (exchange.delayed !== undefined) exchange.delayed.log = log;
    this.exchanges.set(req.name, exchange);
    return exchange;
  }

  getExchange(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) throw amqpError('WARREN_NOT_FOUND', `no exchange '${name}' in vhost '${this.name}'`);
    return exchange;
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw defaultExchangeRefused();
    // RabbitMQ refuses the whole reserved prefix, whether or not such an exchange exists.
    if (name.startsWith('amq.')) {
      throw amqpError('WARREN_ACCESS_REFUSED', `deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    }
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) return; // idempotent, as RabbitMQ 3.x
    if (ifUnused && exchange.table.size > 0) {
      throw amqpError('WARREN_PRECONDITION_FAILED', `exchange '${name}' in vhost '${this.name}' in use`);
    }
    this.removeExchange(exchange);
  }

  /** A missing source is reported before a missing destination, as RabbitMQ does. */
  bindExchange(destinationName: string, sourceName: string, routingKey: string, args: FieldTable): void {
    destinationName = stripCrLf(destinationName);
    sourceName = stripCrLf(sourceName);
    this.assertNotDefault(destinationName, sourceName);
    const source = this.getExchange(sourceName);
    const destination = this.getExchange(destinationName);
    source.table.validateBinding(routingKey, args);
    if (source.table.bind(destination, routingKey, args)) {
      source.hadBinding = true;
      this.listener?.bindingAdded(this.name, source, destination, routingKey, args);
    }
  }

  /** Idempotent like RabbitMQ's: a missing source, destination or binding is not an error. */
  unbindExchange(destinationName: string, sourceName: string, routingKey: string, args: FieldTable): void {
    destinationName = stripCrLf(destinationName);
    sourceName = stripCrLf(sourceName);
    this.assertNotDefault(destinationName, sourceName);
    const source = this.exchanges.get(sourceName);
    const destination = this.exchanges.get(destinationName);
    if (source === undefined || destination === undefined) return;
    if (source.table.unbind(destination, routingKey, args)) {
      this.listener?.bindingRemoved(this.name, source, destination, routingKey, args);
      this.maybeAutoDelete(source);
    }
  }

  // ---- queues ------------------------------------------------------------------------------

  /**
   * RabbitMQ's rules: a client-chosen name may never start with amq. (even to redeclare a
   * server-named queue); an exclusive queue is never durable; a redeclare must agree on
   * exclusivity (405 otherwise), then on durable, auto_delete and the arguments RabbitMQ compares
   * (406). Arguments are validated only when the queue is created: a redeclare is just compared.
   */
  declareQueue(declared: DeclareQueueRequest, owner: Principal): Queue {
    const req = withoutCrLf(declared);
    const existing = this.queues.get(req.name);
    if (req.passive) {
      if (existing === undefined) throw queueNotFound(this.name, req.name);
      this.assertAccessible(existing, owner);
      existing.touch(); // renews the x-expires lease, as RabbitMQ's stat call does (checked on 3.10)
      return existing;
    }
    if (req.name.startsWith('amq.') && req.serverNamed !== true) {
      throw amqpError('WARREN_ACCESS_REFUSED', `queue name '${req.name}' contains reserved prefix 'amq.*'`);
    }
    const durable = req.durable && !req.exclusive;
    if (existing !== undefined) {
      if (!sameOwner(existing.exclusiveOwner, req.exclusive ? owner : undefined)) throw lockedQueue(this.name, existing.name);
      existing.touch();
      const n = req.name;
      assertEquivalentFlag('queue', n, this.name, 'durable', durable, existing.options.durable);
      assertEquivalentFlag('queue', n, this.name, 'auto_delete', req.autoDelete, existing.options.autoDelete);
      assertEquivalentArgs('queue', n, this.name, req.arguments, existing.options.arguments, QUEUE_EQUIVALENCE_ARGS);
      return existing;
    }
    const args = parseQueueArgs(req.arguments, req.name, this.name);
    if (this.maxQueues !== undefined && this.queues.size >= this.maxQueues) throw queueLimitReached(this.name, req.name, this.maxQueues);
    const options: QueueOptions = {
      durable,
      exclusive: req.exclusive,
      autoDelete: req.autoDelete,
      arguments: req.arguments,
      args,
      owner: req.exclusive ? owner : undefined,
      ownerNode: req.ownerNode ?? this.router.forwarder?.place?.({ ...req, durable }),
    };
    const queue = new Queue(this.name, req.name, options, {
      onUnused: (q) => this.removeQueue(q),
      deadLetter: (q, message, reason) => this.deadLetter(q, message, reason),
      openPageStore: (q) => this.listener?.openPageStore(this.name, q),
      fault: (q, task, err) => this.reportFault(err, { queue: q.name, task }),
      held: this.heldBytes,
      clock: this.clock,
    }, this.deletedQueueCounters.queue()); // prettier-ignore
    queue.log = this.listener?.queueDeclared(this.name, queue); // first: if it throws, nothing was declared
    this.queues.set(req.name, queue);
    applyQueuePolicy(this.policies, queue);
    if (options.owner !== undefined) this.exclusiveOwners.add(options.owner, queue);
    return queue;
  }

  /** A server-named queue, as RabbitMQ names them. */
  generateQueueName(): string {
    return `amq.gen-${randomBytes(16).toString('base64url')}`;
  }

  getQueue(name: string, owner: Principal): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined) throw queueNotFound(this.name, name);
    this.assertAccessible(queue, owner);
    return queue;
  }

  /** What a protocol layer consumes from, gets from and settles with (getQueue's checks). */
  queueRef(name: string, owner: Principal): QueueRef {
    const queue = this.getQueue(name, owner);
    if (queue.options.ownerNode !== undefined) return this.router.forwarder?.queueRef(queue) ?? raise(remoteQueue(this.name, name, queue.options.ownerNode));
    return queue.ref;
  }

  deleteQueue(name: string, owner: Principal, ifUnused: boolean, ifEmpty: boolean): number {
    const queue = this.queues.get(name);
    if (queue === undefined) return 0;
    this.assertAccessible(queue, owner);
    if (ifUnused && queue.consumerCount > 0) {
      throw amqpError('WARREN_PRECONDITION_FAILED', `queue '${name}' in vhost '${this.name}' in use`);
    }
    if (ifEmpty && queue.messageCount > 0) {
      throw amqpError('WARREN_PRECONDITION_FAILED', `queue '${name}' in vhost '${this.name}' not empty`);
    }
    return this.removeQueue(queue);
  }

  /** RabbitMQ's order: default exchange, missing exchange, missing queue, invalid binding, exclusivity. */
  bindQueue(queueName: string, exchangeName: string, routingKey: string, args: FieldTable, owner: Principal): void {
    queueName = stripCrLf(queueName);
    exchangeName = stripCrLf(exchangeName);
    this.assertNotDefault(exchangeName);
    const exchange = this.getExchange(exchangeName);
    const queue = this.queues.get(queueName);
    if (queue === undefined) throw queueNotFound(this.name, queueName);
    exchange.table.validateBinding(routingKey, args);
    this.assertAccessible(queue, owner);
    if (exchange.table.bind(queue, routingKey, args)) {
      exchange.hadBinding = true;
      this.listener?.bindingAdded(this.name, exchange, queue, routingKey, args);
    }
  }

  /**
   * Idempotent like RabbitMQ's: a missing exchange, queue or binding is not an error, and only an
   * existing binding is refused on another connection's exclusive queue.
   */
  unbindQueue(queueName: string, exchangeName: string, routingKey: string, args: FieldTable, owner: Principal): void {
    queueName = stripCrLf(queueName);
    exchangeName = stripCrLf(exchangeName);
    this.assertNotDefault(exchangeName);
    const exchange = this.exchanges.get(exchangeName);
    const queue = this.queues.get(queueName);
    if (exchange === undefined || queue === undefined) return;
    if (queue.exclusiveOwner !== undefined && !sameOwner(queue.exclusiveOwner, owner) && hasBinding(exchange, queue, routingKey, args)) {
      throw lockedQueue(this.name, queue.name);
    }
    if (exchange.table.unbind(queue, routingKey, args)) {
      this.listener?.bindingRemoved(this.name, exchange, queue, routingKey, args);
      this.maybeAutoDelete(exchange);
    }
  }

  /** Deletes every exclusive queue the closing connection owned (through the owner index). */
  connectionClosed(owner: Principal): void {
    const owned = this.exclusiveOwners.release(owner);
    if (owned !== undefined) for (const queue of owned) this.removeQueue(queue);
  }

  /** The vhost is deleted (its connections are gone): every queue, with its stored messages, and exchange goes. */
  destroy(): void {
    for (const queue of [...this.queues.values()]) this.removeQueue(queue);
    for (const x of [...this.exchanges.values()]) if (!x.builtin && this.exchanges.get(x.name) === x) this.removeExchange(x);
  }

  /** See TopologyListener: lets a reply wait until the definitions it depends on are on disk. */
  definitionsMark(): number {
    return this.listener?.definitionsMark() ?? 0;
  }

  whenDefinitionsSynced(mark: number, done: (ok: boolean) => void): boolean {
    return this.listener?.whenDefinitionsSynced(mark, done) ?? false;
  }

  // ---- routing (core/router.ts) -----------------------------------------------------------

  /**
   * The publish path (core/router.ts): route, enqueue (TTL, or refused by reject-publish), and
   * whether a mandatory message must be returned. The result is reused: read it at once.
   */
  publish(exchange: Exchange, message: Message, routingKeys: readonly string[], mandatory: boolean, ticket?: SyncTicket): PublishResult {
    return this.router.publish(exchange, message, routingKeys, mandatory, ticket);
  }

  private reportFault(err: unknown, where: Record<string, string>): void {
    if (this.onFault === undefined) throw err;
    this.onFault(err, { vhost: this.name, ...where });
  }

  deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    this.router.deadLetter(queue, message, reason);
  }

  /** The private queue of a consumer on amq.rabbitmq.reply-to, routable by its name through the default exchange. */
  createReplyQueue(owner: Principal): QueueRef {
    const queue = newReplyQueue(this.name, owner, this.clock);
    this.replyQueues.set(queue.name, queue);
    return queue.ref;
  }

  dropReplyQueue(ref: QueueRef): void {
    const queue = this.replyQueues.get(ref.name);
    if (queue?.ref !== ref) return;
    this.replyQueues.delete(ref.name);
    queue.markDeleted();
  }

  /** Binding to or from the default exchange is refused whatever else is wrong. */
  private assertNotDefault(...names: string[]): void { if (names.includes('')) throw defaultExchangeRefused(); } // prettier-ignore

  private removeQueue(queue: Queue): number {
    if (this.queues.get(queue.name) !== queue) return 0;
    this.queues.delete(queue.name);
    this.exclusiveOwners.remove(queue.exclusiveOwner, queue);
    this.listener?.queueDeleted(this.name, queue);
    this.deletedQueueCounters.add(queue.counters);
    for (const exchange of [...this.exchanges.values()]) {
      if (exchange.table.unbindAll(queue) > 0) this.maybeAutoDelete(exchange);
    }
    return queue.markDeleted();
  }

  private removeExchange(exchange: Exchange): void {
    this.exchanges.delete(exchange.name);
    this.listener?.exchangeDeleted(this.name, exchange);
    exchange.delayed?.destroy();
    for (const other of [...this.exchanges.values()]) {
      if (other.table.unbindAll(exchange) > 0) this.maybeAutoDelete(other);
    }
  }

  private maybeAutoDelete(exchange: Exchange): void {
    if (exchange.options.autoDelete && exchange.hadBinding && exchange.table.size === 0 && !exchange.builtin) {
      if (this.exchanges.get(exchange.name) === exchange) this.removeExchange(exchange);
    }
  }

  private assertAccessible(queue: Queue, owner: Principal): void {
    const exclusiveOwner = queue.exclusiveOwner;
    if (exclusiveOwner !== undefined && !sameOwner(exclusiveOwner, owner)) throw lockedQueue(this.name, queue.name);
  }
}
