/*
 * Output of warren-admin: an ASCII table as rabbitmqadmin's (`+---+` bars, headers centred, cells
 * left-aligned), tab-separated values with a header line, or the API's JSON, pretty-printed.
 */

export type Format = 'table' | 'json' | 'tsv';
export const FORMATS: readonly Format[] = ['table', 'json', 'tsv'];

/** Where a command writes: stdout and stderr by default, a buffer in tests of the formatting. */
export interface Out {
  line(text: string): void;
}

export interface OutputOptions {
  readonly format: Format;
  /** --quiet: no header line in tsv, no "... declared" confirmations. */
  readonly quiet: boolean;
}

/** Columns shown first when a list shows every field (rabbitmqadmin's PROMOTE_COLUMNS). */
const PROMOTE = ['vhost', 'name', 'type', 'source', 'destination', 'destination_type', 'routing_key'];

/** A dotted path (`message_stats.publish`) in an object; undefined where any step is missing. */
export function pick(item: unknown, column: string): unknown {
  let v: unknown = item;
  for (const step of column.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/** A value as one cell: strings as they are, lists of strings joined by spaces, other structures as JSON. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  return JSON.stringify(v);
}

/** Every top-level field of the items whose values are not objects (rabbitmqadmin's depth 1), promoted first, the rest sorted. */
export function allColumns(items: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    for (const [k, v] of Object.entries(item)) if (v === null || typeof v !== 'object' || Array.isArray(v)) seen.add(k);
  }
  const rank = (c: string): number => (PROMOTE.includes(c) ? PROMOTE.indexOf(c) : PROMOTE.length);
  return [...seen].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function table(rows: readonly (readonly string[])[], out: Out): void {
  const header = rows[0];
  if (header === undefined) return;
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const bar = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const row = (r: readonly string[], centre: boolean): string =>
    '|' + widths.map((w, i) => ' ' + (centre ? centred(r[i] ?? '', w) : (r[i] ?? '').padEnd(w)) + ' ').join('|') + '|';
  out.line(bar);
  out.line(row(header, true));
  out.line(bar);
  for (const r of rows.slice(1)) out.line(row(r, false));
  out.line(bar);
}

/** Python's `{:^w}`: extra space goes to the right. */
function centred(s: string, w: number): string {
  const left = Math.floor((w - s.length) / 2);
  return ' '.repeat(Math.max(0, left)) + s.padEnd(w - Math.max(0, left));
}

/**
 * A list of objects in the chosen format. Columns: the given ones, else every scalar field. In json the
 * items are printed as the API returned them (already cut to `columns` when the API was asked to).
 */
export function printList(items: readonly unknown[], columns: readonly string[] | undefined, o: OutputOptions, out: Out): void {
  if (o.format === 'json') {
    out.line(JSON.stringify(items, null, 2));
    return;
  }
  const cols = columns !== undefined && columns.length > 0 ? [...columns] : allColumns(items);
  const rows = items.map((item) => cols.map((c) => cell(pick(item, c))));
  if (o.format === 'tsv') {
    if (!o.quiet) out.line(cols.join('\t'));
    for (const r of rows) out.line(r.join('\t'));
    return;
  }
  if (rows.length === 0) {
    if (!o.quiet) out.line('No items');
    return;
  }
  table([cols, ...rows], out);
}

/** One JSON answer (publish, redrive, explain) in json format; otherwise the command prints its own summary. */
export function printJson(value: unknown, out: Out): void {
  out.line(JSON.stringify(value, null, 2));
}
