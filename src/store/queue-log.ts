import { randomUUID } from 'node:crypto';
import { readdirSync, renameSync, rmSync, truncateSync, unlink, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { wireBytes, wireString } from '../util/wire-string.js';
import { AckKind, ACK_RECORD_SIZE, ACKS_MAGIC, checkFileHeader, fileHeader, FILE_HEADER_SIZE, RECORD_HEADER_SIZE, RefusedFileError, SEGMENT_MAGIC } from './format.js';
import { LogFile } from './log-file.js';
import { LogReader } from './log-reader.js';
import type { Pacer } from './pacer.js';
import type { SyncScheduler } from './sync-scheduler.js';

/** A segment rolls over past this size; a fully removed, rolled-over segment is deleted. */
const SEGMENT_TARGET_SIZE = 8 * 1024 * 1024;

export interface StoredMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: Buffer;
  readonly body: Buffer;
  readonly priority: number;
  readonly expiresAt: number;
}

export interface RecoveredMessage extends StoredMessage {
  readonly location: Location;
  readonly delivered: boolean;
}

class Segment {
  records = 0;
  removed = 0;
  constructor(
    readonly no: number,
    readonly file: LogFile,
    readonly acks: LogFile,
  ) {}
}

/** Where a persistent message sits: its segment and the offset of its record (and the record's length, when known). */
export interface Location {
  readonly segment: Segment;
  readonly offset: number;
  readonly length?: number;
}

export interface RecoveryReport {
  readonly messages: RecoveredMessage[];
  /** One line per damaged file, naming what was cut. */
  readonly damage: string[];
}

/** Stands for a segment already deleted: marks against it are ignored. */
const GONE = new Segment(-1, undefined as unknown as LogFile, undefined as unknown as LogFile);

const segName = (no: number): string => `msgs.${String(no).padStart(10, '0')}`;
const ackName = (no: number): string => `acks.${String(no).padStart(10, '0')}`;

/**
 * One durable queue's persistent messages: segment files of records, plus an ack log per
 * segment recording deliveries and removals. Appends are group-committed by the scheduler.
 */
export class QueueLog {
  private readonly dir: string;
  private readonly scheduler: SyncScheduler;
  private current: Segment | undefined;
  private nextNo: number;
  private readonly segments = new Map<number, Segment>();
  private destroyed = false;
  /**
   * The directory exists. A log created lazily (a definitions import) makes it with its first
   * segment: 10,000 mkdirs cost 0.5-8 s of kernel time on this machine's ext4 (bench/definitions-import.ts).
   */
  private dirMade: boolean;
  /** Paged persistent messages are read back from the segments (persistence.ts LocationCodec). */
  readonly reader = new LogReader();

  private constructor(dir: string, scheduler: SyncScheduler, nextNo: number, dirMade: boolean) {
    this.dir = dir;
    this.scheduler = scheduler;
    this.nextNo = nextNo;
    this.dirMade = dirMade;
  }

  /**
   * A new, empty log. `lazy`: the directory is made when the first message is written, not now, so
   * a failure to make it (no inodes left) shows at that write, as a failure to create a segment does.
   */
  static create(dir: string, scheduler: SyncScheduler, lazy = false): QueueLog {
    if (!lazy) mkdirSync(dir, { recursive: true });
    return new QueueLog(dir, scheduler, 1, !lazy);
  }

