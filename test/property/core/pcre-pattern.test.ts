import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, escapePattern, PatternError } from '../../../src/core/security/pcre-pattern.js';

/**
 * The reference: a small backtracking matcher written from PCRE's definitions (Erlang's re, byte
 * mode, no options), over an AST, on the name's UTF-8 bytes. `.` is any byte but \n; `$` is the end
 * or just before a final \n; `\s` is \t \n \v \f \r and space; `\d` `\w` are ASCII. Generated ASTs
 * are printed as pattern text and both must agree on every generated name.
 */
type Node =
  | { k: 'byte'; b: number }
  /** A character written as itself in the pattern (UTF-8: PCRE reads its bytes in sequence). */
  | { k: 'char'; c: string }
  | { k: 'dot' }
  | { k: 'set'; bytes: number[]; negated: boolean; text: string }
  | { k: 'start' }
  | { k: 'end' }
  | { k: 'rep'; node: Node; min: number; max: number; text: string }
  | { k: 'alt'; options: Node[][] };

const SPACE = [9, 10, 11, 12, 13, 32];
const DIGIT = Array.from({ length: 10 }, (_, i) => 48 + i);
const WORD = [...DIGIT, 95, ...Array.from({ length: 26 }, (_, i) => 65 + i), ...Array.from({ length: 26 }, (_, i) => 97 + i)];

function print(nodes: Node[]): string {
  return nodes.map(printNode).join('');
}
function printNode(n: Node): string {
  switch (n.k) {
    case 'byte':
      if (n.b >= 0x80) return `\\x${n.b.toString(16)}`;
      return /[A-Za-z0-9 _,:#-]/.test(String.fromCharCode(n.b)) ? String.fromCharCode(n.b) : escapePattern(String.fromCharCode(n.b));
    case 'char':
      return n.c;
    case 'dot':
      return '.';
    case 'set':
      return n.text;
    case 'start':
      return '^';
    case 'end':
      return '$';
    case 'rep':
      return `${n.node.k === 'alt' ? printNode(n.node) : n.node.k === 'rep' ? `(?:${printNode(n.node)})` : printNode(n.node)}${n.text}`;
    case 'alt':
      return `(?:${n.options.map(print).join('|')})`;
  }
}

/** Every way the nodes match from position i, as continuation calls; true as soon as one succeeds. */
function matchSeq(nodes: Node[], at: number, s: Uint8Array, i: number, k: (i: number) => boolean): boolean {
  if (at === nodes.length) return k(i);
  const n = nodes[at] as Node;
  const next = (j: number): boolean => matchSeq(nodes, at + 1, s, j, k);
  return matchNode(n, s, i, next);
}
function matchNode(n: Node, s: Uint8Array, i: number, k: (i: number) => boolean): boolean {
  switch (n.k) {
    case 'byte':
      return i < s.length && s[i] === n.b && k(i + 1);
    case 'char': {
      const b = Buffer.from(n.c, 'utf8');
      for (let j = 0; j < b.length; j++) if (s[i + j] !== b[j]) return false;
      return k(i + b.length);
    }
    case 'dot':
      return i < s.length && s[i] !== 10 && k(i + 1);
    case 'set': {
      if (i >= s.length) return false;
      const inSet = n.bytes.includes(s[i] as number);
      return inSet !== n.negated && k(i + 1);
    }
    case 'start':
      return i === 0 && k(i);
    case 'end':
      return (i === s.length || (i === s.length - 1 && s[i] === 10)) && k(i);
    case 'alt':
      return n.options.some((o) => matchSeq(o, 0, s, i, k));
    case 'rep': {
      const go = (count: number, j: number): boolean => {
        if (count >= n.min && k(j)) return true;
        if (count >= n.max) return false;
        // An iteration must consume (PCRE stops an empty-matching loop; for booleans this is the same).
        return matchNode(n.node, s, j, (j2) => j2 > j && go(count + 1, j2));
      };
      return go(0, i);
    }
  }
}
function reference(nodes: Node[], name: string): boolean {
  const s = new Uint8Array(Buffer.from(name, 'utf8'));
  for (let i = 0; i <= s.length; i++) if (matchSeq(nodes, 0, s, i, () => true)) return true;
  return false;
}

const ALPHABET = ['a', 'b', 'c', '.', ' ', '\n', '\r', '\t', '\v', '1', '_', '{', '}', 'é', 'à', '\u00a0', '-'];
const bytesOf = (c: string): number[] => [...Buffer.from(c, 'utf8')];

const setArb: fc.Arbitrary<Node> = fc.oneof(
  fc.constant<Node>({ k: 'set', bytes: SPACE, negated: false, text: '\\s' }),
  fc.constant<Node>({ k: 'set', bytes: SPACE, negated: true, text: '\\S' }),
  fc.constant<Node>({ k: 'set', bytes: DIGIT, negated: false, text: '\\d' }),
  fc.constant<Node>({ k: 'set', bytes: WORD, negated: true, text: '\\W' }),
  fc.constant<Node>({ k: 'set', bytes: [97, 98, ...SPACE], negated: false, text: '[ab\\s]' }),
  fc.constant<Node>({ k: 'set', bytes: [97, 98, 99, 10], negated: true, text: '[^a-c\\n]' }),
  fc.constant<Node>({ k: 'set', bytes: [0xc3], negated: false, text: '[\\xc3]' }),
);
const atom: fc.Arbitrary<Node> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ALPHABET).chain((c) => fc.constantFrom(...bytesOf(c))).map((b): Node => ({ k: 'byte', b })) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'à', '\u00a0').map((c): Node => ({ k: 'char', c })) },
  { weight: 2, arbitrary: fc.constant<Node>({ k: 'dot' }) },
  { weight: 2, arbitrary: setArb },
  { weight: 1, arbitrary: fc.constant<Node>({ k: 'start' }) },
  { weight: 1, arbitrary: fc.constant<Node>({ k: 'end' }) },
);
const quantified: fc.Arbitrary<Node> = fc
  .tuple(
    atom.filter((n) => n.k !== 'start' && n.k !== 'end' && n.k !== 'char'),
    fc.constantFrom(['*', 0, 99], ['+', 1, 99], ['?', 0, 1], ['*?', 0, 99], ['{2}', 2, 2], ['{1,2}', 1, 2], ['{2,}', 2, 99]),
  )
  .map(([node, [text, min, max]]): Node => ({ k: 'rep', node, min: min as number, max: max as number, text: text as string }));
