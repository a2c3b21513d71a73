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

/** Returns undefined when the header is right, else what is wrong with it. */
export function checkFileHeader(buf: Buffer, magic: string): string | undefined {
  if (buf.length < FILE_HEADER_SIZE) return 'file shorter than its header';
  if (buf.toString('latin1', 0, 4) !== magic) return `bad magic (expected ${magic})`;
  const version = buf.readUInt16BE(4);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version} (this Warren reads ${FORMAT_VERSION})`;
  return undefined;
}
