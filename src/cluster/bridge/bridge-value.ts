/**
 * The value of a `nats-bridge` runtime parameter, checked key by key as RabbitMQ's shovel checks its
 * own (rabbit_shovel_parameters): an unknown key, a missing one or a wrong type is refused with a
 * reason naming the key. Pure: nothing of NATS is loaded to validate.
 */

export type InvalidSubject = 'replace' | 'reject';

interface Common {
  readonly name: string;
  readonly vhost: string;
  /** nats:// URLs, tried in order by the client. */
  readonly uris: readonly string[];
  /** Deliveries (to-nats) or NATS messages (from-nats) in flight at once. */
  readonly prefetch: number;
  /** Seconds between reconnect attempts. */
  readonly reconnectDelay: number;
}

export interface ToNatsSpec extends Common {
  readonly direction: 'to-nats';
  readonly exchange: string;
  readonly bindingKey: string;
  readonly queue: string;
  readonly queueDurable: boolean;
  /** Template: {routing_key} is the key, {1}, {2}... its words. */
  readonly subject: string;
  readonly invalidSubject: InvalidSubject;
  /** Publish with a JetStream ack (the subject must be captured by a stream). */
  readonly jetstream: boolean;
}

export interface FromNatsSpec extends Common {
  readonly direction: 'from-nats';
  readonly subject: string;
  readonly queueGroup: string | undefined;
  /** A JetStream durable consumer on `stream` (created when missing): at-least-once. */
  readonly stream: string | undefined;
  readonly consumer: string | undefined;
  readonly exchange: string;
  /** Template: {subject} is the subject, {1}, {2}... its tokens. */
  readonly routingKey: string;
  /** delivery_mode when the message carries no AMQP-Delivery-Mode header. */
  readonly deliveryMode: 1 | 2;
}

export type BridgeSpec = ToNatsSpec | FromNatsSpec;

export class BridgeValueError extends Error {}

const COMMON = ['uri', 'direction', 'prefetch-count', 'reconnect-delay'];
const TO_NATS = ['src-exchange', 'src-exchange-key', 'src-queue-durable', 'dest-subject', 'dest-subject-invalid', 'dest-jetstream'];
const FROM_NATS = ['src-subject', 'src-queue-group', 'src-jetstream-stream', 'src-jetstream-consumer', 'dest-exchange', 'dest-routing-key', 'dest-delivery-mode'];

/** The bridge queue of a to-nats bridge: RabbitMQ's amq.* names are reserved, so a prefix of our own. */
export const bridgeQueueName = (name: string): string => `nats-bridge.${name}`;

export function parseBridgeValue(vhost: string, name: string, value: unknown): BridgeSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`value must be a JSON object, got ${JSON.stringify(value)}`);
  const v = value as Record<string, unknown>;
  const direction = v['direction'];
  if (direction !== 'to-nats' && direction !== 'from-nats') fail(`direction must be "to-nats" or "from-nats", got ${JSON.stringify(direction)}`);
  const known = [...COMMON, ...(direction === 'to-nats' ? TO_NATS : FROM_NATS)];
  for (const key of Object.keys(v)) if (!known.includes(key)) fail(`unknown key '${key}' for direction ${direction} (known: ${known.join(', ')})`);
  const common: Common = {
    name,
    vhost,
    uris: uris(v['uri']),
    prefetch: int(v, 'prefetch-count', 100, 1, 65535),
    reconnectDelay: int(v, 'reconnect-delay', 1, 0, 3600),
  };
  if (direction === 'to-nats') {
    const subject = str(v, 'dest-subject', '{routing_key}');
    checkTemplate(subject, 'dest-subject', ['routing_key']);
    const invalid = str(v, 'dest-subject-invalid', 'replace');
    if (invalid !== 'replace' && invalid !== 'reject') fail(`dest-subject-invalid must be "replace" or "reject", got ${JSON.stringify(invalid)}`);
    return {
      ...common,
      direction,
      exchange: required(v, 'src-exchange'),
      bindingKey: str(v, 'src-exchange-key', '#'),
      queue: bridgeQueueName(name),
      queueDurable: bool(v, 'src-queue-durable', true),
      subject,
      invalidSubject: invalid,
      jetstream: bool(v, 'dest-jetstream', false),
    };
  }
  const subject = required(v, 'src-subject');
  if (!validSubject(subject, true)) fail(`src-subject '${subject}' is not a NATS subject (dot-separated tokens, no spaces, '>' only last)`);
  const stream = optStr(v, 'src-jetstream-stream');
  const consumer = optStr(v, 'src-jetstream-consumer');
  if ((stream === undefined) !== (consumer === undefined)) fail('src-jetstream-stream and src-jetstream-consumer go together (a durable consumer on that stream)');
  const queueGroup = optStr(v, 'src-queue-group');
  if (queueGroup !== undefined && stream !== undefined) fail('src-queue-group is for core NATS subscriptions; a JetStream durable consumer is already shared');
  for (const [key, s] of [['src-jetstream-stream', stream], ['src-jetstream-consumer', consumer]] as const) {
    if (s !== undefined && !/^[^\s.*>/\\]+$/.test(s)) fail(`${key} '${s}' is not a JetStream name (no spaces, '.', '*', '>', '/' or '\\')`);
  }
  const routingKey = str(v, 'dest-routing-key', '{subject}');
  checkTemplate(routingKey, 'dest-routing-key', ['subject']);
  const mode = v['dest-delivery-mode'] ?? 2;
  if (mode !== 1 && mode !== 2) fail(`dest-delivery-mode must be 1 or 2, got ${JSON.stringify(mode)}`);
  return { ...common, direction, subject, queueGroup, stream, consumer, exchange: required(v, 'dest-exchange', true), routingKey, deliveryMode: mode };
}

