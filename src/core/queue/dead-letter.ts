import type { BasicProperties } from '../../protocol/content-header.js';
import { encodePropertiesBuffer } from '../../protocol/content-header.js';
import type { FieldTable, FieldValue } from '../../protocol/field-table.js';
import { Message } from '../message.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface DeadLettered {
  readonly message: Message;
  /** Keys to route the copy with: the dead-letter routing key, or the message's own keys. */
  readonly routingKeys: readonly string[];
  /** x-death after this death, newest first, for cycle detection. */
  readonly deaths: readonly FieldTable[];
}

const str = (value: string): FieldValue => ({ type: 'string', value });

/**
 * The copy RabbitMQ 3.13+ publishes to the dead-letter exchange: `x-death` with one entry per
 * (queue, reason), newest first, count incremented in place and the entry moved to the head;
 * `x-first-death-*` set once; `x-last-death-*` on every death; the expiration property moved
 * into `original-expiration`.
 */
export function deadLetterCopy(
  message: Message,
  queue: string,
  reason: DeathReason,
  deadLetterExchange: string,
  deadLetterRoutingKey: string | undefined,
  nowMs: number,
): DeadLettered {
  const props = message.properties;
  const headers: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  if (props.headers !== undefined) Object.assign(headers, props.headers);
  const ownKeys = ownRoutingKeys(message, headers);

  const previous = headers['x-death'];
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
    if (props.expiration !== undefined) entry['original-expiration'] = str(props.expiration);
    deaths.unshift(entry);
  }
  headers['x-death'] = { type: 'array', value: deaths.map((d) => ({ type: 'table', value: d }) as FieldValue) };
  if (headers['x-first-death-queue'] === undefined) {
    headers['x-first-death-queue'] = str(queue);
    headers['x-first-death-reason'] = str(reason);
    headers['x-first-death-exchange'] = str(message.exchange);
  }
  headers['x-last-death-queue'] = str(queue);
  headers['x-last-death-reason'] = str(reason);
  headers['x-last-death-exchange'] = str(message.exchange);

  const { expiration: _dropped, ...rest } = props;
  const copyProps: BasicProperties = { ...rest, headers };
  const routingKey = deadLetterRoutingKey ?? message.routingKey;
  const copy = new Message(deadLetterExchange, routingKey, encodePropertiesBuffer(copyProps), message.body);
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

/** The routing key plus CC keys (BCC never reaches a queue). */
function ownRoutingKeys(message: Message, headers: Record<string, FieldValue>): string[] {
  const keys = [message.routingKey];
  const cc = headers['CC'];
  if (cc?.type === 'array') for (const v of cc.value) if (v.type === 'string') keys.push(v.value);
  return keys;
}

function stringOf(v: FieldValue | undefined): string | undefined {
  return v?.type === 'string' ? v.value : undefined;
}

function countOf(d: FieldTable): number {
  const c = d['count'];
  if (c === undefined) return 0;
  return typeof c.value === 'number' ? c.value : typeof c.value === 'bigint' ? Number(c.value) : 0;
}
