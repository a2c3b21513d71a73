import { existsSync, fdatasyncSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { checkFileHeader, DEFINITIONS_MAGIC, fileHeader, FILE_HEADER_SIZE, RECORD_HEADER_SIZE, RefusedFileError } from './format.js';
import { delayedDirName, queueDirName } from './queue-dirs.js';
import { LogFile } from './log-file.js';
import { DefinitionsHold } from './definitions-hold.js';
import type { SyncScheduler } from './sync-scheduler.js';
import {
  applyPermission,
  dropVhostPermissions,
  emptyPermissionState,
  isPermissionRecord,
  permissionSnapshot,
} from './permission-records.js';
import { applyPolicyRecord, dropVhostPolicies, emptyPolicyState, isPolicyRecord, policySnapshot } from './policy-records.js';
import { applySchemaRecord, dropVhostSchemas, isSchemaRecord, schemaSnapshot } from './schema-records.js';
import { applyParameterRecord, dropVhostParameters, isParameterRecord, parameterSnapshot } from './parameter-records.js';

export type { BindingDef, Definitions, DefinitionRecord, Deletion, ExchangeDef, QueueDef } from './definition-records.js';
export type { UserDef, VhostMeta } from './user-records.js';
import type { BindingDef, Definitions, DefinitionRecord } from './definition-records.js';

export const DEFINITIONS_FILE = 'definitions.log';

const key = (...parts: string[]): string => parts.join('\u0000');
const bindingKey = (b: BindingDef): string => key(b.vhost, b.source, b.destinationKind, b.destination, b.routingKey, b.arguments);

interface SyncWaiter {
  readonly mark: number;
  readonly done: (ok: boolean) => void;
}

/**
 * Durable vhosts, exchanges, queues and bindings as an append-only log of records, replayed and
 * compacted on start. Once a SyncScheduler is attached, records are group-committed like messages:
 * one fdatasync covers every record written since the previous one, off the event loop. (A
 * writeSync + fdatasyncSync per record froze every client for 1.5-2.3 s while one declared 10,000
 * durable queues.) Each record gets a mark; whenSynced(mark) tells when it is on disk.
 */
export class DefinitionsStore {
  private readonly log: LogFile;
  private readonly path: string;
  private scheduler: SyncScheduler | undefined;
  private written = 0;
  private synced = 0;
  private waiters: SyncWaiter[] = [];
  /** waiters before this index have been called. */
  private next = 0;
  private failing = false;
  private readonly held = new DefinitionsHold();
  /**
   * Told once when writes start failing (failing=true) and once when the disk takes them again,
   * with how many replies wait meanwhile: one log line each, not one per retry.
   */
  onTrouble: ((failing: boolean, waiting: number) => void) | undefined;

  private constructor(path: string, log: LogFile) {
    this.path = path;
    this.log = log;
  }

  /**
   * Replays the log (cutting a torn tail), compacts it, and returns the state and any damage.
   * A file with a header this version cannot vouch for throws RefusedFileError before anything
   * is written: the log is never "started empty" over definitions it could not read.
   */
  static async open(dataDir: string): Promise<{ store: DefinitionsStore; definitions: Definitions; damage: string[]; fresh: boolean }> {
    const path = join(dataDir, DEFINITIONS_FILE);
    const fresh = !existsSync(path);
    const definitions: Definitions = {
      vhosts: new Set(),
      vhostMeta: new Map(),
      users: new Map(),
      usersSeeded: false,
      exchanges: new Map(),
      queues: new Map(),
      bindings: new Map(),
      deletedDirs: new Map(),
      access: emptyPermissionState(),
      policies: emptyPolicyState(),
      schemas: new Map(),
      parameters: new Map(),
    };
    const damage: string[] = [];
    if (existsSync(path)) {
      const buf = readFileSync(path);
      const problem = checkFileHeader(buf, DEFINITIONS_MAGIC);
      if (problem !== undefined) {
        throw new RefusedFileError([{ path, problem }]);
      } else {
        let pos = FILE_HEADER_SIZE;
        while (pos < buf.length) {
          const record = readRecord(buf, pos);
          if (record === undefined) {
            damage.push(`${path}: damaged record at byte ${pos}; dropped the last ${buf.length - pos} bytes`);
            break;
          }
          apply(definitions, record.value);
          pos = record.next;
        }
      }
    }
    // Compaction: the replayed state, written to a new file and swapped in atomically. The
    // fsyncs are asynchronous: on a busy disk each can take longer than a loop turn should.
    const tmp = `${path}.tmp`;
    for (const [dir] of definitions.deletedDirs) if (!existsSync(join(dataDir, dir))) definitions.deletedDirs.delete(dir);
    const records = [fileHeader(DEFINITIONS_MAGIC)];
    for (const r of snapshot(definitions)) records.push(encodeRecord(r));
    const file = await open(tmp, 'w');
    try {
      await file.writev(records);
      await file.sync();
    } finally {
      await file.close();
    }
    renameSync(tmp, path);
    await syncDir(dirname(path));
    return { store: new DefinitionsStore(path, new LogFile(path, statSync(path).size)), definitions, damage, fresh };
  }

  /** From now on records are written and synced in batches by the scheduler (its fsync policy applies). */
  groupCommit(scheduler: SyncScheduler): void {
    this.scheduler = scheduler;
    this.log.alwaysSync = true; // as before group commit: definitions are fsynced whatever the policy
  }

  /** Appends a record; returns its mark. Without a scheduler it is on disk when this returns. */
  write(record: DefinitionRecord): number {
    const mark = ++this.written;
    const bytes = encodeRecord(record);
    if (this.held.active) this.held.add(bytes);
    else this.append(bytes, mark);
    return mark;
  }

  /** A hold is running: a bulk change (a definitions import) is being applied. */
  get holding(): boolean {
    return this.held.active;
  }

  /** Holds every record written until the returned release runs (store/definitions-hold.ts); idempotent. */
  hold(): () => void {
    return this.held.begin((bytes) => this.append(bytes, this.written));
  }

  private append(bytes: Buffer, mark: number): void {
    if (this.scheduler === undefined) {
      writeSync(this.log.fd, bytes);
      fdatasyncSync(this.log.fd);
      this.synced = mark;
      return;
    }
    this.log.append(bytes);
    this.scheduler.markDirty(this.log, (ok) => this.onSynced(mark, ok));
  }

  /** The mark of the last record written. */
  get mark(): number {
    return this.written;
  }

  /**
   * Calls done once every record up to mark is on disk and returns true, or returns false when they
   * already are. Never called with ok=false: a failed write is retried (see onSynced).
   */
  whenSynced(mark: number, done: (ok: boolean) => void): boolean {
    if (mark <= this.synced) return false;
    const last = this.waiters[this.waiters.length - 1];
    this.waiters.push({ mark, done });
    // Marks are registered in order (a method waits for what it just wrote); keep it sorted anyway.
    if (last !== undefined && last.mark > mark) this.waiters.sort((x, y) => x.mark - y.mark);
    return true;
  }

  /**
   * A batch of records was written (ok) or refused by the disk. A refused record is not given up:
   * the log file cut it back off and keeps its bytes for the scheduler's retry, and every reply that
   * depends on it waits for that retry. Telling the client it failed while the retry may still land
   * it would leave a queue the client was told is not there to reappear after a restart; undoing it
   * in memory could not undo a delete. So the topology in memory is always what the log will hold,
   * and nothing is acknowledged before it is on disk.
   */
  private onSynced(mark: number, ok: boolean): void {
    if (!ok) {
      if (!this.failing) {
        this.failing = true;
        this.onTrouble?.(true, this.waiters.length - this.next);
      }
      const retry = (again: boolean): void => this.onSynced(mark, again);
      // A refused write or fdatasync is retried by the scheduler (after a pause; the log file put the
      // unsynced bytes back to be written again). Otherwise (no failure recorded): sync it again now.
      if (this.log.failed || this.scheduler === undefined) this.log.waiters.push(retry);
      else this.scheduler.markDirty(this.log, retry);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.onTrouble?.(false, this.waiters.length - this.next);
    }
    if (mark > this.synced) this.synced = mark;
    const waiters = this.waiters;
    while (this.next < waiters.length && (waiters[this.next] as SyncWaiter).mark <= mark) (waiters[this.next++] as SyncWaiter).done(true);
    if (this.next === waiters.length) {
      this.waiters = [];
      this.next = 0;
    } else if (this.next > 1024 && this.next * 2 > waiters.length) {
      this.waiters = waiters.slice(this.next);
      this.next = 0;
    }
  }

  /** After the scheduler went idle (shutdown). */
  close(): void {
    this.log.close();
  }

  get file(): string {
    return this.path;
  }
}

function apply(d: Definitions, r: DefinitionRecord): void {
  if (isPermissionRecord(r)) {
    applyPermission(d.access, r);
    return;
  }
  if (isPolicyRecord(r)) return applyPolicyRecord(d.policies, r);
  if (isSchemaRecord(r)) return applySchemaRecord(d.schemas, r);
  if (isParameterRecord(r)) return applyParameterRecord(d.parameters, r);
  switch (r.op) {
    case 'put-vhost': {
      const { op: _op, name, ...meta } = r;
      d.vhosts.add(name);
      d.vhostMeta.set(name, meta);
      return;
    }
    case 'put-user':
      d.users.set(r.name, strip(r));
      d.usersSeeded = true;
      return;
    case 'del-user':
      d.users.delete(r.name);
      d.usersSeeded = true;
      return;
    case 'users-seeded':
      d.usersSeeded = true;
      return;
    case 'del-vhost':
      d.vhosts.delete(r.name);
      d.vhostMeta.delete(r.name);
      for (const x of [...d.exchanges.values()]) if (x.vhost === r.name) apply(d, { op: 'del-exchange', vhost: r.name, name: x.name });
      for (const q of [...d.queues.values()]) if (q.vhost === r.name) apply(d, { op: 'del-queue', vhost: r.name, name: q.name });
      for (const [k, b] of d.bindings) if (b.vhost === r.name) d.bindings.delete(k);
      dropVhostPermissions(d.access, r.name);
      dropVhostPolicies(d.policies, r.name);
      dropVhostSchemas(d.schemas, r.name);
      dropVhostParameters(d.parameters, r.name);
      return;
    case 'put-exchange':
      d.exchanges.set(key(r.vhost, r.name), strip(r));
      d.deletedDirs.delete(delayedDirName(r.vhost, r.name));
      return;
    case 'del-exchange': {
      // Any exchange may have been a delayed one; a directory that does not exist is dropped at compaction.
      const dir = r.dir ?? delayedDirName(r.vhost, r.name);
      d.deletedDirs.set(dir, { op: 'del-exchange', vhost: r.vhost, name: r.name, dir });
      d.exchanges.delete(key(r.vhost, r.name));
      for (const [k, b] of d.bindings) {
        if (b.vhost === r.vhost && (b.source === r.name || (b.destinationKind === 'exchange' && b.destination === r.name))) d.bindings.delete(k);
      }
      return;
    }
    case 'put-queue':
      d.queues.set(key(r.vhost, r.name), strip(r));
      d.deletedDirs.delete(queueDirName(r.vhost, r.name));
      return;
    case 'del-queue': {
      const dir = r.dir ?? queueDirName(r.vhost, r.name);
      d.deletedDirs.set(dir, { op: 'del-queue', vhost: r.vhost, name: r.name, dir });
      d.queues.delete(key(r.vhost, r.name));
      for (const [k, b] of d.bindings) {
        if (b.vhost === r.vhost && b.destinationKind === 'queue' && b.destination === r.name) d.bindings.delete(k);
      }
      return;
    }
    case 'put-binding':
      d.bindings.set(bindingKey(r), strip(r));
      return;
    case 'del-binding':
      d.bindings.delete(bindingKey(r));
      return;
  }
}

function strip<T extends { op: string }>(r: T): Omit<T, 'op'> {
  const { op: _op, ...rest } = r;
  return rest;
}

function* snapshot(d: Definitions): Iterable<DefinitionRecord> {
  // Deletions first: replayed onto an empty state they drop nothing that the puts below restore.
  yield* d.deletedDirs.values();
  for (const name of d.vhosts) yield { op: 'put-vhost', name, ...d.vhostMeta.get(name) };
  if (d.usersSeeded) yield { op: 'users-seeded' };
  for (const u of d.users.values()) yield { op: 'put-user', ...u };
  for (const x of d.exchanges.values()) yield { op: 'put-exchange', ...x };
  for (const q of d.queues.values()) yield { op: 'put-queue', ...q };
  for (const b of d.bindings.values()) yield { op: 'put-binding', ...b };
  yield* permissionSnapshot(d.access);
  yield* policySnapshot(d.policies);
  yield* schemaSnapshot(d.schemas);
  yield* parameterSnapshot(d.parameters);
}

function encodeRecord(r: DefinitionRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(r));
  const out = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32(payload), 4);
  payload.copy(out, RECORD_HEADER_SIZE);
  return out;
}

function readRecord(buf: Buffer, pos: number): { value: DefinitionRecord; next: number } | undefined {
  if (pos + RECORD_HEADER_SIZE > buf.length) return undefined;
  const len = buf.readUInt32BE(pos);
  const start = pos + RECORD_HEADER_SIZE;
  if (start + len > buf.length) return undefined;
  const payload = buf.subarray(start, start + len);
  if (crc32(payload) !== buf.readUInt32BE(pos + 4)) return undefined;
  try {
    return { value: JSON.parse(payload.toString('utf8')) as DefinitionRecord, next: start + len };
  } catch {
    return undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}
