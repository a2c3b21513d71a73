import type { Message } from '../message.js';

/** Largest read of a browse: records that lie end to end in one file are read together up to this. */
const BROWSE_READ_BYTES = 4 * 1024 * 1024;

/** A paged message read for browsing: a copy, the tail unchanged. */
export interface BrowsedEntry {
  readonly seq: number;
  readonly redelivered: boolean;
  /** undefined when its record went while it was being read (consumed, expired, purged). */
  readonly message: Message | undefined;
}

/** One paged record to read for a browse, as PagedTail.browse found it in its index. */
export interface TailRecord {
  readonly seq: number;
  readonly redelivered: boolean;
  /** The message log's file for a logged record; -1 for the page store. */
  readonly file: number;
  readonly offset: number;
  readonly length: number;
  /** The message of this record at `at` in bytes read from its file. */
  message(block: Buffer, at: number): Message | undefined;
}

/**
 * Reads the records of a browse, those that lie end to end in one file together (up to
 * BROWSE_READ_BYTES a read), and hands them to done in order. Registered in `pending` until done,
 * so the tail can finish it at once when it is cleared or destroyed (a read then never lands):
 * what was not read by then comes without its message.
 */
export function readTailRecords(
  records: readonly TailRecord[],
  read: (file: number, from: number, length: number, landed: (block: Buffer | undefined) => void) => void,
  pending: Set<() => void>,
  done: (entries: BrowsedEntry[]) => void,
): void {
  const out: BrowsedEntry[] = records.map((r) => ({ seq: r.seq, redelivered: r.redelivered, message: undefined }));
  const runs: number[][] = [];
  for (const [n, r] of records.entries()) {
    const run = runs.at(-1);
    const first = run === undefined ? undefined : (records[run[0] as number] as TailRecord);
    const prev = run === undefined ? undefined : (records[run.at(-1) as number] as TailRecord);
    if (run !== undefined && first !== undefined && prev !== undefined && prev.file === r.file && prev.offset + prev.length === r.offset && r.offset + r.length - first.offset <= BROWSE_READ_BYTES) {
      run.push(n);
    } else {
      runs.push([n]);
    }
  }
  let waiting = runs.length + 1;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    pending.delete(finish);
    done(out);
  };
  const oneDone = (): void => {
    if (--waiting === 0) finish();
  };
  pending.add(finish);
  for (const run of runs) {
    const first = records[run[0] as number] as TailRecord;
    const last = records[run.at(-1) as number] as TailRecord;
    read(first.file, first.offset, last.offset + last.length - first.offset, (block) => {
      if (finished) return; // cleared or destroyed meanwhile: done was called without it
      for (const n of run) {
        const r = records[n] as TailRecord;
        let message: Message | undefined;
        try {
          message = block === undefined ? undefined : r.message(block, r.offset - first.offset);
        } catch {
          message = undefined; // its bytes went (released) while read: as if consumed meanwhile
        }
        out[n] = { seq: r.seq, redelivered: r.redelivered, message };
      }
      oneDone();
    });
  }
  oneDone();
}
