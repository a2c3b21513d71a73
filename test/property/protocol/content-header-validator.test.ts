import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProperties, encodePropertiesBuffer } from '../../../src/protocol/content-header.js';
import { validateProperties } from '../../../src/protocol/content-header-validator.js';
import { DecodeError } from '../../../src/protocol/errors.js';
import { decodeTable, encodeTable } from '../../../src/protocol/field-table.js';
import { editTable, findValue, RawKeySet, readValue } from '../../../src/protocol/field-table-raw.js';
import { fieldTableArb, fieldValueArb } from '../../unit/protocol/arbitraries.js';

const LIMITS = { maxEntries: 50_000, maxDepth: 64, maxSize: 1 << 20 };

/** Valid property bytes with a random headers table, and mutations of them (flipped, cut, grown). */
const validProps = fc
  .record({ headers: fieldTableArb, contentType: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), messageId: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) })
  .map((p) => encodePropertiesBuffer(p));

const mutated = fc.tuple(validProps, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat(), { nil: undefined })).map(
  ([raw, flips, cut]) => {
    const b = Buffer.from(raw);
    for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  },
);

describe('validateProperties', () => {
  it('what it accepts always decodes (the lazy decode later cannot throw)', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))), (raw) => {
        let accepted = true;
        try {
          validateProperties(raw, LIMITS);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          accepted = false;
        }
        if (accepted) expect(() => decodeProperties(raw)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every well-formed property list', () => {
    fc.assert(
      fc.property(validProps, (raw) => {
        expect(() => validateProperties(raw, LIMITS)).not.toThrow();
      }),
    );
  });
});

describe('raw table edits', () => {
  const keyArb = fc.constantFrom('a', 'b', 'x-death', 'CC', 'BCC', 'long-name-here');

  it('editTable = decode, set/remove, encode (byte for byte), and one key is found without decoding others', () => {
    fc.assert(
      fc.property(fieldTableArb, fc.array(fc.tuple(keyArb, fieldValueArb), { maxLength: 3 }), fc.array(keyArb, { maxLength: 2 }), (table, set, remove) => {
        const setKeys = new Set(set.map(([k]) => k));
        fc.pre(remove.every((k) => !setKeys.has(k)) && new Set(set.map(([k]) => k)).size === set.length);
        const bytes = encodeTable(table);
        const expected = Object.create(null) as Record<string, unknown>;
        Object.assign(expected, table);
        for (const k of remove) delete expected[k];
        for (const [k, v] of set) expected[k] = v;
        const edited = editTable(bytes, 0, { set, remove });
        // Integer-like keys reorder in a JS object; compare decoded contents, and bytes when none.
        expect(decodeTable(edited)).toEqual(decodeTable(encodeTable(expected as never)));
        if (!Object.keys(expected).some((k) => /^\d+$/.test(k))) expect(edited).toEqual(encodeTable(expected as never));
        for (const k of ['a', 'CC']) {
          const want = Object.hasOwn(table, k) ? table[k] : undefined;
          expect(readValue(bytes, 0, Buffer.from(k))).toEqual(want);
          expect(findValue(bytes, 0, Buffer.from(k)) >= 0).toBe(want !== undefined);
        }
        const selected = new RawKeySet(['a', 'CC']).select(bytes, 0);
        expect(Object.keys(selected).sort()).toEqual(['a', 'CC'].filter((k) => Object.hasOwn(table, k)).sort());
      }),
      { numRuns: 500 },
    );
  });
});
