import { PropertyFlag } from '../../protocol/content-header.js';
import { locateProperty, removeProperty, replaceProperty } from '../../protocol/content-header-validator.js';
import { isIntegerField, type FieldTable, type FieldValue } from '../../protocol/field-table.js';
import { editTable, findValue, readValue } from '../../protocol/field-table-raw.js';
import { headerKey, Message, MessageFlags } from '../message.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface DeadLettered {
  readonly message: Message;
  /** Keys to route the copy with: the dead-letter routing key, or the message's own keys. */
  readonly routingKeys: readonly string[];
  /** x-death after this death, newest first, for cycle detection. */
  readonly deaths: readonly FieldTable[];
}

const str = (value: string): FieldValue => ({ type: 'string', value });

const CC = headerKey('CC');
const X_DEATH = headerKey('x-death');
const X_FIRST_DEATH_QUEUE = headerKey('x-first-death-queue');
const EMPTY_TABLE = Buffer.alloc(4);

/**
 * The copy RabbitMQ 3.13+ publishes to the dead-letter exchange: `x-death` with one entry per
 * (queue, reason), newest first, count incremented in place and the entry moved to the head;
 * `x-first-death-*` set once; `x-last-death-*` on every death; the expiration property moved
 * into `original-expiration`.
 *
 * Worked on the property bytes: only the CC and x-death values are decoded, the x-* entries are
 * spliced in and every other header and property is copied byte for byte, so the cost does not grow
 * with what else the headers hold. An Unreadable message (see MessageFlags) goes on with its bytes
 * as stored and a synthetic death, so it is still never put back into the queue it died in.
 */
export function deadLetterCopy(
  message: Message,
  queue: string,
  reason: DeathReason,
  deadLetterExchange: string,
  deadLetterRoutingKey: string | undefined,
  nowMs: number,
): DeadLettered {
  const routingKey = deadLetterRoutingKey ?? message.routingKey;
  if (message.unreadable) {
    const copy = new Message(deadLetterExchange, routingKey, message.rawProperties, message.body, false);
    const death: FieldTable = { queue: str(queue), reason: str(reason) };
    return { message: copy, routingKeys: [routingKey], deaths: [death] };
  }
  const raw = message.rawProperties;
  const at = locateProperty(raw, PropertyFlag.headers);
  const table = at.present ? raw : EMPTY_TABLE;
  const tableAt = at.present ? at.start : 0;
  const ownKeys = [message.routingKey];
  const cc = readValue(table, tableAt, CC);
  if (cc?.type === 'array') for (const v of cc.value) if (v.type === 'string') ownKeys.push(v.value);

  const previous = readValue(table, tableAt, X_DEATH);
  const deaths: FieldTable[] = [];
  if (previous?.type === 'array') {
    for (const v of previous.value) if (v.type === 'table') deaths.push(v.value);
  }
  const idx = deaths.findIndex((d) => stringOf(d['queue']) === queue && stringOf(d['reason']) === reason);
  if (idx >= 0) {
    const old = deaths[idx] as FieldTable;
    deaths.splice(idx, 1);
    deaths.unshift({ ...old, count: { type: 'int64', value: nextCount(old) } });
  } else {
    const entry: Record<string, FieldValue> = {
      count: { type: 'int64', value: 1 },
      reason: str(reason),
      queue: str(queue),
      time: { type: 'timestamp', value: Math.floor(nowMs / 1000) },
      exchange: str(message.exchange),
      'routing-keys': { type: 'array', value: ownKeys.map(str) },
    };
    if (message.expiration !== undefined) entry['original-expiration'] = str(message.expiration);
    deaths.unshift(entry);
  }
  const set: Array<readonly [string, FieldValue]> = [
    ['x-death', { type: 'array', value: deaths.map((d) => ({ type: 'table', value: d }) as FieldValue) }],
  ];
  if (findValue(table, tableAt, X_FIRST_DEATH_QUEUE) < 0) {
    set.push(['x-first-death-queue', str(queue)], ['x-first-death-reason', str(reason)], ['x-first-death-exchange', str(message.exchange)]);
  }
  set.push(['x-last-death-queue', str(queue)], ['x-last-death-reason', str(reason)], ['x-last-death-exchange', str(message.exchange)]);

  let props = replaceProperty(raw, PropertyFlag.headers, editTable(table, tableAt, { set }));
  if ((message.flags & MessageFlags.HasExpiration) !== 0) props = removeProperty(props, PropertyFlag.expiration);
  const copy = new Message(deadLetterExchange, routingKey, props, message.body);
  return { message: copy, routingKeys: deadLetterRoutingKey !== undefined ? [deadLetterRoutingKey] : ownKeys, deaths };
}

/**
 * RabbitMQ drops a dead-lettered message for a target queue it has already died in, when no
 * death since then was a rejection: such a cycle would otherwise spin forever.
 */
export function isDeadLetterCycle(reason: DeathReason, deaths: readonly FieldTable[], target: string): boolean {
  if (reason === 'rejected') return false;
  for (const d of deaths) {
    if (stringOf(d['reason']) === 'rejected') return false;
    if (stringOf(d['queue']) === target) return true;
  }
  return false;
}

function stringOf(v: FieldValue | undefined): string | undefined {
  return v?.type === 'string' ? v.value : undefined;
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The entry's count plus one, always a valid int64: x-death comes from the publisher too, so its count
 * may be a float, NaN, a string or int64's maximum; re-encoding such a value used to throw (a RangeError
 * from a TTL timer). A count that is not an integer counts as 0, as it is not one RabbitMQ wrote.
 */
function nextCount(d: FieldTable): number | bigint {
  const c = d['count'];
  const n = c !== undefined && isIntegerField(c) ? BigInt(c.value) : 0n;
  const next = n < 0n ? 1n : n >= INT64_MAX ? INT64_MAX : n + 1n;
  return next <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(next) : next;
}
