import { amqpError } from '../errors/index.js';
import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import { tablesEqual, toJs } from '../protocol/field-table.js';

/** RabbitMQ's wording for a redeclare that does not match: "inequivalent arg 'durable' ...". */
export function assertEquivalentFlag(
  kind: 'exchange' | 'queue',
  name: string,
  vhost: string,
  arg: string,
  received: boolean | string,
  current: boolean | string,
): void {
  if (received === current) return;
  throw amqpError(
    'WARREN_INEQUIVALENT_ARG',
    `inequivalent arg '${arg}' for ${kind} '${name}' in vhost '${vhost}': received '${String(received)}' but current is '${String(current)}'`,
  );
}

/**
 * Arguments must match on redeclare. RabbitMQ compares only the arguments it knows; Warren
 * compares every `x-` argument plus alternate-exchange, which is what users expect from the
 * error and what RabbitMQ does for all the arguments Warren implements.
 */
export function assertEquivalentArgs(
  kind: 'exchange' | 'queue',
  name: string,
  vhost: string,
  received: FieldTable,
  current: FieldTable,
): void {
  const keys = new Set([...Object.keys(received), ...Object.keys(current)]);
  for (const key of keys) {
    const a = received[key];
    const b = current[key];
    if (a === undefined && b === undefined) continue;
    if (a !== undefined && b !== undefined && valuesEquivalent(a, b)) continue;
    throw amqpError(
      'WARREN_INEQUIVALENT_ARG',
      `inequivalent arg '${key}' for ${kind} '${name}' in vhost '${vhost}': received ${describe(a)} but current is ${describe(b)}`,
    );
  }
}

function valuesEquivalent(a: FieldValue, b: FieldValue): boolean {
  // Integers arrive in whatever width the client picked (amqplib sends 10 as int8): compare numerically.
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  return tablesEqual({ v: a }, { v: b });
}

function numeric(v: FieldValue): number | undefined {
  switch (v.type) {
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return v.value;
    case 'int64':
      return Number(v.value);
    default:
      return undefined;
  }
}

function describe(v: FieldValue | undefined): string {
  if (v === undefined) return 'none';
  const js = toJs(v);
  return `the value '${typeof js === 'object' ? JSON.stringify(js) : String(js)}' of type '${v.type}'`;
}
