/**
 * Why a broker could not start, and the process exit code the CLI uses for it, so a service
 * manager or a script can tell a typo from a locked data directory from a port in use.
 * 1 stays "unexpected failure"; 2 is a usage/configuration mistake, as most CLIs use it.
 */
export const STARTUP_EXIT_CODES = {
  /** An option is wrong (unknown, out of range, unreadable config file). */
  config: 2,
  /** The data directory cannot be used: permissions, read-only, not a directory, locked by another broker. */
  'data-dir': 3,
  /** A listener cannot open: address in use, no such address, privileged port. */
  listener: 4,
  /** A file in the data directory is foreign, damaged in its header or of a newer format: start refused, nothing touched. */
  'store-format': 5,
  /** --cluster-nats cannot join: no nats-server answers, it has no JetStream, or a live node has this --node-name. */
  cluster: 6,
} as const;

export type StartupFailure = keyof typeof STARTUP_EXIT_CODES;

/** A start-up failure an operator can act on; `message` is one plain-language line. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  readonly kind: StartupFailure;

  constructor(kind: StartupFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }

  get exitCode(): number {
    return STARTUP_EXIT_CODES[this.kind];
  }
}

export function isStartupError(err: unknown): err is StartupError {
  return err instanceof StartupError;
}
