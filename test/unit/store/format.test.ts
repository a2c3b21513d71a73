import { describe, expect, it } from 'vitest';
import { checkFileHeader, fileHeader, SEGMENT_MAGIC } from '../../../src/store/format.js';

describe('file headers', () => {
  const good = fileHeader(SEGMENT_MAGIC);

  it('the header this version writes passes', () => {
    expect(checkFileHeader(Buffer.concat([good, Buffer.from('records')]), SEGMENT_MAGIC)).toBeUndefined();
  });

  it('a file cut inside the header this version writes is a torn creation, holding nothing', () => {
    for (let n = 0; n < good.length; n++) expect(checkFileHeader(good.subarray(0, n), SEGMENT_MAGIC)?.kind).toBe('torn-create');
  });

  it('a short file that is not the start of that header is foreign', () => {
    expect(checkFileHeader(Buffer.from('WAC'), SEGMENT_MAGIC)?.kind).toBe('foreign');
  });

  it('another magic is foreign; a newer version is newer and says which; version 0 is unknown', () => {
    expect(checkFileHeader(fileHeader('WACK'), SEGMENT_MAGIC)).toMatchObject({ kind: 'foreign', text: expect.stringContaining('bad magic "WACK"') });
    const newer = Buffer.from(good);
    newer.writeUInt16BE(7, 4);
    expect(checkFileHeader(newer, SEGMENT_MAGIC)).toMatchObject({ kind: 'newer', version: 7, text: expect.stringContaining('storage format version 7') });
    const zero = Buffer.from(good);
    zero.writeUInt16BE(0, 4);
    expect(checkFileHeader(zero, SEGMENT_MAGIC)?.kind).toBe('unknown-version');
  });
});
