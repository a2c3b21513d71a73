import { tablesEqual, type FieldTable } from '../protocol/field-table.js';
import type { Destination, Exchange } from './exchange/exchange.js';

/** Whether this exact binding exists (rare path: an unbind on another connection's exclusive queue). */
export function hasBinding(exchange: Exchange, destination: Destination, routingKey: string, args: FieldTable): boolean {
  if (!exchange.table.hasBindingsTo(destination)) return false;
  for (const b of exchange.table.bindings()) {
    if (b.destination === destination && b.routingKey === routingKey && tablesEqual(b.args, args)) return true;
  }
  return false;
}

/**
 * RabbitMQ removes CR and LF from queue and exchange names in declares and binding methods
 * (rabbit_channel's strip_cr_lf; RabbitMQ 3.10 answers queue.declare 'a\r\nb' with declare-ok 'ab').
 * Its check_name refuses only the amq. prefix ("we deliberately do not enforce the other constraints
 * on names"), so NUL and other control characters are kept; bytes that are not UTF-8 never get here
 * (the codec refuses them in these methods with 501, as RabbitMQ 3.10 does).
 */
export function stripCrLf(name: string): string {
  return name.indexOf('\r') === -1 && name.indexOf('\n') === -1 ? name : name.replace(/[\r\n]/g, '');
}

export function withoutCrLf<R extends { readonly name: string }>(req: R): R {
  const name = stripCrLf(req.name);
  return name === req.name ? req : { ...req, name };
}
