import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, ENV_PREFIX, OPTIONS, type OptionDef, type User } from './schema.js';

const WIDTH = 100;
const INDENT = 30;

/** A default as a user would type it on the command line. */
export function formatDefault(option: OptionDef): string {
  const value: unknown = option.default;
  if (option.key === 'users') {
    return (value as readonly User[])
      .map((user) => `${user.name}:${user.password}${user.loopbackOnly ? ' (loopback only)' : ''}`)
      .join(', ');
  }
  if (Array.isArray(value)) return value.join(',');
  return String(value);
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
    '',
    ...wrap(
      `An unknown option is an error, wherever it is given: that includes any ${ENV_PREFIX}* environment ` +
        `variable other than the ones above and ${CONFIG_FILE_ENV}, so a typo cannot be silently ignored.`,
      WIDTH,
    ),
    '',
  ].join('\n');
}
