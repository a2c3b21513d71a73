import type { Command } from 'commander';
import { apiPath, call, getJson, UsageError } from './client.js';
import { done, parseJsonOption, vhostOf, type Context } from './context.js';
import { flag, str, type Opts, type Runner } from './runner.js';

/*
 * declare / delete / purge / close: RabbitMQ's management API write calls, bodies as its HTTP API
 * documents them (PUT for objects, POST for bindings, DELETE with if-empty/if-unused, X-Reason on close).
 */

const DEST_CHAR = { queue: 'q', exchange: 'e' } as const;

function destinationType(opts: Opts): 'queue' | 'exchange' {
  const t = str(opts, 'destinationType') ?? 'queue';
  if (t !== 'queue' && t !== 'exchange') throw new UsageError(`--destination-type must be queue or exchange, not ${t}`);
  return t;
}

function required(opts: Opts, name: string, option: string): string {
  const v = str(opts, name);
  if (v === undefined) throw new UsageError(`${option} is required`);
  return v;
}

function bindingPath(ctx: Context, opts: Opts): string[] {
  const type = destinationType(opts);
  return ['bindings', vhostOf(ctx), 'e', required(opts, 'source', '--source'), DEST_CHAR[type], required(opts, 'destination', '--destination')];
}

function tagsOf(opts: Opts): string {
  return (str(opts, 'tags') ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '').join(',');
}

/**
 * The properties_key of the one binding between source and destination (with that routing key when
 * given): RabbitMQ's is the routing key, `~` for an empty one, plus a hash of any arguments, so it is
 * looked up rather than guessed. Several candidates need --routing-key or --properties-key.
 */
async function propertiesKey(ctx: Context, path: readonly string[], routingKey: string | undefined): Promise<string> {
  const found = (await getJson(ctx.target, apiPath(...path))) as { routing_key?: unknown; properties_key?: unknown }[];
  const candidates = found.filter((b) => routingKey === undefined || b.routing_key === routingKey);
  const only = candidates[0];
  if (candidates.length === 1 && only !== undefined && typeof only.properties_key === 'string') return only.properties_key;
  if (candidates.length === 0) return routingKey === undefined || routingKey === '' ? '~' : routingKey; // the API answers 404
  throw new UsageError(`${candidates.length} bindings match; give --routing-key or --properties-key (see list bindings)`);
}

async function declare(ctx: Context, kind: string, name: string | undefined, opts: Opts): Promise<void> {
  const t = ctx.target;
  const vhost = vhostOf(ctx);
  const arguments_ = parseJsonOption('--arguments', str(opts, 'arguments')) ?? {};
  const need = (): string => {
    if (name === undefined || name === '') throw new UsageError(`declare ${kind}: a name is required`);
    return name;
  };
  switch (kind) {
    case 'queue': {
      const type = str(opts, 'type');
      await call(t, 'PUT', apiPath('queues', vhost, need()), {
        durable: flag(opts, 'durable') ?? true,
        auto_delete: flag(opts, 'autoDelete') ?? false,
        arguments: type === undefined ? arguments_ : { ...arguments_, 'x-queue-type': type },
      });
      break;
    }
    case 'exchange':
      await call(t, 'PUT', apiPath('exchanges', vhost, need()), {
        type: str(opts, 'type') ?? 'direct',
        durable: flag(opts, 'durable') ?? true,
        auto_delete: flag(opts, 'autoDelete') ?? false,
        internal: flag(opts, 'internal') ?? false,
        arguments: arguments_,
      });
      break;
    case 'binding':
      await call(t, 'POST', apiPath(...bindingPath(ctx, opts)), { routing_key: str(opts, 'routingKey') ?? '', arguments: arguments_ });
      break;
    case 'vhost': {
      const description = str(opts, 'description');
      await call(t, 'PUT', apiPath('vhosts', need()), description === undefined ? {} : { description });
      break;
    }
    case 'user': {
      const password = str(opts, 'userPassword');
      const hash = str(opts, 'passwordHash');
      if (password === undefined && hash === undefined) throw new UsageError('declare user: --user-password or --password-hash is required');
      await call(t, 'PUT', apiPath('users', need()), { ...(password === undefined ? { password_hash: hash } : { password }), tags: tagsOf(opts) });
      break;
    }
    case 'permission':
      await call(t, 'PUT', apiPath('permissions', vhost, required(opts, 'user', '--user')), {
        configure: str(opts, 'configure') ?? '.*',
        write: str(opts, 'write') ?? '.*',
        read: str(opts, 'read') ?? '.*',
      });
      break;
    case 'policy': {
      const definition = parseJsonOption('--definition', required(opts, 'definition', '--definition'));
      const priority = str(opts, 'priority');
      if (priority !== undefined && !/^-?\d+$/.test(priority)) throw new UsageError(`--priority must be a whole number, not ${priority}`);
      const applyTo = str(opts, 'applyTo');
      await call(t, 'PUT', apiPath('policies', vhost, need()), {
        pattern: required(opts, 'pattern', '--pattern'),
        definition,
        priority: priority === undefined ? 0 : Number(priority),
        ...(applyTo === undefined ? {} : { 'apply-to': applyTo }),
      });
      break;
    }
    default:
      throw new UsageError(`Type ${kind} not recognised; one of: queue, exchange, binding, vhost, user, permission, policy`);
  }
  done(ctx, `${kind} declared`);
}

