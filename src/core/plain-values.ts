import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import type { PlainTable, PlainValue } from './snapshots.js';

const EMPTY: PlainTable = Object.freeze(Object.create(null) as PlainTable);

/**
 * A field table as frozen plain data, as RabbitMQ's management JSON shows it: integers and floats as
 * numbers (an int64 beyond 2^53 loses precision), decimals as their value, timestamps as epoch
 * seconds, byte arrays and long strings as strings, void as null. A copy: nothing of the live table
 * (or of the frame it was decoded from) is reachable through it.
 */
export function plainTable(table: FieldTable): PlainTable {
  let out: Record<string, PlainValue> | undefined;
  for (const key in table) {
    const v = table[key];
    if (v === undefined) continue;
    out ??= Object.create(null) as Record<string, PlainValue>;
    out[key] = plainValue(v);
  }
  return out === undefined ? EMPTY : Object.freeze(out);
}

export function plainValue(v: FieldValue): PlainValue {
  switch (v.type) {
    case 'int64':
    case 'timestamp':
      return Number(v.value);
    case 'decimal':
      return v.value.value / 10 ** v.value.scale;
    case 'bytes':
      return v.value.toString('utf8');
    case 'array':
      return Object.freeze(v.value.map(plainValue));
    case 'table':
      return plainTable(v.value);
    default:
      return v.value;
  }
}
