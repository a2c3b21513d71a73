import { PropertyFlag } from '../protocol/content-header.js';
import { locateProperty, replaceProperty } from '../protocol/content-header-validator.js';
import type { FieldValue } from '../protocol/field-table.js';
import { editTable } from '../protocol/field-table-raw.js';
import { Message } from './message.js';

const EMPTY_TABLE = Buffer.alloc(4); // a field table of length 0

/**
 * The copy of a message that failed its exchange's x-schema, for the x-invalid-exchange: the same
 * body and properties, with headers x-schema-error (the reason) and x-schema-exchange (where it
 * was published) set.
 */
export function invalidCopy(message: Message, reason: string, target: string): Message {
  if (message.unreadable) return new Message(target, message.routingKey, message.rawProperties, message.body, false);
  const raw = message.rawProperties;
  const at = locateProperty(raw, PropertyFlag.headers);
  const set: Array<readonly [string, FieldValue]> = [
    ['x-schema-error', { type: 'string', value: reason }],
    ['x-schema-exchange', { type: 'string', value: message.exchange }],
  ];
  const table = at.present ? editTable(raw, at.start, { set }) : editTable(EMPTY_TABLE, 0, { set });
  return new Message(target, message.routingKey, replaceProperty(raw, PropertyFlag.headers, table), message.body);
}

/** basic.return's reply text for a message that failed the schema: a shortstr, so at most 255 bytes. */
export function schemaReturnText(reason: string): string {
  const text = `PRECONDITION_FAILED - ${reason}`;
  if (Buffer.byteLength(text) <= 255) return text;
  let cut = Buffer.from(text).subarray(0, 255).toString('utf8');
  // A multi-byte character cut in two decodes to U+FFFD (3 bytes): drop it and whatever it grew.
  while (Buffer.byteLength(cut) > 255 || cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut;
}
