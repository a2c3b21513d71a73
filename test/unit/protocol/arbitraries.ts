// fast-check arbitraries for codec values, shared by the unit and property tests.
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../../src/protocol/field-table.js';

export const shortstrArb = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .filter((s) => Buffer.byteLength(s) <= 255);

const keyArb = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), shortstrArb);

function normalizeInt64(v: bigint): number | bigint {
  return Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

const scalarArb: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.boolean().map((value): FieldValue => ({ type: 'bool', value })),
  fc.integer({ min: -0x80, max: 0x7f }).map((value): FieldValue => ({ type: 'int8', value })),
  fc.integer({ min: 0, max: 0xff }).map((value): FieldValue => ({ type: 'uint8', value })),
  fc.integer({ min: -0x8000, max: 0x7fff }).map((value): FieldValue => ({ type: 'int16', value })),
  fc.integer({ min: 0, max: 0xffff }).map((value): FieldValue => ({ type: 'uint16', value })),
  fc.integer().map((value): FieldValue => ({ type: 'int32', value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value): FieldValue => ({ type: 'uint32', value })),
  fc
    .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    .map((v): FieldValue => ({ type: 'int64', value: normalizeInt64(v) })),
  fc.float().map((value): FieldValue => ({ type: 'float', value })),
  fc.double().map((value): FieldValue => ({ type: 'double', value })),
  fc
    .record({ scale: fc.integer({ min: 0, max: 255 }), value: fc.integer({ min: 0, max: 0xffffffff }) })
    .map((value): FieldValue => ({ type: 'decimal', value })),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((value): FieldValue => ({ type: 'string', value })),
  fc.uint8Array({ maxLength: 16 }).map((a): FieldValue => ({ type: 'bytes', value: Buffer.from(a) })),
  fc.maxSafeNat().map((value): FieldValue => ({ type: 'timestamp', value })),
  fc.constant<FieldValue>({ type: 'void', value: null }),
);

function toTable(entries: readonly (readonly [string, FieldValue])[]): FieldTable {
  const t = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of entries) t[k] = v;
  return t;
}

const tree = fc.letrec<{ value: FieldValue; table: FieldTable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('value'), { maxLength: 4 }).map((value): FieldValue => ({ type: 'array', value })),
    tie('table').map((value): FieldValue => ({ type: 'table', value })),
  ),
  table: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 5 }).map(toTable),
}));

export const fieldValueArb: fc.Arbitrary<FieldValue> = tree.value;
export const fieldTableArb: fc.Arbitrary<FieldTable> = tree.table;
