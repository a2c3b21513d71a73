import { DecodeError } from './errors.js';
import { readTable, writeTable } from './field-codec.js';
import type { FieldTable } from './field-value.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export { MAX_FIELD_DEPTH, type FieldTable, type FieldValue, type FieldValueType } from './field-value.js';
export { readFieldValue, readTable, writeFieldValue, writeTable } from './field-codec.js';

export function decodeTable(buf: Buffer): FieldTable {
  const r = new Reader(buf);
  const t = readTable(r);
  if (r.pos !== r.end) throw new DecodeError('bad-value', `${r.end - r.pos} byte(s) after the field table`);
  return t;
}

export function encodeTable(t: FieldTable): Buffer {
  const w = new Writer(256);
  writeTable(w, t);
  return w.take();
}

export {
  asBool,
  isIntegerField,
  isErlangInteger,
  asNumber,
  asString,
  fieldValuesEqual,
  fromJs,
  tableFromJs,
  tablesEqual,
  tableToJs,
  toJs,
} from './field-value-helpers.js';
