#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, ConnectError, targetFrom, UsageError, type TargetOptions } from './client.js';
import type { Context } from './context.js';
import { registerDefinitions } from './definitions.js';
import { LISTABLES, list } from './list.js';
import { registerMessages } from './messages.js';
import { registerObjects } from './objects.js';
import { FORMATS, type Format, type Out } from './output.js';
import type { Opts, Runner } from './runner.js';

/*
 * warren-admin: a command-line client of the management HTTP API, after RabbitMQ's rabbitmqadmin (same
 * defaults: localhost:15672, guest/guest; same error texts), for Warren and for RabbitMQ alike. It is the
 * top layer of src/: it imports nothing of the broker and only talks HTTP (test/unit/admin/layer.test.ts).
 *
 * Exit codes: 0 done; 1 the API refused (`*** reason`) or the command line is wrong; 2 the API could not
 * be reached.
 */

const EXIT = { ok: 0, failed: 1, unreachable: 2 } as const;

interface GlobalOptions extends TargetOptions {
  readonly vhost?: string;
  readonly format: Format;
  readonly quiet?: boolean;
}

function version(): string {
  // dist/src/admin/cli.js or src/admin/cli.ts: the package.json above, whichever it is.
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  }
  return 'unknown';
}

function buildProgram(out: Out, err: Out, setExit: (code: number) => void): Command {
  const program = new Command('warren-admin');
  program
    .description("Manage Warren (or RabbitMQ) through its management HTTP API, as rabbitmqadmin does")
    .version(version(), '--version')
    .option('-H, --host <host>', 'management API host', 'localhost')
    .option('-P, --port <port>', 'management API port', '15672')
    .option('-u, --username <name>', 'user name', 'guest')
    .option('-p, --password <password>', 'password', 'guest')
    .option('-V, --vhost <vhost>', 'virtual host (lists: every vhost by default; everything else: /)')
    .option('-U, --url <url>', 'the API base URL, e.g. http://guest:guest@127.0.0.1:15672 (wins over --host/--port/--username/--password)')
    .option('--path-prefix <prefix>', 'a path before /api (a proxy in front of the API)')
    .option('-s, --tls', 'use https')
    .option('--cacert <file>', 'CA certificates (PEM) to verify the server with; implies --tls')
    .option('-k, --insecure', 'with https, do not verify the server certificate')
    .option('-t, --timeout <seconds>', 'request timeout', '120')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-q, --quiet', 'no header line in tsv, no confirmations')
    .showHelpAfterError('(warren-admin --help for help)');

  const run: Runner = (body) => async (...commanderArgs) => {
    const cmd = commanderArgs[commanderArgs.length - 1] as Command;
    const g = cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const positional = commanderArgs.slice(0, -2).map((a) => (typeof a === 'string' ? a : ''));
    try {
      const ctx: Context = {
        target: targetFrom(g),
        vhost: g.vhost,
        output: { format: g.format, quiet: g.quiet === true },
        out,
      };
      await body(ctx, positional, cmd.opts<Opts>());
    } catch (e) {
      if (e instanceof UsageError) {
        err.line(`ERROR: ${e.message}`);
        err.line('warren-admin --help for help');
        setExit(EXIT.failed);
      } else if (e instanceof ApiError) {
        err.line(`*** ${e.message}`);
        setExit(EXIT.failed);
      } else if (e instanceof ConnectError) {
        err.line(`*** ${e.message}`);
        setExit(EXIT.unreachable);
      } else {
        err.line(`*** ${e instanceof Error ? e.message : String(e)}`);
        setExit(EXIT.failed);
      }
    }
  };

  program
    .command('list')
    .description(`list objects: ${Object.keys(LISTABLES).join(', ')}`)
    .argument('<kind>', Object.keys(LISTABLES).join(' | '))
    .option('-c, --columns <list>', 'comma-separated fields to show (dotted for nested ones: message_stats.publish)')
    .action(run((ctx, args, opts) => list(ctx, args[0] ?? '', typeof opts['columns'] === 'string' ? opts['columns'] : undefined)));
  registerObjects(program, run);
  registerMessages(program, run);
  registerDefinitions(program, run);
  return program;
}

async function main(): Promise<void> {
  const out: Out = { line: (text) => void process.stdout.write(text + '\n') };
  const err: Out = { line: (text) => void process.stderr.write(text + '\n') };
  const program = buildProgram(out, err, (code) => (process.exitCode = code));
  program.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    // commander has printed its message (unknown command, missing argument, --help, --version).
    process.exitCode = e instanceof CommanderError ? e.exitCode : EXIT.failed;
  }
}

await main();
