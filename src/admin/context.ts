import { UsageError, type Target } from './client.js';
import type { Out, OutputOptions } from './output.js';

/** What every command gets: where the API is, the vhost (--vhost), and how to print. */
export interface Context {
  readonly target: Target;
  /** --vhost as given; undefined means "every vhost" for lists and "/" for everything else. */
  readonly vhost: string | undefined;
  readonly output: OutputOptions;
  readonly out: Out;
}

/** The vhost a declare, delete or message command acts in: --vhost, else `/` (rabbitmqadmin's declare_vhost). */
export function vhostOf(ctx: Context): string {
  return ctx.vhost ?? '/';
}

/** A confirmation line (`queue declared`), unless --quiet or json output. */
export function done(ctx: Context, text: string): void {
  if (!ctx.output.quiet && ctx.output.format !== 'json') ctx.out.line(text);
}

/** JSON text given on the command line (--arguments, --definition, ...), or a usage error naming the option. */
export function parseJsonOption(option: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${option}: could not parse JSON: ${text}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${option}: expected a JSON object, got ${text}`);
  return parsed as Record<string, unknown>;
}
