import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, type ConfigInput } from '../../../src/config/load.js';

describe('resolveConfig (embedders)', () => {
  it('fills defaults, including the optional user fields', () => {
    const config = resolveConfig({ port: 0, users: [{ name: 'a', password: 'b' }] });
    expect(config.port).toBe(0);
    expect(config.heartbeat).toBe(60);
    expect(config.users).toEqual([{ name: 'a', password: 'b', loopbackOnly: false, tags: [] }]);
    expect(config.dataDir).toBe(resolve('./data'));
  });

  it('accepts an already-resolved Config and returns an equal one', () => {
    const once = resolveConfig({ port: 1, bind: ['::'], vhosts: ['/', 'x'] });
    const twice = resolveConfig(once);
    expect(twice).toEqual(once);
    expect(Object.isFrozen(twice)).toBe(true);
  });

  it('neither freezes nor changes its input', () => {
    const input = { bind: ['::1'], users: [{ name: 'a', password: 'b' }] };
    const config = resolveConfig(input);
    expect(Object.isFrozen(input.bind)).toBe(false);
    expect(input.users[0]).toEqual({ name: 'a', password: 'b' });
    input.bind.push('x');
    expect(config.bind).toEqual(['::1']);
  });

  it('treats a key set to undefined as absent', () => {
    expect(resolveConfig({ port: undefined }).port).toBe(5672);
  });

  it('fails on unknown keys with a hint, prefixed by the source when given', () => {
    const bad = { prot: 1 } as unknown as ConfigInput;
    expect(() => resolveConfig(bad)).toThrow(new ConfigError('unknown option "prot"; did you mean "port"?'));
    expect(() => resolveConfig(bad, 'startBroker()')).toThrow(
      new ConfigError('startBroker(): unknown option "prot"; did you mean "port"?'),
    );
  });

  it('fails on out-of-range values, naming the key', () => {
    expect(() => resolveConfig({ port: 65536 })).toThrow(new ConfigError('port: must be <= 65535 (got 65536)'));
    expect(() => resolveConfig({ logLevel: 'loud' as never })).toThrow(ConfigError);
  });

  it('fails on something that is not an object', () => {
    expect(() => resolveConfig(null as unknown as ConfigInput)).toThrow(
      new ConfigError('must be an object of options (got null)'),
    );
  });
});