async function remove(ctx: Context, kind: string, name: string | undefined, opts: Opts): Promise<void> {
  const t = ctx.target;
  const vhost = vhostOf(ctx);
  const need = (): string => {
    if (name === undefined || name === '') throw new UsageError(`delete ${kind}: a name is required`);
    return name;
  };
  const query = (pairs: Record<string, boolean | undefined>): string => {
    const set = Object.entries(pairs).filter(([, v]) => v === true).map(([k]) => `${k}=true`);
    return set.length === 0 ? '' : '?' + set.join('&');
  };
  switch (kind) {
    case 'queue':
      await call(t, 'DELETE', apiPath('queues', vhost, need()) + query({ 'if-empty': flag(opts, 'ifEmpty'), 'if-unused': flag(opts, 'ifUnused') }));
      break;
    case 'exchange':
      await call(t, 'DELETE', apiPath('exchanges', vhost, need()) + query({ 'if-unused': flag(opts, 'ifUnused') }));
      break;
    case 'binding': {
      const path = bindingPath(ctx, opts);
      await call(t, 'DELETE', apiPath(...path, str(opts, 'propertiesKey') ?? (await propertiesKey(ctx, path, str(opts, 'routingKey')))));
      break;
    }
    case 'vhost':
      await call(t, 'DELETE', apiPath('vhosts', need()));
      break;
    case 'user':
      await call(t, 'DELETE', apiPath('users', need()));
      break;
    case 'permission':
      await call(t, 'DELETE', apiPath('permissions', vhost, required(opts, 'user', '--user')));
      break;
    case 'policy':
      await call(t, 'DELETE', apiPath('policies', vhost, need()));
      break;
    default:
      throw new UsageError(`Type ${kind} not recognised; one of: queue, exchange, binding, vhost, user, permission, policy`);
  }
  done(ctx, `${kind} deleted`);
}

export function registerObjects(program: Command, run: Runner): void {
  program
    .command('declare')
    .description('declare an object: queue NAME, exchange NAME, binding, vhost NAME, user NAME, permission, policy NAME (in --vhost, default /)')
    .argument('<kind>', 'queue | exchange | binding | vhost | user | permission | policy')
    .argument('[name]', 'the object name (not for binding and permission)')
    .option('--durable', 'queue, exchange: durable (the default)')
    .option('--no-durable', 'queue, exchange: transient')
    .option('--auto-delete', 'queue, exchange: auto-delete')
    .option('--internal', 'exchange: internal')
    .option('--type <type>', 'exchange: direct | fanout | topic | headers | ... (default direct); queue: x-queue-type (classic | quorum | stream)')
    .option('--arguments <json>', 'queue, exchange, binding: arguments as a JSON object')
    .option('--source <exchange>', 'binding: the source exchange')
    .option('--destination <name>', 'binding: the destination queue or exchange')
    .option('--destination-type <type>', 'binding: queue (default) | exchange')
    .option('--routing-key <key>', 'binding: the routing key (default "")')
    .option('--description <text>', 'vhost: its description')
    .option('--user-password <password>', "user: the user's password (--password is the caller's)")
    .option('--password-hash <hash>', 'user: a password hash instead (as in definitions)')
    .option('--tags <tags>', 'user: comma-separated tags (administrator, monitoring, policymaker, management)')
    .option('--user <name>', 'permission: the user')
    .option('--configure <regex>', 'permission: configure pattern (default .*)')
    .option('--write <regex>', 'permission: write pattern (default .*)')
    .option('--read <regex>', 'permission: read pattern (default .*)')
    .option('--pattern <regex>', 'policy: the name pattern')
    .option('--definition <json>', 'policy: the definition as a JSON object')
    .option('--priority <n>', 'policy: priority (default 0)')
    .option('--apply-to <what>', 'policy: queues | exchanges | classic_queues | quorum_queues | all')
    .action(run((ctx, args, opts) => declare(ctx, args[0] ?? '', args[1], opts)));

  program
    .command('delete')
    .description('delete an object: queue NAME, exchange NAME, binding, vhost NAME, user NAME, permission, policy NAME')
    .argument('<kind>', 'queue | exchange | binding | vhost | user | permission | policy')
    .argument('[name]', 'the object name (not for binding and permission)')
    .option('--if-empty', 'queue: only if it has no messages')
    .option('--if-unused', 'queue, exchange: only if it has no consumers / bindings')
    .option('--source <exchange>', 'binding: the source exchange')
    .option('--destination <name>', 'binding: the destination')
    .option('--destination-type <type>', 'binding: queue (default) | exchange')
    .option('--routing-key <key>', 'binding: its routing key, when several bindings join the same two')
    .option('--properties-key <key>', 'binding: its properties_key from list bindings (default: looked up)')
    .option('--user <name>', 'permission: the user')
    .action(run((ctx, args, opts) => remove(ctx, args[0] ?? '', args[1], opts)));

  program
    .command('purge')
    .description('purge a queue: DELETE /api/queues/VHOST/NAME/contents')
    .argument('<kind>', 'queue')
    .argument('<name>', 'the queue')
    .action(
      run(async (ctx, args) => {
        if (args[0] !== 'queue') throw new UsageError(`Type ${args[0] ?? ''} not recognised; only queue`);
        await call(ctx.target, 'DELETE', apiPath('queues', vhostOf(ctx), args[1] ?? '', 'contents'));
        done(ctx, 'queue purged');
      }),
    );

  program
    .command('close')
    .description('close a connection (320 CONNECTION_FORCED with the reason)')
    .argument('<kind>', 'connection')
    .argument('<name>', "the connection's name, as list connections shows it")
    .option('--reason <text>', 'the reason the client is given (X-Reason; default "Closed via management plugin")')
    .action(
      run(async (ctx, args, opts) => {
        if (args[0] !== 'connection') throw new UsageError(`Type ${args[0] ?? ''} not recognised; only connection`);
        const reason = str(opts, 'reason');
        await call(ctx.target, 'DELETE', apiPath('connections', args[1] ?? ''), undefined, reason === undefined ? {} : { 'x-reason': reason });
        done(ctx, 'connection closed');
      }),
    );
}
