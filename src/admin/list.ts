import { apiPath, getJson, UsageError } from './client.js';
import type { Context } from './context.js';
import { printList } from './output.js';

/** A listable kind: its API path, whether --vhost narrows it to `/api/<path>/<vhost>`, and its default table columns. */
interface Listable {
  readonly path: string;
  readonly perVhost: boolean;
  readonly columns: readonly string[];
}

/** rabbitmqadmin's listables and a few more columns where they help; `overview` is rabbitmqadmin's `show overview`. */
export const LISTABLES = {
  queues: { path: 'queues', perVhost: true, columns: ['vhost', 'name', 'type', 'messages', 'consumers'] },
  exchanges: { path: 'exchanges', perVhost: true, columns: ['vhost', 'name', 'type'] },
  bindings: { path: 'bindings', perVhost: true, columns: ['vhost', 'source', 'destination', 'destination_type', 'routing_key'] },
  connections: { path: 'connections', perVhost: false, columns: ['name', 'user', 'channels'] },
  channels: { path: 'channels', perVhost: false, columns: ['name', 'user'] },
  consumers: { path: 'consumers', perVhost: true, columns: ['queue.vhost', 'queue.name', 'consumer_tag', 'channel_details.name', 'ack_required', 'prefetch_count'] },
  users: { path: 'users', perVhost: false, columns: ['name', 'tags'] },
  vhosts: { path: 'vhosts', perVhost: false, columns: ['name', 'messages'] },
  permissions: { path: 'permissions', perVhost: false, columns: ['user', 'vhost', 'configure', 'write', 'read'] },
  policies: { path: 'policies', perVhost: true, columns: ['vhost', 'name', 'pattern', 'apply-to', 'priority', 'definition'] },
  nodes: { path: 'nodes', perVhost: false, columns: ['name', 'type', 'mem_used'] },
  overview: { path: 'overview', perVhost: false, columns: ['rabbitmq_version', 'cluster_name', 'queue_totals.messages', 'object_totals.queues'] },
} as const satisfies Record<string, Listable>;

export type ListableName = keyof typeof LISTABLES;

export function isListable(name: string): name is ListableName {
  return Object.hasOwn(LISTABLES, name);
}

/** Comma-separated --columns, trimmed; undefined when not given. */
export function parseColumns(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const cols = text.split(',').map((c) => c.trim()).filter((c) => c !== '');
  return cols.length === 0 ? undefined : cols;
}

/**
 * `list KIND`: GET /api/KIND (or /api/KIND/VHOST), with `columns=` when --columns is given, as
 * rabbitmqadmin asks. The table shows --columns, else the kind's default columns (every field in json).
 */
export async function list(ctx: Context, kind: string, columnsText: string | undefined): Promise<void> {
  if (!isListable(kind)) throw new UsageError(`Don't know how to list ${kind}; one of: ${Object.keys(LISTABLES).join(', ')}`);
  const spec: Listable = LISTABLES[kind];
  const columns = parseColumns(columnsText);
  let path = spec.perVhost && ctx.vhost !== undefined ? apiPath(spec.path, ctx.vhost) : apiPath(spec.path);
  if (columns !== undefined) path += `?columns=${encodeURIComponent(columns.join(','))}`;
  const answer = await getJson(ctx.target, path);
  const items = Array.isArray(answer) ? answer : [answer];
  printList(items, columns ?? (ctx.output.format === 'json' ? undefined : spec.columns), ctx.output, ctx.out);
}
