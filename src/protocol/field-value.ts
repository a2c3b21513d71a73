/**
 * A typed field-table value, so tables survive decode/encode byte for byte and compare type-strictly (the
 * headers exchange matches 'I' 1 and 'l' 1 as different values, as RabbitMQ does).
 *
 * Tags follow RabbitMQ's reading of the errata, not the 0-9-1 text: 'b' int8, 'B' uint8, 's' int16,
 * 'u' uint16, 'I' int32, 'i' uint32, 'l' int64, 'f' float, 'd' double, 'D' decimal, 'S' longstr,
 * 'x' byte array, 'T' timestamp, 'A' array, 'F' table, 'V' void, 't' bool.
 */
export type FieldValue =
  | { readonly type: 'bool'; readonly value: boolean }
  | {
      readonly type: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float' | 'double';
      readonly value: number;
    }
  /** number when a safe integer, else bigint. */
  | { readonly type: 'int64'; readonly value: number | bigint }
  /** The value is value / 10^scale; both unsigned (scale octet, uint32) as RabbitMQ reads them. */
  | { readonly type: 'decimal'; readonly value: { readonly scale: number; readonly value: number } }
  /** 'S', decoded as UTF-8. */
  | { readonly type: 'string'; readonly value: string }
  /** 'x'. Decoded values are views into the frame. */
  | { readonly type: 'bytes'; readonly value: Buffer }
  /** 'T': seconds since the epoch (u64); a bigint beyond 2^53, so every value read can be written back. */
  | { readonly type: 'timestamp'; readonly value: number | bigint }
  | { readonly type: 'array'; readonly value: readonly FieldValue[] }
  | { readonly type: 'table'; readonly value: FieldTable }
  | { readonly type: 'void'; readonly value: null };

export type FieldValueType = FieldValue['type'];
export type FieldTable = { readonly [key: string]: FieldValue };

/** Tables and arrays nested deeper than this are rejected ('too-deep'), so peer input cannot blow the stack. */
export const MAX_FIELD_DEPTH = 64;