/** A NATS subject: dot-separated non-empty tokens without whitespace; wildcards only when subscribing. */
export function validSubject(s: string, wildcards: boolean): boolean {
  if (s === '' || /[\s\u0000]/.test(s)) return false;
  const tokens = s.split('.');
  return tokens.every((t, i) => t !== '' && (wildcards ? (t === '*' || (t === '>' && i === tokens.length - 1) || !/[*>]/.test(t)) : !/[*>]/.test(t)));
}

function checkTemplate(t: string, key: string, names: readonly string[]): void {
  for (const m of t.matchAll(/\{([^}]*)\}/g)) {
    const p = m[1] as string;
    if (!names.includes(p) && !/^[1-9]\d?$/.test(p)) fail(`${key}: unknown placeholder {${p}} (use {${names.join('}, {')}} or {1}...{99})`);
  }
}

function uris(u: unknown): string[] {
  const list = typeof u === 'string' ? [u] : Array.isArray(u) ? u : undefined;
  if (list === undefined || list.length === 0) fail('uri must be a nats:// URL or a non-empty array of them');
  return list.map((x) => {
    if (typeof x !== 'string') fail(`uri must be a string, got ${JSON.stringify(x)}`);
    let url: URL;
    try {
      url = new URL(x);
    } catch {
      return fail(`uri '${x}' is not a URL`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') fail(`uri '${x}': the scheme must be nats:// or tls://`);
    if (url.hostname === '') fail(`uri '${x}' has no host`);
    return x;
  });
}

function required(v: Record<string, unknown>, key: string, emptyOk = false): string {
  const s = v[key];
  if (s === undefined) fail(`${key} is required`);
  if (typeof s !== 'string') fail(`${key} must be a string, got ${JSON.stringify(s)}`);
  if (s === '' && !emptyOk) fail(`${key} must not be empty`);
  if (Buffer.byteLength(s) > 255) fail(`${key} is longer than 255 bytes`);
  return s;
}

function str(v: Record<string, unknown>, key: string, dflt: string): string {
  return v[key] === undefined ? dflt : required(v, key, true);
}

function optStr(v: Record<string, unknown>, key: string): string | undefined {
  return v[key] === undefined ? undefined : required(v, key);
}

function bool(v: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const b = v[key];
  if (b === undefined) return dflt;
  if (typeof b !== 'boolean') fail(`${key} must be true or false, got ${JSON.stringify(b)}`);
  return b;
}

function int(v: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const n = v[key];
  if (n === undefined) return dflt;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(n)}`);
  return n;
}

function fail(reason: string): never {
  throw new BridgeValueError(reason);
}
