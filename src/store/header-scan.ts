import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFINITIONS_FILE } from './definitions-store.js';
import { ACKS_MAGIC, checkFileHeader, DEFINITIONS_MAGIC, FILE_HEADER_SIZE, SEGMENT_MAGIC, type RefusedFile } from './format.js';

/** Headers read at once: enough to hide latency, few enough descriptors. */
const PARALLEL = 32;

/**
 * Every file recovery would read, checked by its header before anything in the data directory
 * is written: a foreign, damaged or newer file found half-way through recovery would otherwise
 * be refused after earlier queues had their tails cut and the definitions compacted. A segment
 * or ack log cut inside its header (a crash while creating it) holds nothing and passes; the
 * definitions log is only ever replaced whole (write, fsync, rename), so for it that is damage.
 */
export async function scanHeaders(dataDir: string): Promise<RefusedFile[]> {
  const refused: RefusedFile[] = [];
  const definitions = join(dataDir, DEFINITIONS_FILE);
  const head = await readHeader(definitions);
  if (head !== undefined) {
    const problem = checkFileHeader(head, DEFINITIONS_MAGIC);
    if (problem !== undefined) refused.push({ path: definitions, problem });
  }
  const files: { path: string; magic: string }[] = [];
  const root = join(dataDir, 'msgs');
  for (const dir of await list(root)) {
    for (const f of await list(join(root, dir))) {
      if (/^msgs\.\d{10}$/.test(f)) files.push({ path: join(root, dir, f), magic: SEGMENT_MAGIC });
      else if (/^acks\.\d{10}$/.test(f)) files.push({ path: join(root, dir, f), magic: ACKS_MAGIC });
    }
  }
  for (let i = 0; i < files.length; i += PARALLEL) {
    const batch = files.slice(i, i + PARALLEL);
    const heads = await Promise.all(batch.map((f) => readHeader(f.path)));
    batch.forEach((f, j) => {
      const buf = heads[j];
      if (buf === undefined) return;
      const problem = checkFileHeader(buf, f.magic);
      if (problem !== undefined && problem.kind !== 'torn-create') refused.push({ path: f.path, problem });
    });
  }
  return refused;
}

/** The first bytes of a file, or undefined when there is no such file. */
async function readHeader(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const buf = Buffer.alloc(FILE_HEADER_SIZE);
    const { bytesRead } = await handle.read(buf, 0, FILE_HEADER_SIZE, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    // A read error (EISDIR, EIO) comes without the path; the operator needs it.
    const e = err as NodeJS.ErrnoException;
    e.path ??= path;
    throw e;
  } finally {
    await handle.close();
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}
