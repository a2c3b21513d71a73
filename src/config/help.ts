import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, ENV_PREFIX, OPTIONS, type MemoryWatermark, type OptionDef, type User } from './schema.js';
import { DURATION_UNITS_SHOWN, SIZE_UNITS, SIZE_UNITS_SHOWN } from './units.js';

const WIDTH = 100;
const INDENT = 30;

/** A default as a user would type it on the command line. */
export function formatDefault(option: OptionDef): string {
  const value: unknown = option.default;
  if (option.key === 'users') {
    return (value as readonly User[])
      .map((user) => `${user.name}:${user.password ?? 'hash:…'}${user.loopbackOnly ? ' (loopback only)' : ''}`)
      .join(', ');
  }
  if (option.key === 'permissions' && value === null) return 'full, every user on every vhost';
  if (option.key === 'memoryHighWatermark') {
    const watermark = value as MemoryWatermark;
    return 'relative' in watermark ? String(watermark.relative) : String(watermark.absolute);
  }
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  if (option.arg.endsWith('|SIZE') && typeof value === 'number') return withUnit(value);
  return String(value);
}

/** 134217728 -> `134217728 (128MiB)`: the largest unit that divides the size exactly. */
function withUnit(bytes: number): string {
  const units: readonly [string, number][] = [
    ['TiB', SIZE_UNITS['tib']!], ['TB', SIZE_UNITS['tb']!], ['GiB', SIZE_UNITS['gib']!], ['GB', SIZE_UNITS['gb']!],
    ['MiB', SIZE_UNITS['mib']!], ['MB', SIZE_UNITS['mb']!], ['KiB', SIZE_UNITS['kib']!], ['kB', SIZE_UNITS['kb']!],
  ];
  const fit = units.find(([, size]) => bytes >= size && bytes % size === 0);
  return fit === undefined ? String(bytes) : `${bytes} (${bytes / fit[1]}${fit[0]})`;
}

/** How sizes and durations may be written; shown in --help and under the README's table. */
export function unitsText(): string {
  return (
    `Sizes: bytes, or a number with a unit: ${SIZE_UNITS_SHOWN}, as RabbitMQ reads them; case is ignored; ` +
    `k, M, G alone are refused (RabbitMQ 3 and 4 read them differently). Durations: the option's own unit, ` +
    `or a number with a unit: ${DURATION_UNITS_SHOWN} (30s, 5m, 1.5h).`
  );
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function entry(left: string, text: string): string {
  const body = wrap(text, WIDTH - INDENT);
  const pad = ' '.repeat(INDENT);
  const first = left.length < INDENT - 1 ? left.padEnd(INDENT) + (body.shift() ?? '') : `${left}\n${pad}${body.shift() ?? ''}`;
  return [first, ...body.map((l) => pad + l)].join('\n');
}

/** Every option with its flag, env var, file key, default and description. */
export function helpText(): string {
  const options = (OPTIONS as readonly OptionDef[]).map((option) => {
    const env = option.envFormat === undefined ? option.env : `${option.env} (${option.envFormat})`;
    const where = `Env ${env}; file key "${option.key}"; default ${formatDefault(option)}.`;
    return entry(`  ${option.flag} ${option.arg}`, `${option.description} ${where}`);
  });
  return [
    'Usage: warren [options]',
    '',
    'Warren, an AMQP 0-9-1 message broker.',
    '',
    ...wrap(
      'Every option can be given as a flag, an environment variable, or a key in a JSON config file. ' +
        'A flag beats the environment, which beats the file, which beats the default.',
      WIDTH,
    ),
    '',
    'Options:',
    ...options,
    entry(`  ${CONFIG_FILE_FLAG} FILE`, `JSON config file with any of the keys above. Env ${CONFIG_FILE_ENV}.`),
    entry('  -h, --help', 'Print this help and exit.'),
    entry('  -V, --version', 'Print the version and exit.'),
    '',
    ...wrap(unitsText(), WIDTH),
    '',
    ...wrap(
      `An unknown flag or config-file key is an error. An unknown ${ENV_PREFIX}* environment variable is ` +
        "logged as a warning with the closest known name, and Kubernetes' service variables for a Service " +
        `named warren (${ENV_PREFIX}SERVICE_HOST, ${ENV_PREFIX}PORT=tcp://..., ...) are ignored with one warning.`,
      WIDTH,
    ),
    '',
  ].join('\n');
}
