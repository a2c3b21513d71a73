import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { apiPath, baseUrl, call } from './client.js';
import { done, type Context } from './context.js';
import type { Runner } from './runner.js';

/*
 * export FILE / import FILE: GET and POST /api/definitions, or /api/definitions/VHOST with --vhost, as
 * rabbitmqadmin does. The document is written and sent as the API gives and takes it, byte for byte;
 * FILE `-` is stdout / stdin.
 */

function definitionsPath(ctx: Context): string {
  return ctx.vhost === undefined ? apiPath('definitions') : apiPath('definitions', ctx.vhost);
}

export function registerDefinitions(program: Command, run: Runner): void {
  program
    .command('export')
    .description('write the definitions (users, vhosts, permissions, policies, queues, exchanges, bindings) to FILE; with --vhost, that vhost only')
    .argument('<file>', 'the file, or - for stdout')
    .action(
      run(async (ctx, args) => {
        const file = args[0] ?? '-';
        const res = await call(ctx.target, 'GET', definitionsPath(ctx));
        if (file === '-') {
          ctx.out.line(res.text);
          return;
        }
        writeFileSync(file, res.text);
        done(ctx, `Exported definitions for ${baseUrl(ctx.target)} to "${file}"`);
      }),
    );

  program
    .command('import')
    .description('load definitions from FILE (a RabbitMQ or Warren export); with --vhost, a per-vhost export into that vhost')
    .argument('<file>', 'the file, or - for stdin')
    .action(
      run(async (ctx, args) => {
        const file = args[0] ?? '-';
        const text = readFileSync(file === '-' ? 0 : file, 'utf8');
        await call(ctx.target, 'POST', definitionsPath(ctx), text);
        done(ctx, `Imported definitions from "${file}" to ${baseUrl(ctx.target)}`);
      }),
    );
}
