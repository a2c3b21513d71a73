import type { FieldTable } from '../../protocol/field-table.js';

export const BUILTIN_EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;
export type BuiltinExchangeType = (typeof BUILTIN_EXCHANGE_TYPES)[number];

/** One binding as the broker lists and persists it. */
export interface BindingInfo<D> {
  destination: D;
  routingKey: string;
  args: FieldTable;
}

/**
 * One exchange's bindings, indexed for routing. D is the destination (a queue or exchange object), compared by
 * identity.
 */
export interface RoutingTable<D> {
  /**
   * Throws AmqpError('WARREN_ARGUMENT_INVALID', ...) when the binding key or arguments are invalid for this
   * type. As in RabbitMQ only headers has rules (x-match); bind() checks them too.
   */
  validateBinding(routingKey: string, args: FieldTable): void;
  /**
   * Returns false when an identical binding (same destination, key and arguments) exists. As in RabbitMQ, the
   * arguments are part of a binding's identity for every type: the same key with other arguments is another binding.
   */
  bind(destination: D, routingKey: string, args: FieldTable): boolean;
  /** Returns false when no such binding existed (unbind is idempotent for callers). */
  unbind(destination: D, routingKey: string, args: FieldTable): boolean;
  /** Removes every binding to destination (queue deleted); returns how many went. */
  unbindAll(destination: D): number;
  /**
   * Appends matching destinations to out; duplicates allowed (the caller dedups). headers: the message's headers
   * (undefined = none). Allocates nothing beyond the pushes to out (headers: except to compare nested tables).
   * Reset a reused out array with pop(), not `out.length = 0`, which drops V8's backing store.
   */
  route(routingKey: string, headers: FieldTable | undefined, out: D[]): void;
  /** Number of bindings. */
  readonly size: number;
  /** Every binding, for listing and for persistence: a snapshot, safe to unbind while iterating. */
  bindings(): Iterable<BindingInfo<D>>;
  hasBindingsTo(destination: D): boolean;
}

export function isBuiltinExchangeType(t: string): t is BuiltinExchangeType {
  return t === 'direct' || t === 'fanout' || t === 'topic' || t === 'headers';
}
