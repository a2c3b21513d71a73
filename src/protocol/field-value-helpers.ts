import type { FieldTable, FieldValue } from './field-table.js';

/** Deep, type-strict, key-order-insensitive equality of two tables. */
export function tablesEqual(a: FieldTable, b: FieldTable): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    const va = a[key];
    if (va === undefined) continue;
    count++;
    if (!Object.hasOwn(b, key)) return false;
    const vb = b[key];
    if (vb === undefined || !fieldValuesEqual(va, vb)) return false;
  }
  let countB = 0;
  for (const key in b) if (b[key] !== undefined) countB++;
  return count === countB;
}

/**
 * Type-strict equality: int32 1 and int64 1 differ (RabbitMQ compares typed values in the headers
 * exchange). Floats compare with Object.is, so NaN equals NaN and 0 differs from -0, as their bytes do.
 */
export function fieldValuesEqual(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'float':
    case 'double':
      return Object.is(a.value, b.value);
    case 'int64':
      return BigInt(a.value) === BigInt(b.value as number | bigint);
    case 'decimal': {
      const d = b.value as { scale: number; value: number };
      return a.value.scale === d.scale && a.value.value === d.value;
    }
    case 'bytes':
      return a.value.equals(b.value as Buffer);
    case 'array': {
      const xs = a.value;
      const ys = b.value as readonly FieldValue[];
      if (xs.length !== ys.length) return false;
      for (let i = 0; i < xs.length; i++) if (!fieldValuesEqual(xs[i]!, ys[i]!)) return false;
      return true;
    }
    case 'table':
      return tablesEqual(a.value, b.value as FieldTable);
    default:
      return a.value === b.value;
  }
}

/**
 * A plain JS view of a value: numbers, bigint (int64 beyond 2^53), strings, booleans, Buffers, Date
 * (timestamp), null (void), arrays and null-prototype objects. A decimal becomes value / 10^scale.
 */
export function toJs(v: FieldValue): unknown {
  switch (v.type) {
    case 'decimal':
      return v.value.value / 10 ** v.value.scale;
    case 'timestamp':
      return new Date(Number(v.value) * 1000);
    case 'array':
      return v.value.map(toJs);
    case 'table':
      return tableToJs(v.value);
    default:
      return v.value;
  }
}

export function tableToJs(t: FieldTable): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key in t) {
    const v = t[key];
    if (v !== undefined) out[key] = toJs(v);
  }
  return out;
}

/**
 * A typed value from plain JS: integers take the smallest signed type that holds them (the types RabbitMQ
 * and amqplib prefer), other numbers are doubles, bigint is int64, Date a timestamp (whole seconds),
 * null/undefined void, arrays arrays and other objects tables.
 */
export function fromJs(v: unknown): FieldValue {
  switch (typeof v) {
    case 'number':
      return numberFromJs(v);
    case 'bigint':
      return { type: 'int64', value: Number.isSafeInteger(Number(v)) ? Number(v) : v };
    case 'string':
      return { type: 'string', value: v };
    case 'boolean':
      return { type: 'bool', value: v };
    case 'undefined':
      return { type: 'void', value: null };
    case 'object':
      if (v === null) return { type: 'void', value: null };
      if (Buffer.isBuffer(v)) return { type: 'bytes', value: v };
      if (v instanceof Date) return { type: 'timestamp', value: Math.floor(v.getTime() / 1000) };
      if (Array.isArray(v)) return { type: 'array', value: v.map(fromJs) };
      return { type: 'table', value: tableFromJs(v as Record<string, unknown>) };
    default:
      throw new TypeError(`cannot put a ${typeof v} in a field table`);
  }
}

function numberFromJs(n: number): FieldValue {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    if (n >= -0x80 && n <= 0x7f) return { type: 'int8', value: n };
    if (n >= -0x8000 && n <= 0x7fff) return { type: 'int16', value: n };
    if (n >= -0x80000000 && n <= 0x7fffffff) return { type: 'int32', value: n };
    if (Number.isSafeInteger(n)) return { type: 'int64', value: n };
  }
  return { type: 'double', value: n };
}

/** Keys whose value is undefined are left out, as JSON.stringify and amqplib do. */
export function tableFromJs(o: Record<string, unknown>): FieldTable {
  const out = Object.create(null) as Record<string, FieldValue>;
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v !== undefined) out[key] = fromJs(v);
  }
  return out;
}

/** Any integer or floating-point value as a number (int64 beyond 2^53 loses precision); else undefined. */
export function asNumber(v: FieldValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  switch (v.type) {
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float':
    case 'double':
      return v.value;
    case 'int64':
      return Number(v.value);
    default:
      return undefined;
  }
}

/** A string, or a byte array decoded as UTF-8; else undefined. */
export function asString(v: FieldValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.type === 'string') return v.value;
  if (v.type === 'bytes') return v.value.toString('utf8');
  return undefined;
}

export function asBool(v: FieldValue | undefined): boolean | undefined {
  return v !== undefined && v.type === 'bool' ? v.value : undefined;
}

type IntegerField = Extract<FieldValue, { type: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' }>;

/** An integer of any width: clients pick the width (amqplib sends 10 as int8, 5000 as int16). */
export function isIntegerField(v: FieldValue): v is IntegerField {
  switch (v.type) {
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
      return true;
    default:
      return false;
  }
}

/** An integer or a timestamp: RabbitMQ holds both as one Erlang integer when comparing values. */
export function isErlangInteger(v: FieldValue): v is IntegerField | Extract<FieldValue, { type: 'timestamp' }> {
  return v.type === 'timestamp' || isIntegerField(v);
}
