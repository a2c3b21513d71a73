/**
 * RabbitMQ's permission patterns are PCRE (Erlang's `re`, byte mode, no options), run as an
 * unanchored search over the resource name's UTF-8 bytes. This turns such a pattern into a JS
 * RegExp that reads it the same way, or refuses it with a reason: a pattern is never accepted
 * that JS would compile but read differently, so a permission cannot silently allow or deny.
 *
 * How the two are made to agree:
 * - Both sides work on bytes: the pattern and the names are matched as latin1 strings of their
 *   UTF-8 bytes (one char per byte), so `.`, classes and quantifiers see what PCRE sees.
 * - Where PCRE and JS (without flags) differ on the same text, the construct is rewritten:
 *   `.` (PCRE: anything but \n; JS also stops at \r) becomes `[^\n]`; `$` (PCRE: the end, or
 *   before a final \n) becomes `(?=\n?$)`; `\s` (JS adds U+00A0, a byte of UTF-8 text) becomes
 *   PCRE's five-plus-space set; a brace that is not a quantifier is escaped.
 * - Everything else outside a small, common subset is refused: inline flags `(?i)`, possessive
 *   quantifiers, atomic groups, `\A` `\z` `\Z` `\G`, `\Q..\E`, comments, backreferences, POSIX
 *   classes, `\h` `\v` `\R` `\p`, verbs `(*...)`, conditionals, recursion, `(?P<`, lookbehind.
 *
 * RabbitMQ reads the empty pattern as `^$` (rabbit_auth_backend_internal): it matches only an
 * empty name, which no resource has once the default exchange is named amq.default.
 */

export class PatternError extends Error {
  readonly pattern: string;
  /** Why, without the pattern (policies word their own message around it). */
  readonly reason: string;
  constructor(pattern: string, reason: string) {
    super(`permission pattern '${pattern}' is refused: ${reason}`);
    this.name = 'PatternError';
    this.pattern = pattern;
    this.reason = reason;
  }
}

/** A compiled permission pattern: `test` is an unanchored search, as PCRE's re:run. */
export interface PermissionPattern {
  readonly source: string;
  test(name: string): boolean;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A string's UTF-8 bytes, one char per byte; ASCII strings are returned as they are. */
export function byteString(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

const PCRE_SPACE = '\\t\\n\\v\\f\\r ';
const PCRE_NOT_SPACE = '\\x00-\\x08\\x0e-\\x1f\\x21-\\xff';
/** PCRE's largest repeat count. */
const MAX_REPEAT = 65535;

/** Letters whose escape means the same in PCRE and in JS without the u flag. */
const SAME_ESCAPES = new Set(['d', 'D', 'w', 'W', 'b', 'B', 'n', 't', 'r', 'f']);

const REFUSED_ESCAPES: Readonly<Record<string, string>> = {
  A: '\\A (start of subject) is PCRE only; use ^',
  z: '\\z (end of subject) is PCRE only; use $ (which, as in PCRE, also matches before a final newline)',
  Z: '\\Z is PCRE only; use $',
  G: '\\G is PCRE only',
  Q: '\\Q...\\E quoting is PCRE only; escape each character with a backslash',
  E: '\\E is PCRE only',
  h: '\\h (horizontal space) is PCRE only; use [ \\t]',
  H: '\\H is PCRE only',
  v: 'PCRE reads \\v as any vertical space, JS as the VT character; write the characters',
  V: '\\V is PCRE only',
  R: '\\R (any newline) is PCRE only',
  X: '\\X is PCRE only',
  C: '\\C is PCRE only',
  K: '\\K is PCRE only',
  N: '\\N is PCRE only',
  p: 'Unicode properties (\\p) are not supported: PCRE matches bytes here',
  P: 'Unicode properties (\\P) are not supported',
  g: 'backreferences (\\g) are not supported',
  k: 'named backreferences (\\k) are not supported',
  e: '\\e is PCRE only; use \\x1b',
  a: '\\a is PCRE only; use \\x07',
  c: 'control escapes (\\c) are not supported; use \\xhh',
  o: '\\o{...} is PCRE only; use \\xhh',
};

/** Compiles a RabbitMQ permission pattern; throws PatternError when JS would not read it as PCRE does. */
export function compilePattern(pattern: string): PermissionPattern {
  const source = pattern === '' ? '^$' : pattern;
  const js = translate(pattern, byteString(source));
  let re: RegExp;
  try {
    re = new RegExp(js);
  } catch (err) {
    throw new PatternError(pattern, `not a valid regular expression (${(err as Error).message})`);
  }
  return {
    source: pattern,
    test: (name: string) => re.test(byteString(name)),
  };
}

/** The reason a pattern is refused, or undefined when it is accepted. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (err) {
    if (err instanceof PatternError) return err.message;
    throw err;
  }
}

/** A literal text as a pattern that matches exactly it (for tests and callers building patterns). */
export function escapePattern(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** The PCRE pattern (as bytes) as JS source; throws PatternError. */
function translate(original: string, p: string): string {
  const refuse = (reason: string): never => {
    throw new PatternError(original, reason);
  };
  let out = '';
  let i = 0;
  /** Whether the previous token can take a quantifier. */
  let quantifiable = false;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '\\') {
      const { js, next } = escape(p, i, false, refuse);
      out += js;
      i = next;
      quantifiable = true;
      continue;
    }
    if (c === '[') {
      const { js, next } = charClass(p, i, refuse);
      out += js;
      i = next;
      quantifiable = true;
      continue;
    }
    if (c === '(') {
      const { js, next } = groupOpen(p, i, refuse);
      out += js;
      i = next;
      quantifiable = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || (c === '{' && braceQuantifier(p, i) !== undefined)) {
      if (!quantifiable) refuse(`the quantifier '${c}' at offset ${i} has nothing to repeat`);
      let next = i + 1;
      if (c === '{') {
        const q = braceQuantifier(p, i) as { text: string; max: number };
        if (q.max > MAX_REPEAT) refuse(`a repeat count above ${MAX_REPEAT} (PCRE's limit)`);
        next = i + q.text.length;
        out += q.text;
      } else {
        out += c;
      }
      if (p[next] === '+') refuse(`possessive quantifiers ('${p.slice(i, next + 1)}') are PCRE only`);
      if (p[next] === '?') {
        out += '?';
        next++;
      }
      if (p[next] === '*' || p[next] === '+' || p[next] === '?' || (p[next] === '{' && braceQuantifier(p, next) !== undefined)) {
        refuse(`a quantifier follows a quantifier at offset ${next}`);
      }
      i = next;
      quantifiable = false;
      continue;
    }
    i++;
    if (c === '.') out += '[^\\n]';
    else if (c === '$') out += '(?=\\n?$)';
    else if (c === '{' || c === '}') out += `\\${c}`; // not a quantifier: literal in both, said explicitly
    else if (c === ')' || c === '|' || c === '^') out += c;
    else out += literal(c);
    quantifiable = c !== '|' && c !== '^' && c !== '$';
  }
  return out;
}

/** `{n}`, `{n,}`, `{n,m}` at i (PCRE 8's forms; `{,m}` is literal there), or undefined. */
function braceQuantifier(p: string, i: number): { text: string; max: number } | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 16));
  if (m === null) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? min : Number(m[3]);
  return { text: m[0], max: Math.max(min, max) };
}

