import type { Rng } from './rng.js';
import type { Step } from './session.js';

/**
 * Mutations of a session. Byte level: bit flips, inserted and deleted bytes, interesting numbers
 * written over a field, a length field (frame size, shortstr, longstr or table size) set to 0, huge or
 * off by one. Structure level: frames dropped, duplicated, swapped, cut short (with the size fixed up, so
 * the frame parses and the method decoder meets the truncation), or spliced in from elsewhere.
 * The handshake prefix (header, start-ok, tune-ok, open) is hit less often, so most cases get past it.
 */

type Mutation = (steps: Step[], rng: Rng) => string;

const HANDSHAKE_STEPS = 4;

function sendIndexes(steps: readonly Step[], rng: Rng): number[] {
  const all: number[] = [];
  steps.forEach((s, i) => {
    if (s.kind === 'send') all.push(i);
  });
  // Past the handshake nine times out of ten.
  const after = all.filter((i) => i >= HANDSHAKE_STEPS);
  return after.length > 0 && rng.chance(0.9) ? after : all;
}

function pickSend(steps: Step[], rng: Rng): [number, Buffer] | undefined {
  const idx = sendIndexes(steps, rng);
  if (idx.length === 0) return undefined;
  const i = rng.pick(idx);
  const s = steps[i]!;
  return s.kind === 'send' ? [i, s.bytes] : undefined;
}

function replace(steps: Step[], i: number, bytes: Buffer): void {
  steps[i] = { kind: 'send', bytes };
}

/** Rewrites the 7-byte frame header's size to match the payload (for structure-level edits). */
function refit(frame: Buffer): Buffer {
  if (frame.length >= 8) frame.writeUInt32BE(frame.length - 8, 3);
  return frame;
}

const INTERESTING_U8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_U16 = [0, 1, 0x7fff, 0x8000, 0xffff];
const INTERESTING_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 131072, 131073, 131064];

const bitFlip: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined) return 'none';
  const b = Buffer.from(p[1]);
  const n = rng.range(1, 8);
  for (let k = 0; k < n; k++) {
    const at = rng.int(b.length);
    b[at]! ^= 1 << rng.int(8);
  }
  replace(steps, p[0], b);
  return `bitflip x${n}`;
};

const insertBytes: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined) return 'none';
  const at = rng.int(p[1].length + 1);
  const extra = rng.chance(0.5) ? rng.bytes(rng.range(1, 16)) : Buffer.alloc(rng.range(1, 16), rng.pick([0, 0xff, 0xce]));
  replace(steps, p[0], Buffer.concat([p[1].subarray(0, at), extra, p[1].subarray(at)]));
  return 'insert';
};

const deleteBytes: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined) return 'none';
  const at = rng.int(p[1].length);
  const n = rng.range(1, Math.min(16, p[1].length - at));
  replace(steps, p[0], Buffer.concat([p[1].subarray(0, at), p[1].subarray(at + n)]));
  return 'delete';
};

const interestingNumber: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 8) return 'none';
  const b = Buffer.from(p[1]);
  const width = rng.pick([1, 2, 4, 8]);
  const at = rng.range(7, Math.max(7, b.length - 1 - width));
  if (at + width > b.length) return 'none';
  if (width === 1) b[at] = rng.pick(INTERESTING_U8);
  else if (width === 2) b.writeUInt16BE(rng.pick(INTERESTING_U16), at);
  else if (width === 4) b.writeUInt32BE(rng.pick(INTERESTING_U32), at);
  else b.writeBigUInt64BE(rng.pick([0n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 2n ** 53n + 1n]), at);
  replace(steps, p[0], b);
  return `number u${width * 8}`;
};

/** The frame's own size field: 0, huge, one off, or just over frame_max. */
const frameSize: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 8) return 'none';
  const b = Buffer.from(p[1]);
  const size = b.readUInt32BE(3);
  b.writeUInt32BE(rng.pick([0, 0xffffffff, size + 1, Math.max(0, size - 1), 131065, 131064, 0x7fffffff]) >>> 0, 3);
  replace(steps, p[0], b);
  return 'frame size';
};

/**
 * Length fields inside a payload: positions that look like a shortstr length (a byte followed by that
 * many printable bytes) or a long length (a u32 no larger than what follows) get 0, huge or off by one.
 */
