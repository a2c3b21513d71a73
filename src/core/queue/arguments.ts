import { amqpError } from '../../errors/index.js';
import { isIntegerField, type FieldTable, type FieldValue } from '../../protocol/field-table.js';

export type OverflowMode = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** Queue arguments, validated and parsed once at declare time. */
export interface QueueArgs {
  readonly maxPriority: number; // 0 = not a priority queue
  readonly messageTtl: number | undefined; // ms
  readonly expires: number | undefined; // ms
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  readonly maxLength: number | undefined;
  readonly maxLengthBytes: number | undefined;
  readonly overflow: OverflowMode;
  readonly singleActiveConsumer: boolean;
  readonly deliveryLimit: number | undefined;
  readonly consumerTimeout: number | undefined; // ms, overrides the broker's setting
}

const OVERFLOW_MODES: readonly OverflowMode[] = ['drop-head', 'reject-publish', 'reject-publish-dlx'];
const QUEUE_TYPES = new Set(['classic', 'quorum']);
const QUEUE_MODES = new Set(['default', 'lazy']);
const MAX_TTL = 2 ** 53; // ms; far beyond any real use, still exact in a double

/**
 * Checks every argument Warren understands and rejects a wrong type or range with 406 naming
 * the argument (RabbitMQ's "invalid arg" error). Integers may come in any width: amqplib sends
 * 10 as int8 and 5000 as int16. Unknown arguments are ignored, as RabbitMQ does.
 */
export function parseQueueArgs(args: FieldTable, queue: string, vhost: string): QueueArgs {
  const fail = (name: string, why: string): never => {
    throw amqpError('WARREN_ARGUMENT_INVALID', `invalid arg '${name}' for queue '${queue}' in vhost '${vhost}': ${why}`);
  };
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = args[name];
    if (v === undefined) return undefined;
    if (!isIntegerField(v)) return fail(name, `expected an integer, got a value of type '${v.type}'`);
    const n = Number(v.value);
    if (n < min || n > max) return fail(name, `must be between ${min} and ${max} (got ${n})`);
    return n;
  };
  const str = (name: string): string | undefined => {
    const v = args[name];
    if (v === undefined) return undefined;
    if (v.type !== 'string') return fail(name, `expected a string, got a value of type '${v.type}'`);
    return v.value;
  };
  const oneOf = (name: string, allowed: Iterable<string>): string | undefined => {
    const s = str(name);
    const list = [...allowed];
    if (s !== undefined && !list.includes(s)) fail(name, `must be one of ${list.map((a) => `'${a}'`).join(', ')} (got '${s}')`);
    return s;
  };
  const bool = (name: string): boolean | undefined => {
    const v: FieldValue | undefined = args[name];
    if (v === undefined) return undefined;
    if (v.type !== 'bool') return fail(name, `expected a boolean, got a value of type '${v.type}'`);
    return v.value;
  };

  const deadLetterExchange = str('x-dead-letter-exchange');
  const deadLetterRoutingKey = str('x-dead-letter-routing-key');
  if (deadLetterRoutingKey !== undefined && deadLetterExchange === undefined) {
    fail('x-dead-letter-routing-key', "requires 'x-dead-letter-exchange'");
  }
  oneOf('x-queue-type', QUEUE_TYPES);
  oneOf('x-queue-mode', QUEUE_MODES);
  return {
    maxPriority: int('x-max-priority', 1, 255) ?? 0,
    messageTtl: int('x-message-ttl', 0, MAX_TTL),
    expires: int('x-expires', 1, MAX_TTL),
    deadLetterExchange,
    deadLetterRoutingKey,
    maxLength: int('x-max-length', 0, Number.MAX_SAFE_INTEGER),
    maxLengthBytes: int('x-max-length-bytes', 0, Number.MAX_SAFE_INTEGER),
    overflow: (oneOf('x-overflow', OVERFLOW_MODES) as OverflowMode | undefined) ?? 'drop-head',
    singleActiveConsumer: bool('x-single-active-consumer') ?? false,
    deliveryLimit: int('x-delivery-limit', 0, Number.MAX_SAFE_INTEGER),
    consumerTimeout: int('x-consumer-timeout', 0, MAX_TTL),
  };
}

/** basic.consume's `x-priority`: any integer width, default 0. */
export function parseConsumerPriority(args: FieldTable): number {
  const v = args['x-priority'];
  if (v === undefined) return 0;
  if (!isIntegerField(v)) {
    throw amqpError('WARREN_ARGUMENT_INVALID', `invalid arg 'x-priority' for basic.consume: expected an integer, got a value of type '${v.type}'`);
  }
  return Number(v.value);
}
