import type { Message } from '../core/message.js';
import { encodePropertiesBuffer } from '../protocol/content-header.js';
import type { FieldValue } from '../protocol/field-table.js';

/** The message's property bytes with one header set; for rare per-delivery headers only. */
export function withHeader(message: Message, name: string, value: FieldValue): Buffer {
  const props = message.properties;
  return encodePropertiesBuffer({ ...props, headers: { ...(props.headers ?? {}), [name]: value } });
}
