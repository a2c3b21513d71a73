import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeadersRoutingTable } from '../../../src/core/exchange/headers.js';
import type { FieldTable, FieldValue } from '../../../src/protocol/field-table.js';

/**
 * The reference, written from RabbitMQ's rabbit_exchange_type_headers + mc_amqpl:routing_headers rather than
 * from our code: each value becomes the Erlang term RabbitMQ compares (=:=), printed canonically. At the top
 * level the type tag is gone (integers, floats, binaries, atoms, tuples); inside arrays and tables the tags
 * stay and tables keep their order.
 */
function erlang(v: FieldValue): string {
  switch (v.type) {
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'timestamp':
      return `int:${BigInt(v.value)}`;
    case 'float':
    case 'double':
      return `float:${v.value === 0 ? 0 : v.value}`;
    case 'string':
      return `bin:${Buffer.from(v.value).toString('hex')}`;
    case 'bytes':
      return `bin:${v.value.toString('hex')}`;
    case 'bool':
      return `atom:${v.value}`;
    case 'void':
      return 'atom:undefined';
    case 'decimal':
      return `tuple:{${v.value.scale},${v.value.value}}`;
    case 'array':
      return `list:[${v.value.map((e) => `{${e.type},${erlang(e)}}`).join(',')}]`;
    case 'table':
      return `list:[${Object.entries(v.value)
        .map(([k, e]) => `{${JSON.stringify(k)},${e.type},${erlang(e)}}`)
        .join(',')}]`;
  }
}

function referenceMatch(args: FieldTable, headers: FieldTable | undefined): boolean {
  const xm = args['x-match']?.value as string | undefined;
  const mode = xm ?? 'all';
  const withX = mode.endsWith('-with-x');
  const keys = Object.keys(args).filter((k) => k !== 'x-match' && (withX || !k.startsWith('x-')));
  const ok = (k: string): boolean => {
    if (headers === undefined || !Object.hasOwn(headers, k)) return false;
    const p = args[k]!;
    return p.type === 'void' || erlang(p) === erlang(headers[k]!);
  };
  return mode.startsWith('any') ? keys.some(ok) : keys.every(ok);
}

// Small domains, so that keys and values collide across types often.
const num = fc.integer({ min: -1, max: 2 });
const scalar: fc.Arbitrary<FieldValue> = fc.oneof(
  num.map((value) => ({ type: 'int8', value }) as const),
  num.map((value) => ({ type: 'int32', value }) as const),
  fc.integer({ min: 0, max: 2 }).map((value) => ({ type: 'uint16', value }) as const),
  num.map((value) => ({ type: 'int64', value: BigInt(value) }) as const),
  num.map((value) => ({ type: 'int64', value }) as const),
  fc.integer({ min: 0, max: 2 }).map((value) => ({ type: 'timestamp', value }) as const),
  fc.constantFrom(0, 0.5, 1, -0).map((value) => ({ type: 'double', value }) as const),
  fc.constantFrom(0, 0.5, 1).map((value) => ({ type: 'float', value }) as const),
  fc.constantFrom('', 'p', 'q', 'é').map((value) => ({ type: 'string', value }) as const),
  fc.constantFrom('', 'p', 'é').map((s) => ({ type: 'bytes', value: Buffer.from(s) }) as const),
  fc.constant({ type: 'bytes', value: Buffer.from([0xff]) } as const),
  fc.boolean().map((value) => ({ type: 'bool', value }) as const),
  fc.constant({ type: 'void', value: null } as const),
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }))
    .map(([scale, value]) => ({ type: 'decimal', value: { scale, value } }) as const),
);
const value: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }).map((value) => ({ type: 'array', value }) as const) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('m', 'n'), scalar), { maxLength: 2 })
      .map((es) => ({ type: 'table', value: Object.fromEntries(es) }) as const),
  },
);
const key = fc.constantFrom('a', 'b', 'c', 'x-a', 'x-b', 'constructor');
const table = fc.array(fc.tuple(key, value), { maxLength: 4 }).map((es) => Object.fromEntries(es) as FieldTable);
const bindingArgs = fc
  .tuple(table, fc.option(fc.constantFrom('all', 'any', 'all-with-x', 'any-with-x'), { nil: undefined }))
  .map(([t, mode]): FieldTable => (mode === undefined ? t : { ...t, 'x-match': { type: 'string', value: mode } }));
const headers = fc.option(table, { nil: undefined });

describe('headers routing against the reference', () => {
  it('routes each message to exactly the bindings the reference matches, in all four x-match modes', () => {
    fc.assert(
      fc.property(
        fc.array(bindingArgs, { minLength: 1, maxLength: 12 }),
        fc.array(headers, { minLength: 1, maxLength: 12 }),
        (argsList, messages) => {
          const t = new HeadersRoutingTable<number>();
          argsList.forEach((args, i) => t.bind(i, '', args));
          for (const h of messages) {
            const out: number[] = [];
            t.route('', h, out);
            const want = argsList.flatMap((args, i) => (referenceMatch(args, h) ? [i] : []));
            expect(out.sort((x, y) => x - y)).toEqual(want);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a message whose headers are the binding arguments themselves matches under all (x- keys included)', () => {
    fc.assert(
      fc.property(bindingArgs, (args) => {
        const t = new HeadersRoutingTable<string>();
        t.bind('q', '', args);
        const out: string[] = [];
        t.route('', args, out);
        expect(out).toEqual(referenceMatch(args, args) ? ['q'] : []);
        const mode = args['x-match']?.value;
        if (mode === undefined || mode === 'all' || mode === 'all-with-x') expect(out).toEqual(['q']);
      }),
      { numRuns: 300 },
    );
  });
});
