/**
 * The policy lookup a queue.declare does (and a policy change does per queue): no policies, 100 that
 * do not match with `^prefix` patterns, 100 with unanchored suffix patterns (both ruled out by the
 * prefilter), 100 that only the regex can rule out (no literal run), and a hit at the top.
 *   npm run bench -- policy-match
 */
import { validatePolicy } from '../src/core/policy/policy-definition.js';
import { PolicyList } from '../src/core/policy/vhost-policies.js';
import { bench, header, sink } from './harness.js';

const listOf = (pattern: (i: number) => string): PolicyList => {
  const list = new PolicyList();
  for (let i = 0; i < 100; i++) list.put(validatePolicy('policy', '/', `p${i}`, { pattern: pattern(i), priority: i % 7, definition: { 'max-length': 1 } }));
  return list;
};

header('Policy lookup for one queue name');
{
  const empty = new PolicyList();
  const prefix = listOf((i) => `^orders-${i}\\.`);
  const suffix = listOf((i) => `-${i}\\.orders$`);
  const regexOnly = listOf((i) => `^[a-c]{${(i % 5) + 2}}[0-9]`);
  const hit = listOf((i) => `^orders-${i}\\.`);
  hit.put(validatePolicy('policy', '/', 'top', { pattern: '^d1\\.', priority: 10, definition: { 'max-length': 1 } }));
  let n = 0;
  const name = (): string => `d1.q${n++ & 1023}`;
  bench('no policies', () => {
    sink.value = empty.match('classic', name());
  });
  bench('100 policies, ^prefix, none matches', () => {
    sink.value = prefix.match('classic', name());
  });
  bench('100 policies, unanchored suffix, none matches', () => {
    sink.value = suffix.match('classic', name());
  });
  bench('100 policies, no literal (regex each), none matches', () => {
    sink.value = regexOnly.match('classic', name());
  });
  bench('100 policies, the highest-priority one matches', () => {
    sink.value = hit.match('classic', name());
  });
}
