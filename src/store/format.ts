/**
 * On-disk formats (docs/storage-format.md). Every file starts with 4 magic bytes and a u16
 * version; records are [u32 payload length][u32 crc32 of payload][payload], so a torn write at
 * the tail (a crash mid-write) is detected and cut, never read as data.
 */
export const SEGMENT_MAGIC = 'WSEG';
export const ACKS_MAGIC = 'WACK';
export const DEFINITIONS_MAGIC = 'WDEF';
export const FORMAT_VERSION = 1;
export const FILE_HEADER_SIZE = 8;
export const RECORD_HEADER_SIZE = 8;

/** Ack-log record kinds: one byte kind + u32 record offset in the matching segment. */
export const AckKind = { Delivered: 1, Removed: 2 } as const;
export const ACK_RECORD_SIZE = 5;

export function fileHeader(magic: string): Buffer {
  const b = Buffer.alloc(FILE_HEADER_SIZE);
  b.write(magic, 0, 'latin1');
  b.writeUInt16BE(FORMAT_VERSION, 4);
  return b;
}

/**
 * What is wrong with a file's header. `torn-create` is a file cut inside the header this
 * version writes (a crash between creating a segment and writing its 8 bytes): it holds no
 * records. Everything else is a file this version must not interpret, let alone rewrite.
 */
export type HeaderProblem =
  | { readonly kind: 'torn-create'; readonly text: string }
  | { readonly kind: 'foreign'; readonly text: string }
  | { readonly kind: 'newer'; readonly version: number; readonly text: string }
  | { readonly kind: 'unknown-version'; readonly version: number; readonly text: string };

/** Returns undefined when the header is right, else what is wrong with it. */
export function checkFileHeader(buf: Buffer, magic: string): HeaderProblem | undefined {
  if (buf.length < FILE_HEADER_SIZE) {
    const expected = fileHeader(magic);
    if (expected.subarray(0, buf.length).equals(buf.subarray(0, FILE_HEADER_SIZE))) {
      return { kind: 'torn-create', text: `file cut inside its ${FILE_HEADER_SIZE}-byte header (${buf.length} bytes)` };
    }
    return { kind: 'foreign', text: `file shorter than its header (${buf.length} bytes) and not a Warren ${magic} file` };
  }
  const found = buf.toString('latin1', 0, 4);
  if (found !== magic) {
    return { kind: 'foreign', text: `bad magic ${JSON.stringify(found)} (expected ${magic}): not a Warren file of this kind, or damaged` };
  }
  const version = buf.readUInt16BE(4);
  if (version > FORMAT_VERSION) {
    return { kind: 'newer', version, text: `written by storage format version ${version}, newer than the version ${FORMAT_VERSION} this Warren reads` };
  }
  if (version !== FORMAT_VERSION) {
    return { kind: 'unknown-version', version, text: `storage format version ${version} is not one this Warren reads (it reads ${FORMAT_VERSION})` };
  }
  return undefined;
}

/** A file recovery must not interpret or change: start-up stops unless the operator forces it. */
export interface RefusedFile {
  readonly path: string;
  readonly problem: HeaderProblem;
}

/** Thrown by the readers for such files; start-up turns it into its own exit code. */
export class RefusedFileError extends Error {
  readonly files: readonly RefusedFile[];

  constructor(files: readonly RefusedFile[]) {
    super(files.map((f) => `${f.path}: ${f.problem.text}`).join('; '));
    this.files = files;
  }
}