  /**
   * Reads every segment minus its removals, cuts torn tails, deletes segments with nothing left.
   * Reads are asynchronous and parsing pauses whenever the pacer says so, so a long recovery
   * never holds an embedding application's event loop. A file this version cannot read throws
   * RefusedFileError; start-up checks every header first (scanHeaders), so this is a backstop.
   */
  static async recover(dir: string, scheduler: SyncScheduler, pacer: Pacer): Promise<{ log: QueueLog; report: RecoveryReport }> {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch (err) {
      // Never written to (declared lazily, or its directory was never made): nothing to recover,
      // and the directory is made with the first segment, not here (a restart of 10,000 queues).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return { log: new QueueLog(dir, scheduler, 1, false), report: { messages: [], damage: [] } };
    }
    // Segments renamed for deletion whose unlink a crash interrupted: garbage by construction.
    for (const f of files) if (f.includes('.deleted-')) rmSync(join(dir, f), { force: true });
    const numbers = files
      .filter((f) => /^msgs\.\d{10}$/.test(f))
      .map((f) => Number(f.slice(5)))
      .sort((a, b) => a - b);
    const log = new QueueLog(dir, scheduler, (numbers.at(-1) ?? 0) + 1, true);
    const messages: RecoveredMessage[] = [];
    const damage: string[] = [];
    for (const no of numbers) {
      const segPath = join(dir, segName(no));
      const ackPath = join(dir, ackName(no));
      const { records, validEnd, problem } = await readSegment(segPath, await readFile(segPath), pacer);
      if (problem !== undefined) {
        damage.push(`${segPath}: ${problem}; cut at byte ${validEnd}`);
        truncateSync(segPath, validEnd);
      }
      const marks = await readAcks(ackPath, damage);
      const segment = new Segment(no, new LogFile(segPath, validEnd), new LogFile(ackPath, marks.size));
      segment.records = records.length;
      for (const r of records) {
        if (marks.removed.has(r.offset)) {
          segment.removed++;
          continue;
        }
        messages.push({ ...r.message, location: { segment, offset: r.offset, length: r.length }, delivered: marks.delivered.has(r.offset) });
      }
      log.segments.set(no, segment);
      if (segment.removed === segment.records) log.deleteSegment(segment);
      if (pacer.due()) await pacer.pause();
    }
    return { log, report: { messages, damage } };
  }

  /** Locations as (segment number, offset), for paged entries; a deleted segment decodes to a no-op. */
  readonly codec = {
    encode: (location: unknown): [number, number] => {
      const loc = location as Location;
      return [loc.segment.no, loc.offset];
    },
    decode: (no: number, offset: number): unknown => ({ segment: this.segments.get(no) ?? GONE, offset }),
    recordLength: (location: unknown): number | undefined => (location as Location).length,
    readRecords: (no: number, offset: number, length: number, done: (bytes: Buffer | undefined) => void): void => {
      const segment = this.segments.get(no);
      if (segment === undefined || this.destroyed) return done(undefined);
      this.reader.read(segment.file, offset, length, done);
    },
    recordMessage: (bytes: Buffer, at: number): StoredMessage | undefined => {
      if (at + RECORD_HEADER_SIZE > bytes.length) return undefined;
      const start = at + RECORD_HEADER_SIZE;
      const end = start + bytes.readUInt32BE(at);
      return end > bytes.length ? undefined : parsePayload(bytes.subarray(start, end));
    },
  };

  /** Appends a message; onSynced(true) runs once it is on disk (after fsync, per the policy), onSynced(false) if writing failed. */
  append(m: StoredMessage, onSynced?: (ok: boolean) => void): Location {
    const segment = this.writableSegment();
    // Names are kept as their wire bytes (util/wire-string.ts), so a routing key that is not UTF-8 survives.
    const ex = wireBytes(m.exchange);
    const rk = wireBytes(m.routingKey);
    const meta = Buffer.allocUnsafe(RECORD_HEADER_SIZE + 1 + 8 + 1 + 1 + ex.length + 1 + rk.length + 4);
    let p = RECORD_HEADER_SIZE;
    p = meta.writeUInt8(1, p);
    p = meta.writeDoubleBE(m.expiresAt, p);
    p = meta.writeUInt8(m.priority, p);
    p = meta.writeUInt8(ex.length, p);
    p += ex.copy(meta, p);
    p = meta.writeUInt8(rk.length, p);
    p += rk.copy(meta, p);
    meta.writeUInt32BE(m.properties.length, p);
    const payloadLength = meta.length - RECORD_HEADER_SIZE + m.properties.length + m.body.length;
    // Empty parts are left out: zlib.crc32 of an empty buffer whose backing store has no memory returns 0,
    // not the running value (zlib's crc32(crc, NULL, 0) is its "initial value" call), which stored a
    // CRC of 0 for empty-bodied messages and made recovery cut the segment there.
    const crc = crcOf(m.body, crcOf(m.properties, crc32(meta.subarray(RECORD_HEADER_SIZE))));
    meta.writeUInt32BE(payloadLength, 0);
    meta.writeUInt32BE(crc, 4);
    const offset = segment.file.append(meta);
    segment.file.append(m.properties);
    segment.file.append(m.body);
    segment.records++;
    this.scheduler.markDirty(segment.file, onSynced);
    return { segment, offset, length: RECORD_HEADER_SIZE + payloadLength };
  }

