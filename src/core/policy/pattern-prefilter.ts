/**
 * A cheap test that rules a name out before the regex runs: a declare in a vhost with 100 policies
 * tries every pattern that does not match, and a regex test on a short name cost 150-210 ns on the
 * loaded bench machine, a startsWith or includes a few ns (bench/policies.ts). Only what is certain
 * is used, and nothing when the pattern has a `|` anywhere:
 * - prefix: the ASCII literal run right after a leading `^` (a name must start with it);
 * - literal: the longest ASCII literal run outside groups and classes (a match must contain it).
 * A character followed by `?`, `*`, `+` or `{` ends its run without it (it may be absent or
 * repeated); a `{...}` is skipped whole. ASCII only, so the name's UTF-8 byte form (what the regex
 * sees) agrees with the name on it. The property test checks that no name the regex matches is
 * ever ruled out.
 */
export interface Prefilter {
  readonly prefix?: string;
  readonly literal?: string;
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const QUANTIFIER = new Set(['?', '*', '+', '{']);
const ESCAPED_LITERAL = /^[!-/:-@[-`{-~]$/; // ASCII punctuation: `\.` is a literal dot in PCRE and JS alike

export function prefilterOf(pattern: string): Prefilter {
  if (pattern.includes('|')) return {};
  const runs: { text: string; start: number }[] = [];
  let run = '';
  let start = 0;
  let depth = 0;
  const end = (): void => {
    if (run !== '') runs.push({ text: run, start });
    run = '';
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    let literal: string | undefined;
    let width = 1;
    if (c === '\\') {
      const next = pattern[i + 1];
      width = 2;
      if (next !== undefined && ESCAPED_LITERAL.test(next)) literal = next;
    } else if (c === '[') {
      // A class: skip to its closing bracket (a `]` right after `[` or `[^` is a member).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      width = j + 1 - i;
    } else if (c === '{') {
      const close = pattern.indexOf('}', i);
      width = close < 0 ? 1 : close + 1 - i; // a repeat count (or literal braces: skipped either way)
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (!META.has(c) && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0x7e) {
      literal = c;
    }
    const quantified = QUANTIFIER.has(pattern[i + width] ?? '');
    if (literal !== undefined && depth === 0 && !quantified) {
      if (run === '') start = i;
      run += literal;
    } else {
      end();
    }
    i += width;
  }
  end();
  if (depth !== 0) return {};
  const first = runs[0];
  if (pattern.startsWith('^') && first !== undefined && first.start === 1) return { prefix: first.text };
  let best = '';
  for (const r of runs) if (r.text.length > best.length) best = r.text;
  return best === '' ? {} : { literal: best };
}

/** false: the pattern cannot match this name; true: run the regex. */
export function mayMatch(f: Prefilter, name: string): boolean {
  if (f.prefix !== undefined) return name.startsWith(f.prefix);
  if (f.literal !== undefined) return name.includes(f.literal);
  return true;
}
