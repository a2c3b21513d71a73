import { HttpError } from './errors.js';

/**
 * RabbitMQ's list controls: `sort` (a field, dotted for nested ones: message_stats.publish_details.rate),
 * `sort_reverse`, `columns` (comma-separated fields to keep), and pagination: `page` (from 1),
 * `page_size` (1..500, default 100), `name` with `use_regex`, answered with the paged envelope. As in
 * RabbitMQ 3.10, name filtering applies only with `page`, and both name filters ignore case.
 */
export const LIST_QUERY_SCHEMA = {
  type: 'object',
  properties: {
    page: { type: 'string' },
    page_size: { type: 'string' },
    name: { type: 'string' },
    use_regex: { type: 'string' },
    sort: { type: 'string' },
    sort_reverse: { type: 'string' },
    columns: { type: 'string' },
    // Accepted and ignored, as RabbitMQ's UI sends them.
    pagination: { type: 'string' },
    disable_stats: { type: 'string' },
    enable_queue_totals: { type: 'string' },
    lengths_age: { type: 'string' },
    lengths_incr: { type: 'string' },
    msg_rates_age: { type: 'string' },
    msg_rates_incr: { type: 'string' },
  },
  additionalProperties: false,
} as const;

export interface ListQuery {
  readonly page?: string;
  readonly page_size?: string;
  readonly name?: string;
  readonly use_regex?: string;
  readonly sort?: string;
  readonly sort_reverse?: string;
  readonly columns?: string;
}

export interface Paged<T> {
  readonly filtered_count: number;
  readonly item_count: number;
  readonly items: readonly T[];
  readonly page: number;
  readonly page_count: number;
  readonly page_size: number;
  readonly total_count: number;
}

export type Json = Record<string, unknown>;

/**
 * A whole list (no `page`), formatted on demand: `rows(from, to)` formats that slice of it.
 * routing.ts writes it as one JSON array a chunk at a time (json-stream.ts).
 */
export class ChunkedList {
  constructor(
    readonly length: number,
    readonly rows: (from: number, to: number) => Json[],
  ) {}
}

const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

/**
 * How a resource is listed: the keys (cheap: name and vhost), their formatter, and a default order.
 * A page sorted by name (the default) formats only the rows of the page, so a page of 100 of 100,000
 * queues costs 100 snapshots, not 100,000.
 */
export interface ListSource<K> {
  readonly keys: readonly K[];
  readonly nameOf: (key: K) => string;
  /** Default order; also used for sort=name / sort=vhost. */
  readonly compareKeys: (a: K, b: K) => number;
  /** Fields compareKeys orders by (a sort on one of them needs no formatting). */
  readonly keyFields: readonly string[];
  readonly format: (keys: readonly K[]) => Json[];
}

interface Paging {
  readonly page: number;
  readonly size: number;
  readonly filter: ((name: string) => boolean) | undefined;
}

function paging(q: ListQuery): Paging | undefined {
  if (q.page === undefined) return undefined;
  const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : /^-?\d+$/.test(text) ? Number(text) : NaN);
  const page = num(q.page) as number;
  const size = num(q.page_size);
  if (Number.isNaN(page) || Number.isNaN(size)) throw new HttpError(400, 'bad_request', 'Pagination parameters are invalid');
  if (page < 1 || (size !== undefined && (size < 1 || size > MAX_PAGE_SIZE))) {
    throw new HttpError(400, 'invalid_pagination_parameters', `Invalid pagination parameters: page number ${page}, page size ${size ?? 'undefined'}`);
  }
  let filter: ((name: string) => boolean) | undefined;
  if (q.name !== undefined && q.name !== '') {
    if (q.use_regex === 'true') {
      let re: RegExp;
      try {
        re = new RegExp(q.name, 'i');
      } catch {
        throw new HttpError(400, 'bad_request', 'Pagination parameters are invalid');
      }
      filter = (name) => re.test(name);
    } else {
      const needle = q.name.toLowerCase();
      filter = (name) => name.toLowerCase().includes(needle);
    }
  }
  return { page, size: size ?? DEFAULT_PAGE_SIZE, filter };
}

/** A dotted path into a formatted object. */
function valueAt(obj: Json, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Json)[part];
  }
  return v;
}

/** Erlang's term order, as RabbitMQ sorts: numbers before strings; missing values first. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Keeps the given dotted columns of each object (RabbitMQ's `columns`). */
export function pickColumns(items: readonly Json[], columns: string | undefined): Json[] {
  if (columns === undefined || columns === '') return items as Json[];
  const paths = columns.split(',').map((c) => c.trim()).filter((c) => c !== '').map((c) => c.split('.'));
  return items.map((item) => {
    const out: Json = {};
    for (const path of paths) {
      const v = valueAt(item, path);
      if (v === undefined) continue;
      let into = out;
      for (let i = 0; i < path.length - 1; i++) {
        const k = path[i] as string;
        const next = into[k];
        into = (next !== null && typeof next === 'object' ? next : (into[k] = {})) as Json;
      }
      into[path[path.length - 1] as string] = v;
    }
    return out;
  });
}

/** Sorts, filters, pages and projects a resource list as RabbitMQ's API does. */
export function listResponse<K>(source: ListSource<K>, q: ListQuery): ChunkedList | Paged<Json> {
  const p = paging(q);
  const reverse = q.sort_reverse === 'true';
  const sortBy = q.sort === undefined || q.sort === '' ? undefined : q.sort;
  let keys = source.keys;
  if (p?.filter !== undefined) keys = keys.filter((k) => (p.filter as (n: string) => boolean)(source.nameOf(k)));
  const byKey = sortBy === undefined || source.keyFields.includes(sortBy);
  let rows: Json[] | undefined;
  if (byKey) {
    const sorted = [...keys].sort(source.compareKeys);
    if (reverse) sorted.reverse();
    keys = sorted;
  } else {
    const path = (sortBy as string).split('.');
    const formatted = source.format([...keys].sort(source.compareKeys));
    rows = formatted.sort((a, b) => compareValues(valueAt(a, path), valueAt(b, path)));
    if (reverse) rows.reverse();
  }
  const total = source.keys.length;
  if (p === undefined) {
    const all = rows;
    const ordered = keys;
    // Formatted (and its columns picked) a chunk at a time as the reply is written, so the whole
    // list never sits in memory as objects and as one string; sorted by a stat, the rows exist already.
    return new ChunkedList(ordered.length, (from, to) => pickColumns(all !== undefined ? all.slice(from, to) : source.format(ordered.slice(from, to)), q.columns));
  }
  const filtered = keys.length;
  const start = (p.page - 1) * p.size;
  if (start > filtered) throw new HttpError(400, 'page_out_of_range', `Page out of range, page: ${p.page} page size: ${p.size}, len: ${filtered}`);
  const items = rows !== undefined ? rows.slice(start, start + p.size) : source.format(keys.slice(start, start + p.size));
  return {
    filtered_count: filtered,
    item_count: items.length,
    items: pickColumns(items, q.columns),
    page: p.page,
    page_count: Math.ceil(filtered / p.size),
    page_size: p.size,
    total_count: total,
  };
}