  /** First delivery: recovered messages come back redelivered. Not synced on its own. */
  delivered(loc: Location): void {
    this.mark(loc, AckKind.Delivered);
  }

  /** Acked, expired, dropped or moved on: never recovered again. */
  removed(loc: Location): void {
    if (this.destroyed || !this.segments.has(loc.segment.no)) return;
    this.mark(loc, AckKind.Removed);
    const segment = loc.segment;
    segment.removed++;
    if (segment.removed === segment.records && segment !== this.current) this.deleteSegment(segment);
  }

  /** Shutdown: close the files, keep them. Call once the scheduler is idle. */
  close(): void {
    for (const segment of this.segments.values()) {
      segment.file.close();
      segment.acks.close();
    }
    this.segments.clear();
    this.current = undefined;
    this.destroyed = true;
    this.reader.close();
  }

  /** The queue was deleted or purged: its files go. */
  destroy(): void {
    this.destroyed = true;
    this.reader.close();
    // The directory goes whole. No unlink by path afterwards: a queue declared again at once
    // reuses the same directory and segment names, and a late unlink would delete its file.
    for (const segment of [...this.segments.values()]) this.deleteSegment(segment, false);
    this.current = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private mark(loc: Location, kind: number): void {
    const segment = loc.segment;
    if (!this.segments.has(segment.no)) return;
    const rec = Buffer.allocUnsafe(ACK_RECORD_SIZE);
    rec.writeUInt8(kind, 0);
    rec.writeUInt32BE(loc.offset, 1);
    segment.acks.append(rec);
    this.scheduler.markDirty(segment.acks);
  }

  private writableSegment(): Segment {
    const cur = this.current;
    if (cur !== undefined && cur.file.size < SEGMENT_TARGET_SIZE) return cur;
    const no = this.nextNo++;
    const segPath = join(this.dir, segName(no));
    const ackPath = join(this.dir, ackName(no));
    const segHeader = fileHeader(SEGMENT_MAGIC);
    const ackHeader = fileHeader(ACKS_MAGIC);
    try {
      if (!this.dirMade) {
        mkdirSync(this.dir, { recursive: true });
        this.dirMade = true;
      }
      writeFileSync(segPath, segHeader);
      writeFileSync(ackPath, ackHeader);
    } catch (err) {
      // A full disk must not fail the publish here: keep appending to the current segment (its
      // write fails and nacks the publishers in the usual way) and roll over once there is room.
      rmSync(segPath, { force: true });
      rmSync(ackPath, { force: true });
      if (cur === undefined) throw err;
      return cur;
    }
    const segment = new Segment(no, new LogFile(segPath, FILE_HEADER_SIZE, undefined, segHeader), new LogFile(ackPath, FILE_HEADER_SIZE, undefined, ackHeader));
    this.segments.set(no, segment);
    this.current = segment;
    if (cur !== undefined && cur.removed === cur.records) this.deleteSegment(cur);
    return segment;
  }

  private deleteSegment(segment: Segment, unlinkFiles = true): void {
    if (!this.segments.delete(segment.no)) return;
    this.reader.forget(segment.file.path);
    // Renamed at once, unlinked asynchronously: unlinking an 8 MiB file synchronously stalled the
    // event loop for ~10 ms each during a drain (bench/paging-stalls.ts). The rename is what makes the
    // late unlink safe: a queue deleted and declared again in the same turn reuses this directory and
    // these segment names, and an unlink by the old name would delete the new queue's file.
    const drop = (path: string) => () => {
      if (!unlinkFiles) return;
      const doomed = `${path}.deleted-${randomUUID()}`;
      try {
        renameSync(path, doomed);
      } catch {
        return; // already gone (queue directory removed)
      }
      unlink(doomed, () => undefined);
    };
    segment.file.retire(drop(segment.file.path));
    segment.acks.retire(drop(segment.acks.path));
  }
}

/** The running CRC-32 over one more part; an empty part leaves it as it is. */
function crcOf(part: Buffer, running: number): number {
  return part.length === 0 ? running : crc32(part, running);
}

interface ParsedRecord {
  readonly offset: number;
  readonly length: number;
  readonly message: StoredMessage;
}

async function readSegment(path: string, buf: Buffer, pacer: Pacer): Promise<{ records: ParsedRecord[]; validEnd: number; problem: string | undefined }> {
  const headerProblem = checkFileHeader(buf, SEGMENT_MAGIC);
  if (headerProblem?.kind === 'torn-create') return { records: [], validEnd: 0, problem: headerProblem.text };
  if (headerProblem !== undefined) throw new RefusedFileError([{ path, problem: headerProblem }]);
  const records: ParsedRecord[] = [];
  let pos = FILE_HEADER_SIZE;
  while (pos < buf.length) {
    if (pacer.tick()) await pacer.pause();
    if (pos + RECORD_HEADER_SIZE > buf.length) return { records, validEnd: pos, problem: 'torn record header at the tail' };
    const len = buf.readUInt32BE(pos);
    const crc = buf.readUInt32BE(pos + 4);
    const start = pos + RECORD_HEADER_SIZE;
    if (len < 16 || start + len > buf.length) return { records, validEnd: pos, problem: `torn record at byte ${pos}` };
    const payload = buf.subarray(start, start + len);
    if (crc32(payload) !== crc) return { records, validEnd: pos, problem: `checksum mismatch in record at byte ${pos}` };
    const message = parsePayload(payload);
    if (message === undefined) return { records, validEnd: pos, problem: `undecodable record at byte ${pos}` };
    records.push({ offset: pos, length: RECORD_HEADER_SIZE + len, message });
    pos = start + len;
  }
  return { records, validEnd: pos, problem: undefined };
}

function parsePayload(p: Buffer): StoredMessage | undefined {
  try {
    let pos = 0;
    if (p.readUInt8(pos++) !== 1) return undefined;
    const expiresAt = p.readDoubleBE(pos);
    pos += 8;
    const priority = p.readUInt8(pos++);
    const exLen = p.readUInt8(pos++);
    const exchange = wireString(p, pos, pos + exLen);
    pos += exLen;
    const rkLen = p.readUInt8(pos++);
    const routingKey = wireString(p, pos, pos + rkLen);
    pos += rkLen;
    const propsLen = p.readUInt32BE(pos);
    pos += 4;
    if (pos + propsLen > p.length) return undefined;
    return { exchange, routingKey, priority, expiresAt, properties: p.subarray(pos, pos + propsLen), body: p.subarray(pos + propsLen) };
  } catch {
    return undefined;
  }
}

async function readAcks(path: string, damage: string[]): Promise<{ delivered: Set<number>; removed: Set<number>; size: number }> {
  const delivered = new Set<number>();
  const removed = new Set<number>();
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    writeFileSync(path, fileHeader(ACKS_MAGIC));
    return { delivered, removed, size: FILE_HEADER_SIZE };
  }
  const problem = checkFileHeader(buf, ACKS_MAGIC);
  if (problem !== undefined && problem.kind !== 'torn-create') throw new RefusedFileError([{ path, problem }]);
  if (problem !== undefined) {
    // Cut inside its header: it never held a record.
    damage.push(`${path}: ${problem.text}; header rewritten`);
    writeFileSync(path, fileHeader(ACKS_MAGIC));
    return { delivered, removed, size: FILE_HEADER_SIZE };
  }
  const whole = FILE_HEADER_SIZE + Math.floor((buf.length - FILE_HEADER_SIZE) / ACK_RECORD_SIZE) * ACK_RECORD_SIZE;
  for (let pos = FILE_HEADER_SIZE; pos < whole; pos += ACK_RECORD_SIZE) {
    const kind = buf.readUInt8(pos);
    const offset = buf.readUInt32BE(pos + 1);
    if (kind === AckKind.Removed) removed.add(offset);
    else if (kind === AckKind.Delivered) delivered.add(offset);
  }
  if (whole !== buf.length) {
    damage.push(`${path}: torn ack record at the tail; cut at byte ${whole}`);
    truncateSync(path, whole);
  }
  return { delivered, removed, size: whole };
}