const innerLength: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 12) return 'none';
  const b = Buffer.from(p[1]);
  const end = b.length - 1; // the frame-end octet
  const candidates: [at: number, width: 1 | 4][] = [];
  for (let i = 7; i < end; i++) {
    const n = b[i]!;
    if (n > 0 && i + 1 + n <= end) {
      let printable = true;
      for (let k = i + 1; k <= i + Math.min(n, 4); k++) if (b[k]! < 0x20 || b[k]! > 0x7e) printable = false;
      if (printable) candidates.push([i, 1]);
    }
    if (i + 4 <= end) {
      const len = b.readUInt32BE(i);
      if (len > 0 && i + 4 + len <= end) candidates.push([i, 4]);
    }
  }
  if (candidates.length === 0) return 'none';
  const [at, width] = rng.pick(candidates);
  if (width === 1) {
    const v = b[at]!;
    b[at] = rng.pick([0, 0xff, v + 1, v - 1]) & 0xff;
  } else {
    const v = b.readUInt32BE(at);
    b.writeUInt32BE(rng.pick([0, 0xffffffff, v + 1, v - 1, 0x7fffffff]) >>> 0, at);
  }
  replace(steps, p[0], b);
  return `inner length u${width * 8}`;
};

const frameEnd: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 8) return 'none';
  const b = Buffer.from(p[1]);
  b[b.length - 1] = rng.pick([0, 0xcd, 0xcf, 0xff]);
  replace(steps, p[0], b);
  return 'frame end';
};

const frameTypeOrChannel: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 8) return 'none';
  const b = Buffer.from(p[1]);
  if (rng.chance(0.5)) b[0] = rng.pick([0, 1, 2, 3, 4, 8, 9, 0xff]);
  else b.writeUInt16BE(rng.pick([0, 1, 2, 2047, 2048, 0xffff]), 1);
  replace(steps, p[0], b);
  return 'frame type/channel';
};

/** Cut a frame's payload short and fix its size: the frame parses, its content is truncated. */
const truncatePayload: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 9) return 'none';
  const keep = rng.range(0, p[1].length - 9);
  replace(steps, p[0], refit(Buffer.concat([p[1].subarray(0, 7 + keep), Buffer.from([0xce])])));
  return 'truncate payload';
};

/** Grow a frame's payload with junk (size fixed up): trailing bytes after the last argument. */
const extendPayload: Mutation = (steps, rng) => {
  const p = pickSend(steps, rng);
  if (p === undefined || p[1].length < 8) return 'none';
  const b = p[1];
  replace(steps, p[0], refit(Buffer.concat([b.subarray(0, b.length - 1), rng.bytes(rng.range(1, 32)), Buffer.from([0xce])])));
  return 'extend payload';
};

const dropFrame: Mutation = (steps, rng) => {
  const idx = sendIndexes(steps, rng);
  if (idx.length === 0) return 'none';
  steps.splice(rng.pick(idx), 1);
  return 'drop frame';
};

const duplicateFrame: Mutation = (steps, rng) => {
  const idx = sendIndexes(steps, rng);
  if (idx.length === 0) return 'none';
  const i = rng.pick(idx);
  steps.splice(i, 0, steps[i]!);
  return 'duplicate frame';
};

const swapFrames: Mutation = (steps, rng) => {
  const idx = sendIndexes(steps, rng);
  if (idx.length < 2) return 'none';
  const k = rng.int(idx.length - 1);
  const a = idx[k]!;
  const b = idx[k + 1]!;
  [steps[a], steps[b]] = [steps[b]!, steps[a]!];
  return 'swap frames';
};

/** A frame moved to another place in the session, e.g. a body before its header. */
const moveFrame: Mutation = (steps, rng) => {
  const idx = sendIndexes(steps, rng);
  if (idx.length < 2) return 'none';
  const from = rng.pick(idx);
  const [s] = steps.splice(from, 1);
  steps.splice(rng.int(steps.length + 1), 0, s!);
  return 'move frame';
};

const garbageFrame: Mutation = (steps, rng) => {
  const at = rng.range(Math.min(HANDSHAKE_STEPS, steps.length), steps.length);
  steps.splice(at, 0, { kind: 'send', bytes: rng.bytes(rng.range(1, 64)) });
  return 'garbage';
};

const MUTATIONS: readonly (readonly [Mutation, number])[] = [
  [bitFlip, 4],
  [insertBytes, 2],
  [deleteBytes, 2],
  [interestingNumber, 4],
  [frameSize, 2],
  [innerLength, 5],
  [frameEnd, 1],
  [frameTypeOrChannel, 1],
  [truncatePayload, 3],
  [extendPayload, 1],
  [dropFrame, 2],
  [duplicateFrame, 2],
  [swapFrames, 2],
  [moveFrame, 1],
  [garbageFrame, 1],
];

const TOTAL_WEIGHT = MUTATIONS.reduce((n, [, w]) => n + w, 0);

/** Applies `count` weighted random mutations in place; returns their names. */
export function mutate(steps: Step[], rng: Rng, count: number): string[] {
  const applied: string[] = [];
  for (let k = 0; k < count; k++) {
    let x = rng.int(TOTAL_WEIGHT);
    for (const [m, w] of MUTATIONS) {
      if (x < w) {
        applied.push(m(steps, rng));
        break;
      }
      x -= w;
    }
  }
  return applied;
}
