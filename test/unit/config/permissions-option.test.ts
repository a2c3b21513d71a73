import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../../src/config/load.js';

function load(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): Config {
  const result = loadConfig({
    argv,
    env,
    cwd: '/srv',
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  });
  if (result.help || result.version === true) throw new Error('unexpected help or version');
  return result.config;
}

function failure(argv: string[], env: Record<string, string> = {}): string {
  try {
    load(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const topic = (exchange: string, write: string, read = '.*') => ({ user: 'app', vhost: '/', exchange, write, read });

describe('topicPermissions (config file, env, CLI)', () => {
  it('takes one JSON object per --topic-permission, repeatable, in order', () => {
    const config = load([
      '--topic-permission', JSON.stringify(topic('amq.topic', '^{username}\\.')),
      '--topic-permission', JSON.stringify(topic('events', '', '^a\\.')),
    ]);
    expect(config.topicPermissions).toEqual([topic('amq.topic', '^{username}\\.'), topic('events', '', '^a\\.')]);
  });

  it('takes a JSON array from WARREN_TOPIC_PERMISSIONS and the file key topicPermissions', () => {
    expect(load([], { WARREN_TOPIC_PERMISSIONS: JSON.stringify([topic('amq.topic', 'x')]) }).topicPermissions).toEqual([topic('amq.topic', 'x')]);
    const files = { '/srv/w.json': JSON.stringify({ topicPermissions: [topic('t', '', '')] }) };
    expect(load(['--config', 'w.json'], {}, files).topicPermissions).toEqual([topic('t', '', '')]);
  });

  it('is empty by default (no topic permissions: every key is allowed, as in RabbitMQ)', () => {
    expect(load([]).topicPermissions).toEqual([]);
  });

  it('refuses malformed entries with the option named', () => {
    expect(failure(['--topic-permission', '{"user":"app"'])).toContain('--topic-permission: expected a JSON object {"user","vhost","exchange","write","read"}');
    expect(failure(['--topic-permission', JSON.stringify({ user: 'app', vhost: '/', write: '', read: '' })])).toBe('--topic-permission[0]: missing "exchange"');
    expect(failure(['--topic-permission', JSON.stringify({ ...topic('x', ''), configure: '' })])).toBe('--topic-permission[0]: unknown property "configure"');
    expect(failure([], { WARREN_TOPIC_PERMISSIONS: JSON.stringify(topic('x', '')) })).toContain('expected a JSON array');
  });
});
