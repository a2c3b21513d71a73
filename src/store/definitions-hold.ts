/**
 * Records held back from the definitions log while a bulk change (a definitions import) runs, then
 * appended as one buffer with one sync waiter: 20,000 records cost one write and one fdatasync, not
 * one flush per loop turn the import yields in. Every record written meanwhile is held, a client's
 * declare too, so the log keeps the order of the marks and no reply is sent before its record is
 * on disk. Holds nest: the bytes go when the last one is released.
 */
export class DefinitionsHold {
  private held: Buffer[] = [];
  private depth = 0;

  get active(): boolean {
    return this.depth > 0;
  }

  add(bytes: Buffer): void {
    this.held.push(bytes);
  }

  /** Starts a hold; the returned release (idempotent) ends it, and the last one to end passes the held bytes to flush. */
  begin(flush: (bytes: Buffer) => void): () => void {
    this.depth++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.depth > 0 || this.held.length === 0) return;
      const bytes = Buffer.concat(this.held);
      this.held = [];
      flush(bytes);
    };
  }
}
