/**
 * erlang:phash2/1 (the VM's make_hash2: Bob Jenkins' mix over the term's structure) for the
 * terms RabbitMQ hashes to name a binding's arguments in its management API (properties_key):
 * binaries, atoms, integers, floats, lists and tuples. Checked against Erlang/OTP 25's own
 * values in test/unit/util/erlang-phash2.test.ts. Pure, 32-bit unsigned arithmetic throughout.
 */

export type ErlangTerm =
  | { readonly t: 'binary'; readonly v: Uint8Array }
  | { readonly t: 'atom'; readonly v: string }
  | { readonly t: 'integer'; readonly v: number | bigint }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'list'; readonly v: readonly ErlangTerm[] }
  | { readonly t: 'tuple'; readonly v: readonly ErlangTerm[] };

// (golden ratio * n) mod 2^32, the constants make_hash2 tags each kind of term with.
const HCONST = 0x9e3779b9;
const HCONST_2 = 0x3c6ef372;
const HCONST_3 = 0xdaa66d2b;
const HCONST_4 = 0x78dde6e4;
const HCONST_9 = 0x8ff34781;
const HCONST_10 = 0x2e2ac13a;
const HCONST_11 = 0xcc623af3;
const HCONST_12 = 0x6a99b4ac;
const HCONST_13 = 0x08d12e65;
const NIL_DEF = 0x02;
/** The hash of [] when it is the first thing hashed. */
const NIL_FIRST = 3468870702;

/** The three-word state of one Jenkins mix. */
interface Mix {
  a: number;
  b: number;
  c: number;
}

function mix(m: Mix): void {
  let { a, b, c } = m;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  m.a = a;
  m.b = b;
  m.c = c;
} // prettier-ignore

/** UINT32_HASH_2: two words mixed into the running hash (the mix inlined: no object per call). */
function hash2(hash: number, x: number, y: number, constant: number): number {
  let a = (constant + x) >>> 0;
  let b = (constant + y) >>> 0;
  let c = hash >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  return c;
} // prettier-ignore

const word = (bytes: Uint8Array, at: number): number =>
  ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;

/** The VM's block_hash over a binary's bytes, seeded with the hash so far. */
function blockHash(bytes: Uint8Array, initval: number): number {
  const m = { a: HCONST, b: HCONST, c: initval >>> 0 };
  let k = 0;
  for (; bytes.length - k >= 12; k += 12) {
    m.a = (m.a + word(bytes, k)) >>> 0;
    m.b = (m.b + word(bytes, k + 4)) >>> 0;
    m.c = (m.c + word(bytes, k + 8)) >>> 0;
    mix(m);
  }
  const rest = bytes.length - k;
  m.c = (m.c + bytes.length) >>> 0;
  const at = (i: number): number => bytes[k + i] as number;
  // The C switch's fall-through: byte i lands in a (0-3), b (4-7) or c (8-10, c's low byte is the length).
  for (let i = rest - 1; i >= 0; i--) {
    const shift = i >= 8 ? (i - 7) * 8 : (i % 4) * 8;
    if (i >= 8) m.c = (m.c + (at(i) << shift)) >>> 0;
    else if (i >= 4) m.b = (m.b + (at(i) << shift)) >>> 0;
    else m.a = (m.a + (at(i) << shift)) >>> 0;
  }
  mix(m);
  return m.c;
}

/** The atom table's hash of a name (hashpjw over its bytes, with the VM's latin-1 pairing). */
function atomHash(name: string): number {
  const p = /^[\x00-\x7f]*$/.test(name) ? { length: name.length, at: (i: number) => name.charCodeAt(i) } : bytesOf(name);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    let v = p.at(i);
    if (i + 1 < p.length && (v & 0xfe) === 0xc2 && (p.at(i + 1) & 0xc0) === 0x80) {
      v = ((v << 6) | (p.at(i + 1) & 0x3f)) & 0xff;
      i++;
    }
    h = ((h << 4) + v) >>> 0;
    const g = (h & 0xf0000000) >>> 0;
    if (g !== 0) h = (h ^ (g >>> 24) ^ g) >>> 0;
  }
  return h;
}

function bytesOf(name: string): { length: number; at: (i: number) => number } {
  const b = Buffer.from(name, 'utf8');
  return { length: b.length, at: (i) => b[i] as number };
}

const SMALL28 = 2n ** 27n;
const TWO_32 = 2 ** 32;