/** A literal byte as JS source: bytes above 0x7e and controls as \xhh, so the source stays plain. */
function literal(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20 || code > 0x7e) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}

function escape(p: string, i: number, inClass: boolean, refuse: (reason: string) => never): { js: string; next: number } {
  const e = p[i + 1];
  if (e === undefined) return refuse('the pattern ends with a lone backslash');
  if (e === 's') return { js: inClass ? PCRE_SPACE : `[${PCRE_SPACE}]`, next: i + 2 };
  if (e === 'S') return { js: inClass ? PCRE_NOT_SPACE : `[${PCRE_NOT_SPACE}]`, next: i + 2 };
  if (e === 'x') {
    if (/^[0-9a-fA-F]{2}$/.test(p.slice(i + 2, i + 4))) return { js: p.slice(i, i + 4), next: i + 4 };
    return refuse('write a \\x escape with exactly two hex digits (\\xhh)');
  }
  if (e >= '0' && e <= '9') return refuse('backreferences and octal escapes (\\digit) are not supported; use \\xhh for a byte');
  if (SAME_ESCAPES.has(e)) {
    if (inClass && (e === 'B')) return refuse('\\B inside a character class means different things in PCRE and JS');
    return { js: `\\${e}`, next: i + 2 };
  }
  const reason = REFUSED_ESCAPES[e];
  if (reason !== undefined) return refuse(reason);
  if (/[A-Za-z]/.test(e)) return refuse(`the escape \\${e} is not supported`);
  // An escaped non-alphanumeric is that character, in both.
  return { js: /[\\^$.|?*+()[\]{}/-]/.test(e) ? `\\${e}` : literal(e), next: i + 2 };
}

function charClass(p: string, start: number, refuse: (reason: string) => never): { js: string; next: number } {
  let i = start + 1;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  if (p[i] === ']') refuse("a ']' first in a character class is a member in PCRE but closes the class in JS; write \\]");
  while (i < p.length) {
    const c = p[i] as string;
    if (c === ']') return { js: out + ']', next: i + 1 };
    if (c === '\\') {
      const { js, next } = escape(p, i, true, refuse);
      out += js;
      i = next;
      continue;
    }
    if (c === '[') refuse("'[' inside a character class (POSIX classes such as [:alpha:]) is not supported; write \\[");
    out += c === '-' || c === '^' ? c : literal(c);
    i++;
  }
  return refuse(`the character class opened at offset ${start} is not closed`);
}

function groupOpen(p: string, i: number, refuse: (reason: string) => never): { js: string; next: number } {
  if (p[i + 1] === '*') return refuse('PCRE verbs and start options such as (*UTF8) are not supported');
  if (p[i + 1] !== '?') return { js: '(', next: i + 1 };
  const rest = p.slice(i + 2, i + 4);
  if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) return { js: p.slice(i, i + 3), next: i + 3 };
  if (rest === '<=' || rest === '<!') return refuse('lookbehind is not supported (PCRE allows only fixed-length lookbehind, JS any)');
  if (rest.startsWith('<')) {
    const m = /^\(\?<([A-Za-z_][A-Za-z0-9_]{0,31})>/.exec(p.slice(i, i + 40));
    if (m === null) return refuse('a named group must be (?<name> with a name of letters, digits and _');
    return { js: m[0], next: i + m[0].length };
  }
  if (rest.startsWith('>')) return refuse('atomic groups (?>...) are PCRE only');
  if (rest.startsWith('#')) return refuse('comments (?#...) are PCRE only');
  if (rest.startsWith('|')) return refuse('branch-reset groups (?|...) are PCRE only');
  if (rest.startsWith('P') || rest.startsWith("'")) return refuse("named groups must be written (?<name>...); (?P<name> and (?'name' are PCRE only");
  if (rest.startsWith('(')) return refuse('conditional groups (?(...) are PCRE only');
  if (/^[0-9R+&-]/.test(rest) && !/^-[a-zA-Z]/.test(rest)) return refuse('recursion and subroutine calls are PCRE only');
  return refuse('inline options such as (?i) are PCRE only; write the alternatives out, e.g. [Aa]');
}
