import type { Rng } from './rng.js';
import { propertiesBytes, rawPropertiesBytes, type RawProperties, type RawTable, type RawValue, type WireString } from './wire.js';

/**
 * Values for seed sessions: the sensible value most of the time, an extreme one with probability
 * `poison` (structure-level mutation: the frame stays well-formed, the value is hostile).
 */
export class Values {
  readonly rng: Rng;
  readonly poison: number;

  constructor(rng: Rng, poison: number) {
    this.rng = rng;
    this.poison = poison;
  }

  /** True with probability `poison`: the caller picks a hostile variant. */
  hostile(): boolean {
    return this.rng.chance(this.poison);
  }

  /** A shortstr: as given, or invalid / extreme UTF-8. */
  name(normal: string): WireString {
    return this.hostile() ? this.badShortstr() : normal;
  }

  badShortstr(): Buffer {
    const r = this.rng;
    switch (r.int(10)) {
      case 0:
        return Buffer.alloc(r.range(86, 255), 0xff); // over 255 once each byte becomes U+FFFD
      case 1:
        return Buffer.alloc(100, 0xff);
      case 2:
        return Buffer.from([0xc0, 0x80]); // overlong NUL
      case 3:
        return Buffer.from([0xed, 0xa0, 0x80]); // a lone surrogate
      case 4:
        return Buffer.from([0x61, 0xe2, 0x82]); // a sequence cut short
      case 5:
        return Buffer.alloc(255, 0x61);
      case 6:
        return Buffer.from('€'.repeat(85)); // 255 bytes of valid 3-byte characters
      case 7:
        return Buffer.from([0x00, 0x00]);
      case 8:
        return Buffer.alloc(0);
      default:
        return r.bytes(r.range(1, 255));
    }
  }

  u8(normal: number): number {
    return this.hostile() ? this.rng.pick([0, 1, 127, 128, 254, 255]) : normal;
  }

  u16(normal: number): number {
    return this.hostile() ? this.rng.pick([0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff]) : normal;
  }

