import { entriesParser, entryParser } from './parsers.js';

/** One configured vhost's metadata and limits: RabbitMQ's add_vhost --description --tags --default-queue-type and set_vhost_limits. */
/** The resolved config's key: seeded with the vhosts, at the first start only. */
export interface VhostSettingsSeed {
  readonly vhostSettings: readonly VhostSettingsConfig[];
}

export interface VhostSettingsConfig {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly defaultQueueType?: string;
  readonly limits?: { readonly maxConnections?: number; readonly maxQueues?: number };
}

const ENTRY_SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    defaultQueueType: { type: 'string', enum: ['classic', 'quorum'] },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { maxConnections: { type: 'integer' }, maxQueues: { type: 'integer' } },
    },
  },
} as const;

const FIELDS = '"name","description","tags","defaultQueueType","limits":{"maxConnections","maxQueues"}';

/**
 * Vhost metadata and limits set at the first start, as the vhosts themselves are: after that the
 * definitions log holds them (broker.updateVhost changes them).
 */
export const VHOST_SETTINGS_OPTIONS = [
  {
    key: 'vhostSettings',
    schema: { type: 'array', items: ENTRY_SCHEMA },
    default: [],
    env: 'WARREN_VHOST_SETTINGS',
    envFormat: 'JSON array',
    flag: '--vhost-settings',
    arg: 'JSON',
    description:
      'Metadata and limits of configured vhosts, set at the first start (a new data directory): {name, description, ' +
      "tags, defaultQueueType, limits: {maxConnections, maxQueues}}, as RabbitMQ's add_vhost and set_vhost_limits " +
      '(a negative limit is none). The vhost must be one of vhosts. After that the definitions log holds them; repeatable.',
    parse: entryParser<VhostSettingsConfig>(FIELDS),
    parseEnv: entriesParser<VhostSettingsConfig>(FIELDS),
    repeatable: true,
  },
] as const;
