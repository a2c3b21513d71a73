import type { Context } from './context.js';

/** A subcommand's own options as commander parsed them. */
export type Opts = Readonly<Record<string, string | boolean | undefined>>;

/** A command body: the context, its positional arguments, its own options. */
export type Body = (ctx: Context, args: readonly string[], opts: Opts) => Promise<void>;

/**
 * Turns a command body into a commander action: the entry point builds the Context from the global
 * options (wherever they were given on the line) and handles every error in one place.
 */
export type Runner = (body: Body) => (...commanderArgs: unknown[]) => Promise<void>;

/** A string option, or undefined. */
export function str(opts: Opts, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag (`--durable` / `--no-durable`): undefined when neither was given. */
export function flag(opts: Opts, name: string): boolean | undefined {
  const v = opts[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** A whole number option (--count, --max): a usage error otherwise. */
export function int(opts: Opts, name: string, errorOf: (text: string) => Error): number | undefined {
  const v = str(opts, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw errorOf(`--${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a whole number, not ${v}`);
  return Number(v);
}
