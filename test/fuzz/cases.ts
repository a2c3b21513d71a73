import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutate } from './mutate.js';
import { Rng } from './rng.js';
import { SEEDS } from './seeds.js';
import { serializeSteps, type SerializedStep, type Step } from './session.js';
import { Values } from './values.js';

/** One fuzz case: a seed session, its hostile values and byte mutations, and how it is split on the wire. */
export interface FuzzCase {
  readonly seed: number;
  readonly index: number;
  readonly seedName: string;
  readonly mutations: readonly string[];
  readonly steps: Step[];
  readonly splitPoints: readonly number[];
}

/** Deterministic: the same (seed, index) always gives the same bytes. */
export function generateCase(seed: number, index: number): FuzzCase {
  const rng = Rng.forCase(seed, index);
  const [seedName, build] = SEEDS[rng.int(SEEDS.length)]!;
  // A third of the cases keep every value sensible, so byte mutations meet well-formed sessions.
  const poison = rng.chance(0.33) ? 0 : rng.pick([0.05, 0.1, 0.2, 0.4]);
  const steps = build(new Values(rng, poison), `fz${index % 48}`);
  const count = rng.chance(0.25) ? 0 : rng.range(1, 4);
  const mutations = mutate(steps, rng, count);
  if (poison > 0) mutations.unshift(`values p=${poison}`);
  const splitPoints = rng.chance(0.3) ? Array.from({ length: rng.range(1, 4) }, () => rng.next()).sort() : [];
  return { seed, index, seedName, mutations, steps, splitPoints };
}

/** A finding's reproducer on disk: replay with `npm run fuzz -- --replay FILE`. */
export interface Reproducer {
  readonly kind: 'crash' | 'hang' | 'finding';
  readonly signature: string;
  /** stderr of the crashed broker, or the internal error's stack from its log. */
  readonly detail: string;
  /** Whether replaying this case alone against a fresh broker showed the same thing again. */
  readonly reproducedAlone: boolean;
  readonly seed: number;
  readonly index: number;
  readonly seedName: string;
  readonly mutations: readonly string[];
  readonly splitPoints: readonly number[];
  readonly steps: readonly SerializedStep[];
}

export function reproducerOf(c: FuzzCase, kind: Reproducer['kind'], signature: string, detail: string, reproducedAlone: boolean): Reproducer {
  return {
    kind,
    signature,
    detail,
    reproducedAlone,
    seed: c.seed,
    index: c.index,
    seedName: c.seedName,
    mutations: c.mutations,
    splitPoints: c.splitPoints,
    steps: serializeSteps(c.steps),
  };
}

/** Writes the reproducer as `<kind>-<hash of signature>.json`; one file per signature. */
export function saveReproducer(dir: string, r: Reproducer): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha1').update(r.signature).digest('hex').slice(0, 10);
  const file = join(dir, `${r.kind}-${hash}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
  return file;
}
