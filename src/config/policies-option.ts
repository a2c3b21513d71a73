import { entriesParser, entryParser } from './parsers.js';

/** One policy as RabbitMQ's definitions file has it (`policies` / `operator_policies` entries). */
export interface PolicyConfig {
  readonly vhost: string;
  readonly name: string;
  readonly pattern: string;
  readonly 'apply-to'?: 'queues' | 'exchanges' | 'classic_queues' | 'quorum_queues' | 'all';
  readonly priority?: number;
  readonly definition: Readonly<Record<string, unknown>>;
}

/** The shape only: keys and values are validated as rabbitmqctl set_policy does, before start (a ConfigError). */
const ENTRY_SCHEMA = {
  type: 'object',
  required: ['vhost', 'name', 'pattern', 'definition'],
  additionalProperties: false,
  properties: {
    vhost: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1 },
    pattern: { type: 'string' },
    'apply-to': { type: 'string' },
    priority: { type: 'number' },
    definition: { type: 'object' },
  },
} as const;

const FIELDS = '"vhost","name","pattern","apply-to","priority","definition"';

const option = <K extends string, E extends string, F extends string>(key: K, env: E, flag: F, what: string) =>
  ({
    key,
    schema: { type: 'array', items: ENTRY_SCHEMA },
    default: [],
    env,
    envFormat: 'JSON array',
    flag,
    arg: 'JSON',
    description:
      `${what} set at the first start (a new data directory), in RabbitMQ's definitions shape {vhost, name, pattern, ` +
      "apply-to, priority, definition}; validated as rabbitmqctl validates them, the vhost one of vhosts. After that the " +
      'definitions log holds them; repeatable.',
    parse: entryParser<PolicyConfig>(FIELDS),
    parseEnv: entriesParser<PolicyConfig>(FIELDS),
    repeatable: true,
  }) as const;

export const POLICY_OPTIONS = [
  option('policies', 'WARREN_POLICIES', '--policy', "Policies (rabbitmqctl set_policy)"),
  option('operatorPolicies', 'WARREN_OPERATOR_POLICIES', '--operator-policy', 'Operator policies (rabbitmqctl set_operator_policy)'),
] as const;
