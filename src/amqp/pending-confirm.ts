import type { SyncTicket } from '../core/persistence.js';
import type { BucketHistogram } from '../util/bucket-histogram.js';

/** What a ticket tells when its disk writes are done. */
export interface ConfirmReleaser {
  releaseConfirms(): void;
}

/**
 * One publish in confirm mode; `waiting` counts the dispatcher's hold plus each disk write. It carries
 * when the publish was dispatched (the broker's coarse clock, ms), for warren_publish_confirm_seconds:
 * no allocation per message (the publisher reuses a ticket until a disk write holds on to it).
 */
export class PendingConfirm implements SyncTicket {
  waiting = 1;
  ack = true;
  seq = 0;
  /** Clock ms at dispatch. */
  startedAt = 0;
  constructor(private readonly publisher: ConfirmReleaser) {}

  start(seq: number, now: number): void {
    this.seq = seq;
    this.startedAt = now;
    this.waiting = 1;
    this.ack = true;
  }

  /** ok=false: a disk write failed, so the publisher gets basic.nack for this message. */
  synced(ok = true): void {
    if (!ok) this.ack = false;
    if (--this.waiting === 0) this.publisher.releaseConfirms();
  }
}

/**
 * Publish-to-confirm seconds: from the basic.publish being dispatched to its basic.ack (or basic.nack)
 * being queued for the socket, which writes it at the end of the same read. The clock is the broker's
 * coarse one (read once per event-loop turn, 1 ms steps), so a confirm settled in the turn of its publish
 * (nothing to sync) counts as 0 and one that waited for an fsync as the turns it waited; O(1) per confirm.
 */
export function observeConfirm(h: BucketHistogram, ticket: PendingConfirm, now: number): void {
  h.observe(Math.max(0, now - ticket.startedAt) / 1000);
}
