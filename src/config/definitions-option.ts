/** The definitions part of the resolved Config. */
export interface DefinitionsConfig {
  readonly loadDefinitions: string | null;
}

/** RabbitMQ's load_definitions (rabbitmq.conf): a definitions file, or a directory of them, imported at every start. */
export const DEFINITIONS_OPTIONS = [
  {
    key: 'loadDefinitions',
    schema: { type: 'string', minLength: 1, nullable: true },
    default: null,
    env: 'WARREN_LOAD_DEFINITIONS',
    flag: '--load-definitions',
    arg: 'FILE|DIR',
    description:
      "A RabbitMQ definitions file (rabbitmqctl export_definitions, GET /api/definitions), or a directory of *.json files, imported at every start before the listeners open (RabbitMQ's load_definitions). " +
      'It never overwrites: users, permissions, vhosts, limits, policies, queues and exchanges that exist are left as they are, only missing ones are created. ' +
      'A file that does not import (unreadable, bad JSON, an unknown vhost or exchange type) stops the start with the reason.',
    parse: (text: string) => text,
  },
] as const;
