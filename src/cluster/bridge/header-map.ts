import type { BasicProperties } from '../../protocol/content-header.js';
import type { FieldValue } from '../../protocol/field-table.js';

/**
 * AMQP properties and headers <-> NATS headers (README, "NATS bridge"). Properties travel as
 * `AMQP-*` headers (message-id as Nats-Msg-Id, which JetStream de-duplicates on; content-type as
 * Content-Type); every entry of the headers table travels under its own name. NATS header values are
 * strings, so only strings round-trip exactly: numbers and booleans come back as strings, arrays and
 * tables as their JSON, timestamps as their seconds, and byte arrays, decimals and voids are not carried.
 */

/** One NATS header, name and value (a name may repeat). */
export type HeaderPair = readonly [string, string];

const PROPS = [
  ['contentType', 'Content-Type'],
  ['contentEncoding', 'Content-Encoding'],
  ['messageId', 'Nats-Msg-Id'],
  ['correlationId', 'AMQP-Correlation-Id'],
  ['replyTo', 'AMQP-Reply-To'],
  ['expiration', 'AMQP-Expiration'],
  ['type', 'AMQP-Type'],
  ['userId', 'AMQP-User-Id'],
  ['appId', 'AMQP-App-Id'],
] as const;
const DELIVERY_MODE = 'AMQP-Delivery-Mode';
const PRIORITY = 'AMQP-Priority';
const TIMESTAMP = 'AMQP-Timestamp';
/** Names the bridge itself writes: a table entry by one of these names is not carried (it would be read back as the property). */
const RESERVED = new Set([...PROPS.map(([, h]) => h.toLowerCase()), DELIVERY_MODE.toLowerCase(), PRIORITY.toLowerCase(), TIMESTAMP.toLowerCase()]);

/** A header name NATS takes: printable ASCII without ':' or spaces. */
const HEADER_NAME = /^[!-9;-~]+$/;
/** Header values end at CR or LF. */
const HEADER_VALUE = /^[^\r\n]*$/;

export function natsHeadersOf(p: BasicProperties): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (const [prop, header] of PROPS) {
    const v = p[prop];
    if (v !== undefined && HEADER_VALUE.test(v)) out.push([header, v]);
  }
  if (p.deliveryMode !== undefined) out.push([DELIVERY_MODE, String(p.deliveryMode)]);
  if (p.priority !== undefined) out.push([PRIORITY, String(p.priority)]);
  if (p.timestamp !== undefined) out.push([TIMESTAMP, String(p.timestamp)]);
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED.has(name.toLowerCase())) continue;
    const text = headerText(value);
    if (text !== undefined && HEADER_VALUE.test(text)) out.push([name, text]);
  }
  return out;
}

/** Properties from NATS headers; whatever is not a property header goes into the headers table as longstr (an array when it repeats). */
export function propertiesOf(pairs: Iterable<HeaderPair>, deliveryMode: 1 | 2): BasicProperties {
  const p: BasicProperties = {};
  const table: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    const prop = PROPS.find(([, h]) => h.toLowerCase() === lower);
    if (prop !== undefined) {
      if (Buffer.byteLength(value) <= 255) p[prop[0]] = value;
    } else if (lower === DELIVERY_MODE.toLowerCase()) {
      if (value === '1' || value === '2') p.deliveryMode = Number(value);
    } else if (lower === PRIORITY.toLowerCase()) {
      if (/^\d{1,3}$/.test(value) && Number(value) <= 255) p.priority = Number(value);
    } else if (lower === TIMESTAMP.toLowerCase()) {
      if (/^\d{1,19}$/.test(value)) p.timestamp = BigInt(value) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : BigInt(value);
    } else if (Buffer.byteLength(name) <= 128) {
      (table[name] ??= []).push(value);
    }
  }
  p.deliveryMode ??= deliveryMode;
  const entries = Object.entries(table);
  if (entries.length > 0) {
    const headers: Record<string, FieldValue> = {};
    for (const [name, values] of entries) {
      headers[name] = values.length === 1 ? { type: 'string', value: values[0] as string } : { type: 'array', value: values.map((value) => ({ type: 'string', value }) as FieldValue) };
    }
    p.headers = headers;
  }
  return p;
}

function headerText(v: FieldValue): string | undefined {
  switch (v.type) {
    case 'string':
      return v.value;
    case 'array':
    case 'table':
      return JSON.stringify(plain(v));
    case 'timestamp':
      return String(v.value);
    case 'bytes':
    case 'decimal':
    case 'void':
      return undefined;
    default:
      return String(v.value);
  }
}

function plain(v: FieldValue): unknown {
  if (v.type === 'array') return v.value.map(plain);
  if (v.type === 'table') return Object.fromEntries(Object.entries(v.value).map(([k, x]) => [k, plain(x)]));
  if (v.type === 'bytes' || v.type === 'void') return null;
  if (v.type === 'decimal') return null;
  return typeof v.value === 'bigint' ? v.value.toString() : v.value;
}