  u32(normal: number): number {
    return this.hostile() ? this.rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]) : normal;
  }

  /** A u64 for delivery tags: a number, or a bigint past 2^53 (the codec's u64 takes both). */
  u64(normal: number): number {
    return this.hostile() ? (this.rng.pick([0, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 63, 2 ** 64 - 1]) as number) : normal;
  }

  /** Any field value, extreme for its type. */
  extremeValue(depth = 0): RawValue {
    const r = this.rng;
    switch (r.int(18)) {
      case 0:
        return { tag: 'T', v: r.pick([0n, 0xffffffffffffffffn, 2n ** 53n + 1n, 2n ** 63n]) };
      case 1:
        return { tag: 'l', v: r.pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n]) };
      case 2:
        return { tag: 'd', v: r.pick([Number.NaN, Infinity, -Infinity, -0, Number.MIN_VALUE, Number.MAX_VALUE]) };
      case 3:
        return { tag: 'f', v: r.pick([Number.NaN, Infinity, -Infinity, 3.4e38]) };
      case 4:
        return { tag: 'D', scale: r.pick([0, 255, 10]), v: r.pick([0, 0xffffffff, 1]) };
      case 5:
        return { tag: r.pick(['I', 'i'] as const), v: r.pick([0x7fffffff, -0x80000000, 0xffffffff, 0]) };
      case 6:
        return { tag: r.pick(['s', 'u'] as const), v: r.pick([0x7fff, 0x8000, 0xffff]) };
      case 7:
        return { tag: r.pick(['b', 'B', 't'] as const), v: r.pick([0, 1, 2, 127, 128, 255]) };
      case 8:
        return { tag: 'S', v: r.chance(0.5) ? this.badShortstr() : Buffer.alloc(r.range(0, 4096), 0xff) };
      case 9:
        return { tag: 'x', v: r.bytes(r.range(0, 64)) };
      case 10:
        return { tag: 'V' };
      case 11:
        return depth > 3 ? { tag: 'V' } : { tag: 'A', v: Array.from({ length: r.range(0, 5) }, () => this.extremeValue(depth + 1)) };
      case 12:
        return depth > 3 ? { tag: 'V' } : { tag: 'F', v: this.extremeTable(r.range(0, 4), depth + 1) };
      case 13:
        return { tag: 'raw', octet: r.int(256), bytes: r.bytes(r.range(0, 9)) }; // any tag, any payload
      case 14:
        return this.deepValue(r.range(60, 70));
      default:
        return { tag: 'S', v: 'plain' };
    }
  }

  extremeTable(entries: number, depth = 0): RawTable {
    return Array.from({ length: entries }, (_, i) => [this.rng.chance(0.2) ? this.badShortstr() : `k${i}`, this.extremeValue(depth)] as const);
  }

  /** Nested past the codec's 64-level limit, by tables or arrays. */
  deepValue(depth: number): RawValue {
    let v: RawValue = { tag: 'V' };
    const asArray = this.rng.chance(0.5);
    for (let i = 0; i < depth; i++) v = asArray ? { tag: 'A', v: [v] } : { tag: 'F', v: [['d', v]] };
    return v;
  }

  /** Many small entries, up to about `bytes` of table. */
  wideTable(bytes: number): RawTable {
    const n = Math.max(1, Math.floor(bytes / 12));
    return Array.from({ length: n }, (_, i) => [`w${i}`, { tag: 'I', v: i }] as const);
  }

  /** Headers for a message: usually ordinary, sometimes extreme, sometimes deep or wide. */
  headers(extra: RawTable = []): RawTable {
    const r = this.rng;
    if (!this.hostile()) return [['n', { tag: 'I', v: r.int(1000) }], ['s', { tag: 'S', v: 'v' }], ...extra];
    switch (r.int(4)) {
      case 0:
        return [...this.extremeTable(r.range(1, 6)), ...extra];
      case 1:
        return [['deep', this.deepValue(r.range(2, 70))], ...extra];
      case 2:
        return [...this.wideTable(r.range(100, 120_000)), ...extra];
      default:
        return [['stamp', { tag: 'T', v: 0xffffffffffffffffn }], ...extra];
    }
  }

  /** A property list: from the codec when ordinary, raw (and possibly cut short) when hostile. */
  properties(opts: { expiration?: string; priority?: number; headers?: RawTable; persistent?: boolean } = {}): Buffer {
    const r = this.rng;
    if (!this.hostile() && opts.headers === undefined) {
      return propertiesBytes({
        contentType: 'text/plain',
        deliveryMode: opts.persistent === true ? 2 : 1,
        ...(opts.priority === undefined ? {} : { priority: opts.priority }),
        ...(opts.expiration === undefined ? {} : { expiration: opts.expiration }),
        messageId: `m${r.int(1000)}`,
        timestamp: 1_700_000_000,
      });
    }
    const p: RawProperties = {
      contentType: this.name('text/plain'),
      headers: opts.headers ?? this.headers(),
      deliveryMode: this.u8(opts.persistent === true ? 2 : 1),
      ...(opts.priority === undefined ? {} : { priority: this.u8(opts.priority) }),
      correlationId: this.name('c1'),
      replyTo: this.name(r.chance(0.1) ? 'amq.rabbitmq.reply-to' : 'r'),
      ...(opts.expiration === undefined ? {} : { expiration: this.expiration(opts.expiration) }),
      messageId: this.name('m1'),
      timestamp: r.chance(0.3) ? r.pick([0n, 0xffffffffffffffffn, 2n ** 63n]) : 1_700_000_000n,
      type: this.name('t'),
      appId: this.name('fuzz'),
      ...(r.chance(0.2) ? { userId: this.name('guest') } : {}),
      ...(r.chance(0.1) ? { clusterId: this.name('c') } : {}),
    };
    const bytes = rawPropertiesBytes(p);
    // A list cut short: flags promise more than follows.
    return this.hostile() ? bytes.subarray(0, r.range(2, bytes.length)) : bytes;
  }

  expiration(normal: string): WireString {
    return this.hostile() ? this.rng.pick(['0', '-1', '', 'abc', '1e3', '99999999999999999999', ' 5', '4294967296']) : normal;
  }

  /** A queue or exchange argument value for `kind`: right type usually, wrong type or extreme sometimes. */
  argument(normal: RawValue): RawValue {
    if (!this.hostile()) return normal;
    const r = this.rng;
    return r.chance(0.5) ? this.extremeValue() : r.pick<RawValue>([{ tag: 'I', v: -1 }, { tag: 'l', v: 2n ** 63n - 1n }, { tag: 'S', v: '5' }, { tag: 'd', v: Number.NaN }, { tag: 'I', v: 0 }]);
  }
}
