/**
 * A cheap test that rules a name out before the regex runs: most policy patterns are `^prefix`,
 * `^prefix\.` or a bare literal, and a declare in a vhost with 100 policies tries every pattern that
 * does not match. A regex test on a short name cost 150-210 ns on the loaded bench machine, a
 * startsWith a few ns (bench/policies.ts). Only what is certain is used: an ASCII literal run right
 * after a leading `^` (none of the pattern has `|`), cut before a quantifier that could make its last
 * character optional; or a pattern that is one ASCII literal (includes). ASCII only, so the name's
 * UTF-8 byte form (what the regex sees) agrees with the name itself on it.
 */
export interface Prefilter {
  readonly prefix?: string;
  readonly literal?: string;
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const ESCAPED_LITERAL = /^[!-/:-@[-`{-~]$/; // ASCII punctuation: `\.` is a literal dot in PCRE and JS alike

export function prefilterOf(pattern: string): Prefilter {
  if (pattern.includes('|')) return {};
  const anchored = pattern.startsWith('^');
  let i = anchored ? 1 : 0;
  let run = '';
  const lengths: number[] = []; // run length before each literal character, to cut one off
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !ESCAPED_LITERAL.test(next)) break;
      lengths.push(run.length);
      run += next;
      i += 2;
      continue;
    }
    if (META.has(c) || c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20) break;
    lengths.push(run.length);
    run += c;
    i++;
  }
  const rest = pattern[i];
  // `a?`, `a*`, `a{0,1}` make the last literal optional; `a+` does not, but keep it simple.
  if (rest === '?' || rest === '*' || rest === '{' || rest === '+') run = run.slice(0, lengths[lengths.length - 1] ?? 0);
  if (run === '') return {};
  if (anchored) return { prefix: run };
  return i === pattern.length ? { literal: run } : {};
}

/** false: the pattern cannot match this name; true: run the regex. */
export function mayMatch(f: Prefilter, name: string): boolean {
  if (f.prefix !== undefined) return name.startsWith(f.prefix);
  if (f.literal !== undefined) return name.includes(f.literal);
  return true;
}
