import { PropertyFlag } from '../../protocol/content-header.js';
import { locateProperty, removeProperty, replaceProperty } from '../../protocol/content-header-validator.js';
import type { FieldTable, FieldValue } from '../../protocol/field-table.js';
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
    deaths.unshift({ ...old, count: { type: 'int64', value: countOf(old) + 1 } });
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

function countOf(d: FieldTable): number {
  const c = d['count'];
  if (c === undefined) return 0;
  return typeof c.value === 'number' ? c.value : typeof c.value === 'bigint' ? Number(c.value) : 0;
}
