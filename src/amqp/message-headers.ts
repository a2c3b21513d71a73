import type { Message } from '../core/message.js';
import { PropertyFlag } from '../protocol/content-header.js';
import { locateProperty, replaceProperty } from '../protocol/content-header-validator.js';
import type { FieldValue } from '../protocol/field-table.js';
import { editTable } from '../protocol/field-table-raw.js';

const EMPTY_TABLE = Buffer.alloc(4);

/**
 * The message's property bytes with one header set (in place, or appended); every other header and
 * property is copied as it is, nothing else decoded. For rare per-delivery headers only. An Unreadable
 * message (recovered bytes that do not decode) is sent as stored.
 */
export function withHeader(message: Message, name: string, value: FieldValue): Buffer {
  const raw = message.rawProperties;
  if (message.unreadable) return raw;
  const at = locateProperty(raw, PropertyFlag.headers);
  const table = at.present ? editTable(raw, at.start, { set: [[name, value]] }) : editTable(EMPTY_TABLE, 0, { set: [[name, value]] });
  return replaceProperty(raw, PropertyFlag.headers, table);
}