function integerHash(hash: number, value: number | bigint): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (value >= -(2 ** 27) && value < 2 ** 27) {
      if (value < 0) hash = hash2(hash, -value >>> 0, 0, HCONST);
      return hash2(hash, value >>> 0, 0, HCONST);
    }
    const m = Math.abs(value); // below 2^53: one 64-bit digit
    return hash2(hash, m % TWO_32, Math.floor(m / TWO_32), value < 0 ? HCONST_10 : HCONST_11);
  }
  const v = BigInt(value);
  if (v >= -SMALL28 && v < SMALL28) {
    const y = Number(v);
    if (y < 0) hash = hash2(hash, -y >>> 0, 0, HCONST);
    return hash2(hash, y >>> 0, 0, HCONST);
  }
  // Beyond 28 bits (a wide small, or a bignum): its magnitude in 64-bit digits, low word first.
  let magnitude = v < 0n ? -v : v;
  const constant = v < 0n ? HCONST_10 : HCONST_11;
  do {
    const digit = magnitude & 0xffffffffffffffffn;
    hash = hash2(hash, Number(digit & 0xffffffffn), Number(digit >> 32n), constant);
    magnitude >>= 64n;
  } while (magnitude > 0n);
  return hash;
}

function floatHash(hash: number, value: number): number {
  const buf = Buffer.alloc(8);
  buf.writeDoubleLE(value === 0 ? 0 : value); // -0.0 hashes as 0.0
  return hash2(hash, buf.readUInt32LE(4), buf.readUInt32LE(0), HCONST_12);
}

/** erlang:phash2(Term): a 32-bit unsigned integer (phash2(Term, 1 bsl 32) is the same value). */
export function phash2(term: ErlangTerm): number {
  if (term.t === 'atom') return atomHash(term.v);
  let hash = 0;
  // The VM's explicit stack: terms still to hash, last first.
  const stack: Frame[] = [term];
  while (stack.length > 0) {
    const t = stack.pop() as Frame;
    switch (t.t) {
      case 'tail':
        hash = listHash(hash, t.v, t.from, stack);
        break;
      case 'binary':
        hash = t.v.length === 0 ? (HCONST_13 + hash) >>> 0 : blockHash(t.v, (HCONST_13 + hash) >>> 0);
        break;
      case 'atom':
        hash = hash === 0 ? atomHash(t.v) : hash2(hash, atomHash(t.v), 0, HCONST_3);
        break;
      case 'integer':
        hash = integerHash(hash, t.v);
        break;
      case 'float':
        hash = floatHash(hash, t.v);
        break;
      case 'tuple':
        hash = hash2(hash, t.v.length, 0, HCONST_9);
        for (let i = t.v.length - 1; i >= 0; i--) stack.push(t.v[i] as ErlangTerm);
        break;
      case 'list':
        hash = listHash(hash, t.v, 0, stack);
        break;
    }
  }
  return hash;
}

/** The rest of a list, from an index: what the VM's stack holds as a cons cell's tail. */
type Frame = ErlangTerm | { readonly t: 'tail'; readonly v: readonly ErlangTerm[]; readonly from: number };

/** A proper list from `from`: runs of byte-sized integers four to a word, other elements hashed in turn, then []. */
function listHash(hash: number, items: readonly ErlangTerm[], from: number, stack: Frame[]): number {
  if (from >= items.length) return hash === 0 ? NIL_FIRST : hash2(hash, NIL_DEF, 0, HCONST_2);
  const isByte = (e: ErlangTerm): boolean => e.t === 'integer' && typeof e.v === 'number' && e.v >= 0 && e.v <= 255;
  let i = from;
  let sh = 0;
  let c = 0;
  while (i < items.length && isByte(items[i] as ErlangTerm)) {
    sh = ((sh << 8) + ((items[i] as { v: number }).v)) >>> 0;
    if (c === 3) {
      hash = hash2(hash, sh, 0, HCONST_4);
      c = sh = 0;
    } else c++;
    i++;
  }
  if (c > 0) hash = hash2(hash, sh, 0, HCONST_4);
  // Then [] (the proper end), or the head next and the rest of the list after it (pushed first, popped after).
  stack.push({ t: 'tail', v: items, from: i === items.length ? i : i + 1 });
  if (i === items.length) return hash;
  stack.push(items[i] as ErlangTerm);
  return hash;
}
