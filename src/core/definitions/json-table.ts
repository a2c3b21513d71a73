import type { FieldTable, FieldValue } from '../../protocol/field-table.js';

const MAX_DEPTH = 32;

/**
 * A definitions file's `arguments` object as a field table, as RabbitMQ's rabbit_misc:to_amqp_table reads
 * it: strings longstr, integers long (int64), other numbers double, booleans bool, objects tables, arrays
 * arrays. null (and anything JSON cannot hold) is refused: `where` names the object in the message.
 */
export function tableFromJson(json: unknown, where: string): FieldTable {
  if (json === undefined || (Array.isArray(json) && json.length === 0)) return Object.create(null) as FieldTable;
  if (!isPlainObject(json)) throw new TypeError(`${where}: arguments must be an object`);
  return tableOf(json, where, 0);
}

function tableOf(json: Record<string, unknown>, where: string, depth: number): FieldTable {
  const table = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of Object.entries(json)) {
    if (Buffer.byteLength(k, 'utf8') > 255) throw new TypeError(`${where}: argument name '${k.slice(0, 40)}…' is over 255 bytes`);
    table[k] = valueOf(v, `${where}: argument '${k}'`, depth);
  }
  return table;
}

function valueOf(v: unknown, where: string, depth: number): FieldValue {
  if (depth > MAX_DEPTH) throw new TypeError(`${where} is nested deeper than ${MAX_DEPTH}`);
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Number.isSafeInteger(v)) return { type: 'int64', value: v };
    return { type: 'double', value: v };
  }
  if (Array.isArray(v)) return { type: 'array', value: v.map((item) => valueOf(item, where, depth + 1)) };
  if (isPlainObject(v)) return { type: 'table', value: tableOf(v, where, depth + 1) };
  throw new TypeError(`${where} is ${v === null ? 'null' : `a ${typeof v}`}, which a field table cannot hold`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
