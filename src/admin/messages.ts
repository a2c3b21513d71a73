import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { apiPath, getJson, sendJson, UsageError } from './client.js';
import { done, parseJsonOption, vhostOf, type Context } from './context.js';
import { parseColumns } from './list.js';
import { printJson, printList } from './output.js';
import { int, str, type Opts, type Runner } from './runner.js';

/*
 * Messages: publish and get as RabbitMQ's API has them, and Warren's own browse, unacked, redrive and
 * explain (routes under the same /api/queues and /api/exchanges paths; RabbitMQ answers them 404/405).
 */

const MESSAGE_COLUMNS = ['routing_key', 'exchange', 'message_count', 'payload', 'payload_bytes', 'payload_encoding', 'redelivered'];
const BROWSE_COLUMNS = ['position', 'routing_key', 'exchange', 'payload', 'payload_bytes', 'payload_encoding', 'redelivered'];
const UNACKED_COLUMNS = ['delivery_tag', 'consumer_tag', 'channel_details.name', 'channel_details.user', 'age_ms', 'redelivered'];
const ACKMODES = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'];
const ENCODINGS = ['auto', 'base64'];

const usage = (text: string): Error => new UsageError(text);

function oneOf(opts: Opts, name: string, allowed: readonly string[], fallback: string): string {
  const v = str(opts, name) ?? fallback;
  if (!allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not ${v}`);
  return v;
}

function asList(answer: unknown): unknown[] {
  return Array.isArray(answer) ? answer : [answer];
}

async function publish(ctx: Context, opts: Opts): Promise<void> {
  const given = str(opts, 'payload');
  const encoding = oneOf(opts, 'payloadEncoding', ['string', 'base64'], 'string');
  // No --payload: the body is stdin, sent as base64 so any bytes survive (rabbitmqadmin does the same).
  const [payload, payloadEncoding] = given === undefined ? [readFileSync(0).toString('base64'), 'base64'] : [given, encoding];
  const answer = (await sendJson(ctx.target, 'POST', apiPath('exchanges', vhostOf(ctx), str(opts, 'exchange') || 'amq.default', 'publish'), {
    properties: parseJsonOption('--properties', str(opts, 'properties')) ?? {},
    routing_key: str(opts, 'routingKey') ?? '',
    payload,
    payload_encoding: payloadEncoding,
  })) as { routed?: unknown };
  if (ctx.output.format === 'json') printJson(answer, ctx.out);
  else done(ctx, answer.routed === true ? 'Message published' : 'Message published but NOT routed');
}

async function get(ctx: Context, queue: string, opts: Opts): Promise<void> {
  const truncate = int(opts, 'truncate', usage);
  const answer = await sendJson(ctx.target, 'POST', apiPath('queues', vhostOf(ctx), queue, 'get'), {
    count: int(opts, 'count', usage) ?? 1,
    ackmode: oneOf(opts, 'ackmode', ACKMODES, 'ack_requeue_true'),
    encoding: oneOf(opts, 'encoding', ENCODINGS, 'auto'),
    ...(truncate === undefined ? {} : { truncate }),
  });
  printList(asList(answer), parseColumns(str(opts, 'columns')) ?? (ctx.output.format === 'json' ? undefined : MESSAGE_COLUMNS), ctx.output, ctx.out);
}

async function browse(ctx: Context, queue: string, opts: Opts): Promise<void> {
  const query = new URLSearchParams();
  for (const name of ['from', 'count', 'truncate']) {
    const n = int(opts, name, usage);
    if (n !== undefined) query.set(name, String(n));
  }
  query.set('encoding', oneOf(opts, 'encoding', ENCODINGS, 'auto'));
  const answer = await getJson(ctx.target, `${apiPath('queues', vhostOf(ctx), queue, 'browse')}?${query.toString()}`);
  printList(asList(answer), parseColumns(str(opts, 'columns')) ?? (ctx.output.format === 'json' ? undefined : BROWSE_COLUMNS), ctx.output, ctx.out);
}

async function unacked(ctx: Context, queue: string, opts: Opts): Promise<void> {
  const answer = await getJson(ctx.target, apiPath('queues', vhostOf(ctx), queue, 'unacked'));
  printList(asList(answer), parseColumns(str(opts, 'columns')) ?? (ctx.output.format === 'json' ? undefined : UNACKED_COLUMNS), ctx.output, ctx.out);
}

async function redrive(ctx: Context, queue: string, opts: Opts): Promise<void> {
  const body: Record<string, unknown> = {};
  for (const [option, field] of [['exchange', 'exchange'], ['routingKey', 'routing_key'], ['reason', 'reason']] as const) {
    const v = str(opts, option);
    if (v !== undefined) body[field] = v;
  }
  const max = int(opts, 'max', usage);
  if (max !== undefined) body['max'] = max;
  const answer = (await sendJson(ctx.target, 'POST', apiPath('queues', vhostOf(ctx), queue, 'redrive'), body)) as { moved?: unknown };
  if (ctx.output.format === 'json') printJson(answer, ctx.out);
  else ctx.out.line(`${String(answer.moved)} message${answer.moved === 1 ? '' : 's'} moved`);
}

async function explain(ctx: Context, exchange: string, opts: Opts): Promise<void> {
  const headers = parseJsonOption('--headers', str(opts, 'headers'));
  const properties = parseJsonOption('--properties', str(opts, 'properties'));
  const answer = (await sendJson(ctx.target, 'POST', apiPath('exchanges', vhostOf(ctx), exchange || 'amq.default', 'explain'), {
    routing_key: str(opts, 'routingKey') ?? '',
    ...(headers === undefined ? {} : { headers }),
    ...(properties === undefined ? {} : { properties }),
  })) as { routed?: unknown; queues?: unknown };
  if (ctx.output.format === 'json') {
    printJson(answer, ctx.out);
    return;
  }
  const queues = Array.isArray(answer.queues) ? answer.queues : [];
  ctx.out.line(answer.routed === true ? `Routed to ${queues.length} queue${queues.length === 1 ? '' : 's'}` : 'Not routed');
  if (queues.length > 0) printList(queues, ['vhost', 'name'], ctx.output, ctx.out);
}

export function registerMessages(program: Command, run: Runner): void {
  program
    .command('publish')
    .description('publish one message through the API (POST /api/exchanges/VHOST/EXCHANGE/publish); the payload from --payload or stdin')
    .option('--exchange <name>', 'the exchange (default: the default exchange)')
    .option('--routing-key <key>', 'the routing key (default "")')
    .option('--payload <text>', 'the body; without it, stdin is read and sent as base64')
    .option('--payload-encoding <enc>', 'string (default) | base64')
    .option('--properties <json>', 'message properties as JSON, e.g. {"delivery_mode":2,"headers":{"k":"v"}}')
    .action(run((ctx, _args, opts) => publish(ctx, opts)));

  program
    .command('get')
    .description('get messages from a queue (POST /api/queues/VHOST/QUEUE/get); requeues them by default')
    .argument('<queue>', 'the queue')
    .option('--count <n>', 'how many (default 1)')
    .option('--ackmode <mode>', `${ACKMODES.join(' | ')} (default ack_requeue_true)`)
    .option('--encoding <enc>', 'auto (default: text when it is UTF-8) | base64')
    .option('--truncate <bytes>', 'cut payloads to this many bytes')
    .option('--columns <list>', 'comma-separated fields to show')
    .action(run((ctx, args, opts) => get(ctx, args[0] ?? '', opts)));

  program
    .command('browse')
    .description('Warren: read messages from a position without consuming, redelivering or reordering them')
    .argument('<queue>', 'the queue')
    .option('--from <n>', 'the first position (0 is the head)')
    .option('--count <n>', 'how many')
    .option('--encoding <enc>', 'auto (default) | base64')
    .option('--truncate <bytes>', 'cut payloads to this many bytes')
    .option('--columns <list>', 'comma-separated fields to show')
    .action(run((ctx, args, opts) => browse(ctx, args[0] ?? '', opts)));

  program
    .command('unacked')
    .description("Warren: a queue's unacknowledged deliveries, with the connection, channel and consumer holding each")
    .argument('<queue>', 'the queue')
    .option('--columns <list>', 'comma-separated fields to show')
    .action(run((ctx, args, opts) => unacked(ctx, args[0] ?? '', opts)));

  program
    .command('redrive')
    .description("Warren: move dead-lettered messages back to the queue in their x-death (or to --exchange)")
    .argument('<queue>', 'the dead-letter queue')
    .option('--exchange <name>', 'publish to this exchange instead of the x-death queue')
    .option('--routing-key <key>', 'with --exchange: the routing key (default: the original one)')
    .option('--reason <reason>', 'only messages dead-lettered for this reason (rejected | expired | maxlen | delivery_limit)')
    .option('--max <n>', 'move at most this many')
    .action(run((ctx, args, opts) => redrive(ctx, args[0] ?? '', opts)));

  program
    .command('explain')
    .description('Warren: which bindings match and which queues a message would reach, without publishing it')
    .argument('<exchange>', 'the exchange ("" or amq.default for the default one)')
    .option('--routing-key <key>', 'the routing key (default "")')
    .option('--headers <json>', 'message headers as JSON (headers exchanges)')
    .option('--properties <json>', 'other message properties as JSON')
    .action(run((ctx, args, opts) => explain(ctx, args[0] ?? '', opts)));
}
