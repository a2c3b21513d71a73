import { parseInteger } from './parsers.js';

/**
 * Limits on a message's content header, so that decoding a publish costs bounded time and a held
 * message bounded memory whatever a client sends (the robustness issue's amplification findings).
 * The defaults are generous for real clients: a 17,000-entry table is still accepted.
 */
export const CONTENT_LIMIT_OPTIONS = [
  {
    key: 'maxHeaderTableEntries',
    schema: { type: 'integer', minimum: 1 },
    default: 50000,
    env: 'WARREN_MAX_HEADER_TABLE_ENTRIES',
    flag: '--max-header-table-entries',
    arg: 'N',
    description:
      'Most entries a message\'s headers table may hold, counting nested tables and arrays; a publish over it closes the connection (SYNTAX_ERROR).',
    parse: parseInteger,
  },
  {
    key: 'maxHeaderTableDepth',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
    default: 32,
    env: 'WARREN_MAX_HEADER_TABLE_DEPTH',
    flag: '--max-header-table-depth',
    arg: 'N',
    description: 'Deepest nesting of tables and arrays in a message\'s headers; a publish over it closes the connection (SYNTAX_ERROR).',
    parse: parseInteger,
  },
  {
    key: 'maxPropertiesSize',
    schema: { type: 'integer', minimum: 2 },
    default: 1048576,
    env: 'WARREN_MAX_PROPERTIES_SIZE',
    flag: '--max-properties-size',
    arg: 'BYTES',
    description:
      'Largest content-header property list (headers included) a message may carry, in bytes; also bounded by frame_max. A publish over it closes the connection (SYNTAX_ERROR).',
    parse: parseInteger,
  },
] as const;
