/** How one option is described: the loader, --help, the README table and the JSON schema all read these. */
import type { Config } from './schema.js';
import type { UserInput } from './parsers.js';

/** Options that a config file or an embedder may also write as text with a unit (`"16MB"`, `"30m"`). */
export type WithUnits = 'loginFailureDelay' | 'heartbeat' | 'handshakeTimeout' | 'maxMessageSize' | 'consumerTimeout' | 'memoryHighWatermark' | 'diskFreeLimit';

export type InputValue<K extends keyof Config> = K extends 'users'
  ? readonly UserInput[]
  : K extends WithUnits
    ? Config[K] | number | string
    : Config[K];

/** What a config file, env, flags or an embedder may give: any subset; users' optional fields may be left out. */
export type ConfigInput = { readonly [K in keyof Config]?: InputValue<K> };

export interface OptionDef<K extends keyof Config = keyof Config> {
  readonly key: K;
  /** JSON-schema fragment for ajv; ranges live here, not in the parsers. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly default: Config[K];
  readonly env: `WARREN_${string}`;
  /** How the env value is written, when it is not a plain value. */
  readonly envFormat?: string;
  readonly flag: `--${string}`;
  /** Placeholder for the flag's value in --help. */
  readonly arg: string;
  readonly description: string;
  /** Parses one flag occurrence, and the env value unless parseEnv is given. */
  readonly parse: (text: string) => InputValue<K>;
  readonly parseEnv?: (text: string) => InputValue<K>;
  /** Repeated flags concatenate (array options); otherwise the last one wins. */
  readonly repeatable?: boolean;
  /**
   * Turns a value from a config file or an embedder into the resolved form before the schema
   * checks it (`"16MB"` -> 16000000); must return a resolved value unchanged.
   */
  readonly fromValue?: (value: unknown) => unknown;
  /** A check the JSON schema cannot express; throws a ParseError. */
  readonly refine?: (value: Config[K]) => void;
}

