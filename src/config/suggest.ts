/**
 * "did you mean" for unknown option names. Names are compared without case, dashes and
 * underscores first, so `data_dir`, `DATA-DIR` and `datadir` all find `dataDir`; then by
 * edit distance with transpositions, so `prot` finds `port` at distance 1.
 */

const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** The closest known name, or undefined when nothing is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const wanted = normalize(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name, at least 1 and at most 3: `prot` -> port, but `foo` suggests nothing.
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean --port?` or the empty string. */
export function didYouMean(name: string, known: readonly string[], quote: (s: string) => string = (s) => s): string {
  const hint = closest(name, known);
  return hint === undefined ? '' : `; did you mean ${quote(hint)}?`;
}