const seq: fc.Arbitrary<Node[]> = fc.array(fc.oneof({ weight: 3, arbitrary: atom }, { weight: 2, arbitrary: quantified }), { minLength: 1, maxLength: 5 });
const pattern: fc.Arbitrary<Node[]> = fc.oneof(
  seq,
  fc.tuple(seq, fc.array(seq, { minLength: 1, maxLength: 2 }), seq).map(([a, alts, b]) => [...a, { k: 'alt', options: alts } as Node, ...b]),
);
const name = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((cs) => cs.join(''));

describe('permission patterns read as PCRE reads them', () => {
  it('agree with a PCRE-semantics reference matcher on generated patterns and names (bytes, ., $, \\s, classes, quantifiers)', () => {
    fc.assert(
      fc.property(pattern, fc.array(name, { minLength: 1, maxLength: 12 }), (nodes, names) => {
        const text = print(nodes);
        const compiled = compilePattern(text);
        for (const n of names) expect(compiled.test(n), `pattern ${JSON.stringify(text)} on ${JSON.stringify(n)}`).toBe(reference(nodes, n));
      }),
      { numRuns: 400 },
    );
  });

  it('an escaped literal, anchored, matches that name and no other', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), name, (literal, other) => {
        const p = compilePattern(`^${escapePattern(literal)}$`);
        expect(p.test(literal)).toBe(true);
        if (other !== literal && other !== `${literal}\n`) expect(p.test(other)).toBe(false);
      }),
    );
  });

  it('any text is either compiled or refused with a PatternError, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'()[]{}?*+\\^$.|-:!<>=#iPAzQE0123abc,'.split('')), maxLength: 12 }), (text) => {
        try {
          compilePattern(text);
        } catch (err) {
          expect(err).toBeInstanceOf(PatternError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the search is unanchored: a pattern found inside a longer name matches', () => {
    fc.assert(
      fc.property(name, name, fc.string({ unit: fc.constantFrom('a', 'b', 'x'), minLength: 1, maxLength: 4 }), (before, after, word) => {
        expect(compilePattern(escapePattern(word)).test(before + word + after)).toBe(true);
      }),
    );
  });
});
