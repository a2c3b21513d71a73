import type { FieldTable } from '../../protocol/field-table.js';

/** The queue type RabbitMQ falls back to where the vhost's default cannot apply. */
const FALLBACK = 'classic';

export interface DeclareFlags {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
}

/**
 * A vhost's default queue type applied to a queue.declare, as RabbitMQ 4.x's
 * rabbit_amqqueue:augment_declare_args does: only when the client gave no x-queue-type (or an
 * empty one), and only to a queue the type can be (a quorum queue is durable, not exclusive, not
 * auto-delete: rabbit_quorum_queue:is_compatible); any other queue gets the fallback, classic. The
 * type is written into the declared arguments, so it is stored, listed and compared on redeclare.
 *
 * A vhost whose default is classic leaves the arguments as declared (RabbitMQ 4.x writes
 * x-queue-type classic into them; Warren reads a missing x-queue-type as classic everywhere).
 * Warren's quorum queues are classic queues (README, deviations).
 */
export function withDefaultQueueType(defaultQueueType: string, flags: DeclareFlags, args: FieldTable): FieldTable {
  if (defaultQueueType === FALLBACK) return args;
  const given = Object.hasOwn(args, 'x-queue-type') ? args['x-queue-type'] : undefined;
  if (given !== undefined && !(given.type === 'string' && (given.value === '' || given.value === 'undefined'))) return args;
  const compatible = defaultQueueType !== 'quorum' || (flags.durable && !flags.exclusive && !flags.autoDelete);
  return { ...args, 'x-queue-type': { type: 'string', value: compatible ? defaultQueueType : FALLBACK } };
}
