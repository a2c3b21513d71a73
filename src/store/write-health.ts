/**
 * Whether the data directory takes writes. A file whose write or fdatasync failed (a full disk,
 * an I/O error) is failing until a later write of it succeeds (its retry, every second) or it is
 * closed; while any file is failing, `onChange(true)` has fired, and `onChange(false)` fires
 * when the last one recovers. The broker raises its disk alarm on it: publishers are blocked, so
 * messages that cannot reach the disk do not pile up in memory behind nacks.
 */
export class WriteHealth {
  onChange: (failing: boolean, err: unknown) => void = () => undefined;
  private readonly files = new Set<object>();

  get failing(): boolean {
    return this.files.size > 0;
  }

  failed(file: object, err: unknown): void {
    const was = this.failing;
    this.files.add(file);
    if (!was) this.onChange(true, err);
  }

  /** A write of `file` succeeded, or the file was closed. */
  recovered(file: object): void {
    if (!this.files.delete(file) || this.failing) return;
    this.onChange(false, undefined);
  }
}
