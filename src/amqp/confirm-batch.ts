/** What a confirm batch flushes: a channel's publisher with settled, unsent confirms. */
export interface ConfirmSource {
  flushConfirms(): void;
}

/**
 * A connection's publishers with settled confirms not yet sent. Flushed once per socket read, so
 * the confirms of everything that read carried go out as few basic.ack frames (multiple=true);
 * confirms settled outside a read (a disk sync, a timer) flush on the next microtask.
 */
export class ConfirmBatch {
  private readonly pending = new Set<ConfirmSource>();

  mark(source: ConfirmSource): void {
    if (this.pending.size === 0) queueMicrotask(this.flushTask);
    this.pending.add(source);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    for (const p of this.pending) p.flushConfirms();
    this.pending.clear();
  }

  private readonly flushTask = (): void => this.flush();
}
