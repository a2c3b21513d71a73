import type { SchemaVerdict } from './schema.js';

/** How many of an exchange's last invalid messages are kept (GET /api/exchanges/{vhost}/{name}/schema). */
export const SCHEMA_REJECTS_KEPT = 20;
/** Of each, the first bytes of the body. */
export const SCHEMA_REJECT_BODY_BYTES = 256;

/** What became of a message that failed the schema. */
export type RejectOutcome = 'nacked' | 'returned' | 'invalid-exchange' | 'dropped';

/** One message that failed an exchange's schema, as the management API and dashboard show it. */
export interface SchemaReject {
  /** Clock milliseconds when it was published. */
  readonly at: number;
  readonly routingKey: string;
  readonly verdict: Exclude<SchemaVerdict, 'valid'>;
  readonly reason: string;
  readonly outcome: RejectOutcome;
  readonly bodySize: number;
  /** The first SCHEMA_REJECT_BODY_BYTES of the body (a copy: the message is not kept alive by it). */
  readonly bodyStart: Buffer;
}

/**
 * An exchange's last invalid messages, newest last, bounded: a fixed ring that overwrites the
 * oldest. Written only when a message fails (the valid path never touches it).
 */
export class SchemaRejects {
  private readonly ring: SchemaReject[] = [];
  private next = 0;
  private readonly capacity: number;

  constructor(capacity = SCHEMA_REJECTS_KEPT) {
    this.capacity = capacity;
  }

  add(at: number, routingKey: string, verdict: Exclude<SchemaVerdict, 'valid'>, reason: string, outcome: RejectOutcome, body: Buffer): void {
    const entry: SchemaReject = { at, routingKey, verdict, reason, outcome, bodySize: body.length, bodyStart: Buffer.from(body.subarray(0, SCHEMA_REJECT_BODY_BYTES)) };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  list(): readonly SchemaReject[] {
    if (this.ring.length < this.capacity) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
