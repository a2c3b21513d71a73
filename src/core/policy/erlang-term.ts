import type { PlainValue } from '../snapshots.js';

/**
 * A JSON value as Erlang's `~p` prints what rabbit_json decoded it to, so validation texts read as
 * RabbitMQ's: strings are binaries (`<<"5">>`), objects maps, numbers and booleans as they are.
 * `pairs`: the value is a list of [key, value] pairs, printed as a proplist (`[{<<"k">>,1}]`), which
 * is how RabbitMQ names unrecognised keys.
 */
export function erlangTerm(value: PlainValue | undefined | readonly (readonly [string, PlainValue])[], pairs = false): string {
  if (pairs) {
    const list = value as readonly (readonly [string, PlainValue])[];
    return `[${list.map(([k, v]) => `{${erlangTerm(k)},${erlangTerm(v)}}`).join(',')}]`;
  }
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  // rabbitmqctl 3.10 prints a binary's UTF-8 bytes one char each: "é" comes out as <<"Ã©">>.
  if (typeof value === 'string') return `<<${JSON.stringify(Buffer.from(value, 'utf8').toString('latin1'))}>>`;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : floatTerm(value); // JSON 1e21 decodes to an Erlang float
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${(value as readonly PlainValue[]).map((v) => erlangTerm(v)).join(',')}]`;
  const entries = Object.keys(value).sort();
  const table = value as Readonly<Record<string, PlainValue>>;
  return `#{${entries.map((k) => `${erlangTerm(k)} => ${erlangTerm(table[k])}`).join(',')}}`;
}

/** Erlang prints the shortest round-tripping float, always with a dot: 1.5, 1.0e21. */
function floatTerm(n: number): string {
  const s = String(n);
  if (!s.includes('e')) return s;
  const [m, e] = s.split('e') as [string, string];
  return `${m.includes('.') ? m : `${m}.0`}e${e.startsWith('+') ? e.slice(1) : e}`;
}
