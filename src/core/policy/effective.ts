import type { FieldTable } from '../../protocol/field-table.js';
import type { OverflowMode, QueueArgs } from '../queue/arguments.js';
import type { PlainTable, PlainValue } from '../snapshots.js';

/** Operator-policy keys merged by taking the lesser value (rabbit_policies:merge_policy_value). */
const LESSER = new Set(['message-ttl', 'max-length', 'max-length-bytes', 'max-in-memory-length', 'max-in-memory-bytes', 'expires', 'delivery-limit']);

/**
 * RabbitMQ's effective_policy_definition (rabbit_policy:merge_operator_definitions): every key of
 * either; where both set one, the lesser for the numeric limits and the operator's value for the
 * rest (4.x: overflow, queue-version; booleans). Keys come out sorted, as Erlang's maps do.
 */
export function mergeDefinitions(user: PlainTable | undefined, operator: PlainTable | undefined): PlainTable {
  if (operator === undefined) return user as PlainTable;
  if (user === undefined) return operator;
  const out = Object.create(null) as Record<string, PlainValue>;
  for (const key of [...new Set([...Object.keys(user), ...Object.keys(operator)])].sort()) {
    const u = user[key];
    const o = operator[key];
    if (u === undefined) out[key] = o as PlainValue;
    else if (o === undefined) out[key] = u;
    else out[key] = LESSER.has(key) && typeof u === 'number' && typeof o === 'number' ? Math.min(u, o) : o;
  }
  return Object.freeze(out);
}

const num = (d: PlainTable, key: string): number | undefined => {
  const v = d[key];
  return typeof v === 'number' ? v : undefined;
};
const text = (d: PlainTable, key: string): string | undefined => {
  const v = d[key];
  return typeof v === 'string' ? v : undefined;
};
/** res_min: both set, the lesser; otherwise whichever is set. */
const lesser = (arg: number | undefined, policy: number | undefined): number | undefined =>
  arg === undefined ? policy : policy === undefined ? arg : Math.min(arg, policy);

/**
 * A queue's settings from its arguments and its effective policy definition, as RabbitMQ's classic
 * queues combine them (rabbit_amqqueue_process:process_args_policy): message-ttl, expires,
 * max-length, max-length-bytes (and consumer-timeout, delivery-limit, as 4.x) take the lesser;
 * dead-letter-exchange, dead-letter-routing-key and overflow take the argument when it is set.
 * Each key is resolved on its own, so a DLX argument may pair with a policy's routing key.
 */
export function effectiveQueueArgs(declared: QueueArgs, args: FieldTable, d: PlainTable): QueueArgs {
  if (Object.keys(d).length === 0) return declared;
  const overflowArg = args['x-overflow'] !== undefined;
  return Object.freeze({
    ...declared,
    messageTtl: lesser(declared.messageTtl, num(d, 'message-ttl')),
    expires: lesser(declared.expires, num(d, 'expires')),
    maxLength: lesser(declared.maxLength, num(d, 'max-length')),
    maxLengthBytes: lesser(declared.maxLengthBytes, num(d, 'max-length-bytes')),
    deliveryLimit: lesser(declared.deliveryLimit, num(d, 'delivery-limit')),
    consumerTimeout: lesser(declared.consumerTimeout, num(d, 'consumer-timeout')),
    deadLetterExchange: declared.deadLetterExchange ?? text(d, 'dead-letter-exchange'),
    deadLetterRoutingKey: declared.deadLetterRoutingKey ?? text(d, 'dead-letter-routing-key'),
    overflow: overflowArg ? declared.overflow : ((text(d, 'overflow') as OverflowMode | undefined) ?? declared.overflow),
  });
}

/** An exchange's alternate exchange: the argument when given (rabbit_policy:get_arg), else the policy's. */
export function effectiveAlternateExchange(declared: string | undefined, d: PlainTable): string | undefined {
  return declared ?? text(d, 'alternate-exchange');
}
