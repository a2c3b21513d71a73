import type { FieldTable } from '../../protocol/field-table.js';
import type { Queue } from '../queue/queue.js';
import type { DelayScheduler } from './delayed.js';
import type { RoutingTable } from './exchange-type.js';
import { ExchangeCounters } from '../stats/counters.js';
import { NO_POLICY, type AppliedPolicy } from '../policy/vhost-policies.js';
import type { SchemaCache, SchemaCheck } from './schema.js';
import { schemaCheckOf } from './schema-args.js';
import type { SchemaRejects } from './schema-rejects.js';

export type { SchemaCache };

export type Destination = Queue | Exchange;

export interface ExchangeOptions {
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
}

/** A declared exchange: its flags and its routing table over queues and other exchanges. */
export class Exchange {
  readonly name: string;
  readonly type: string;
  readonly options: ExchangeOptions;
  readonly table: RoutingTable<Destination>;
  /** The `alternate-exchange` argument, when given as a string. */
  readonly declaredAlternateExchange: string | undefined;
  /** In force: the argument, else the policy's (core/policy). */
  alternateExchange: string | undefined;
  /** The policy and operator policy in force (set by the vhost's policies). */
  policy: AppliedPolicy = NO_POLICY;
  /** Predeclared by the broker (the default exchange and amq.*): never deleted by clients. */
  readonly builtin: boolean;
  /** Epoch mark used by routing to visit each exchange once per publish (cycles terminate). */
  routeMark = 0;
  /** Auto-delete applies only once the exchange has had a binding. */
  hadBinding = false;
  /** x-delayed-message exchanges hold messages with an x-delay header here until due. */
  delayed: DelayScheduler | undefined;
  /** headers routing (or a delayed exchange of type headers) needs the decoded headers table. */
  readonly routesByHeaders: boolean;
  /** x-schema: publishes are checked before routing (core/exchange/schema.ts); undefined for most. */
  schema: SchemaCheck | undefined;
  /** The last messages that failed the schema (made at the first one). */
  schemaRejects: SchemaRejects | undefined = undefined;
  /** x-invalid-exchange: where messages failing the schema go when neither returned nor nacked. */
  readonly invalidExchange: string | undefined;
  /** Client publishes to this exchange and what became of them (core/stats). */
  readonly counters = new ExchangeCounters();

  constructor(
    name: string,
    type: string,
    options: ExchangeOptions,
    table: RoutingTable<Destination>,
    builtin = false,
    schemas?: SchemaCache,
    vhost = '',
  ) {
    this.name = name;
    this.type = type;
    this.options = options;
    this.table = table;
    this.builtin = builtin;
    const delayedType = options.arguments['x-delayed-type'];
    this.routesByHeaders = type === 'headers' || (type === 'x-delayed-message' && delayedType?.type === 'string' && delayedType.value === 'headers');
    const ae = options.arguments['alternate-exchange'];
    this.declaredAlternateExchange = ae !== undefined && ae.type === 'string' ? ae.value : undefined;
    this.alternateExchange = this.declaredAlternateExchange;
    this.schema = schemaCheckOf(options.arguments, schemas, name, vhost);
    const ix = this.schema === undefined ? undefined : options.arguments['x-invalid-exchange'];
    this.invalidExchange = ix?.type === 'string' ? ix.value : undefined;
  }

  get isDefault(): boolean {
    return this.name === '';
  }
}

export function isExchange(d: Destination): d is Exchange {
  return d instanceof Exchange;
}
