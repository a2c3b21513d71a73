import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig, type Config, type ConfigInput } from '../../../src/config/load.js';

/** loadConfig with a config file at /srv/warren.json when `fileConfig` is given. */
function load(argv: string[] = [], env: Record<string, string> = {}, fileConfig?: unknown): Config {
  const files: Record<string, string> = fileConfig === undefined ? {} : { '/srv/warren.json': JSON.stringify(fileConfig) };
  const result = loadConfig({
    argv: fileConfig === undefined ? argv : ['--config', 'warren.json', ...argv],
    env,
    cwd: '/srv',
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
  });
  if (result.help || result.version === true) throw new Error('unexpected help or version');
  return result.config;
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('sizes: bytes, or RabbitMQ units (kB/MB/GB powers of 1000, KiB/MiB/GiB powers of 1024)', () => {
  it.each([
    ['1000', 1000],
    ['16MB', 16_000_000],
    ['16mb', 16_000_000],
    ['1 kB', 1000],
    ['1GB', 1e9],
    ['1.5GB', 1.5e9],
    ['64MiB', 64 * 2 ** 20],
    ['64mib', 64 * 2 ** 20],
    ['2GiB', 2 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['100B', 100],
  ])('--disk-free-limit %s = %d bytes', (text, bytes) => {
    expect(load(['--disk-free-limit', text]).diskFreeLimit).toBe(bytes);
  });

  it('reads --disk-free-limit, its env var and the file (number or string) alike', () => {
    expect(load(['--disk-free-limit', '1GB']).diskFreeLimit).toBe(1e9);
    expect(load([], { WARREN_DISK_FREE_LIMIT: '2GiB' }).diskFreeLimit).toBe(2 ** 31);
    expect(load([], {}, { diskFreeLimit: '500MB' }).diskFreeLimit).toBe(500e6);
    expect(load([], {}, { diskFreeLimit: 1234 }).diskFreeLimit).toBe(1234);
    expect(resolveConfig({ maxMessageSize: '16MB' }).maxMessageSize).toBe(16e6);
  });

  it('refuses k/M/G alone (RabbitMQ 3 and 4 disagree on them), unknown units and fractions of a byte', () => {
    expect(failure(() => load(['--max-message-size', '16M']))).toBe(
      '--max-message-size: "M" means 1000 or 1024 depending on the RabbitMQ version in "16M"; write bytes or a ' +
        'number with a unit, e.g. 16MB or 512MiB (units: B, kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024))',
    );
    expect(failure(() => load(['--disk-free-limit', '1XB']))).toMatch(/^--disk-free-limit: unknown unit "XB" in "1XB"; write bytes/);
    expect(failure(() => load(['--disk-free-limit', 'lots']))).toMatch(/^--disk-free-limit: not a size: "lots"; write bytes/);
    expect(failure(() => load(['--disk-free-limit', '1.5B']))).toBe('--disk-free-limit: not a whole number of bytes: "1.5B"');
    expect(failure(() => load([], {}, { maxMessageSize: '16M' }))).toMatch(
      /^config file \/srv\/warren.json: maxMessageSize: "M" means 1000 or 1024/,
    );
  });

  it('still checks the range after the unit', () => {
    expect(failure(() => load(['--max-message-size', '1GiB']))).toBe(
      '--max-message-size: must be <= 536870912 (got 1073741824)',
    );
  });
});

describe('memory high-watermark: a fraction or a size', () => {
  it('reads a fraction and absolute sizes', () => {
    expect(load(['--memory-high-watermark', '0.4']).memoryHighWatermark).toEqual({ relative: 0.4 });
    expect(load(['--memory-high-watermark', '1']).memoryHighWatermark).toEqual({ relative: 1 });
    expect(load(['--memory-high-watermark', '2GB']).memoryHighWatermark).toEqual({ absolute: 2e9 });
    expect(load([], { WARREN_MEMORY_HIGH_WATERMARK: '512MiB' }).memoryHighWatermark).toEqual({ absolute: 512 * 2 ** 20 });
    expect(load([], {}, { memoryHighWatermark: 0.5 }).memoryHighWatermark).toEqual({ relative: 0.5 });
    expect(load([], {}, { memoryHighWatermark: '2GB' }).memoryHighWatermark).toEqual({ absolute: 2e9 });
  });

  it('refuses a bare number above 1, which used to mean bytes, with a hint, from every source', () => {
    const hint =
      "a bare number above 1 is ambiguous (got 2): write a fraction of the machine's memory such as 0.4, or a size " +
      'with a unit such as 2GB or 512MiB';
    expect(failure(() => load(['--memory-high-watermark', '2']))).toBe(`--memory-high-watermark: ${hint}`);
    expect(failure(() => load([], { WARREN_MEMORY_HIGH_WATERMARK: '2' }))).toBe(`WARREN_MEMORY_HIGH_WATERMARK: ${hint}`);
    expect(failure(() => load([], {}, { memoryHighWatermark: 2 }))).toBe(
      `config file /srv/warren.json: memoryHighWatermark: ${hint}`,
    );
    expect(failure(() => resolveConfig({ memoryHighWatermark: 2 }))).toBe(`memoryHighWatermark: ${hint}`);
  });

  it('refuses zero, negative and absurdly small absolute values', () => {
    expect(failure(() => load(['--memory-high-watermark', '0']))).toBe(
      '--memory-high-watermark.relative: must be > 0 (got 0)',
    );
    expect(failure(() => load(['--memory-high-watermark', '100kB']))).toBe(
      '--memory-high-watermark.absolute: must be >= 1048576 (got 100000)',
    );
  });

  it('passes a resolved value back through resolveConfig unchanged', () => {
    const once = resolveConfig({ memoryHighWatermark: '2GB' });
    expect(resolveConfig(once).memoryHighWatermark).toEqual({ absolute: 2e9 });
    expect(resolveConfig({ memoryHighWatermark: { relative: 0.3 } } as ConfigInput).memoryHighWatermark).toEqual({ relative: 0.3 });
  });
});

describe('durations: the option unit when bare, or ms-style units', () => {
  it('--heartbeat is seconds bare, and takes whole-second durations', () => {
    expect(load(['--heartbeat', '5']).heartbeat).toBe(5);
    expect(load(['--heartbeat', '5s']).heartbeat).toBe(5);
    expect(load(['--heartbeat', '1m']).heartbeat).toBe(60);
    expect(load([], {}, { heartbeat: '10s' }).heartbeat).toBe(10);
    expect(failure(() => load(['--heartbeat', '1500ms']))).toBe('--heartbeat: not a whole number of seconds: "1500ms"');
  });

  it('--consumer-timeout and --handshake-timeout are milliseconds bare', () => {
    expect(load(['--consumer-timeout', '30m']).consumerTimeout).toBe(1_800_000);
    expect(load(['--consumer-timeout', '2500']).consumerTimeout).toBe(2500);
    expect(load([], { WARREN_HANDSHAKE_TIMEOUT: '10s' }).handshakeTimeout).toBe(10_000);
    expect(load([], {}, { consumerTimeout: '1h' }).consumerTimeout).toBe(3_600_000);
  });

  it('refuses what is not a duration', () => {
    expect(failure(() => load(['--consumer-timeout', 'soon']))).toBe(
      '--consumer-timeout: not a duration: "soon"; write milliseconds or a number with a unit, e.g. 5s, 30m (units: ms, s, m, h, d)',
    );
    expect(failure(() => load(['--heartbeat', '-5s']))).toBe('--heartbeat: must be >= 0 (got -5)');
  });
});

describe('--bind takes IP addresses', () => {
  const hint = ': write IPv4 or IPv6 addresses such as 127.0.0.1, ::1, 0.0.0.0 (every IPv4 interface) or :: (every interface)';

  it('refuses an address that is not an IP, saying what a valid one looks like', () => {
    expect(failure(() => load(['--bind', '999.1.1.1']))).toBe(`--bind: "999.1.1.1" is not an IP address${hint}`);
    expect(failure(() => load([], { WARREN_BIND: 'localhost' }))).toBe(`WARREN_BIND: "localhost" is not an IP address${hint}`);
  });

  it('says to use commas when addresses are separated by a space', () => {
    expect(failure(() => load([], {}, { bind: ['127.0.0.1 ::1'] }))).toBe(
      `config file /srv/warren.json: bind: "127.0.0.1 ::1" is not an IP address; separate several addresses with commas${hint}`,
    );
    expect(failure(() => resolveConfig({ bind: ['127.0.0.1 ::1'] }))).toMatch(/^bind: "127.0.0.1 ::1" is not an IP address/);
  });
});

describe('Kubernetes service variables', () => {
  // Exactly what Kubernetes injects into every pod of a namespace with a Service named warren.
  const injected = {
    WARREN_SERVICE_HOST: '10.0.0.1',
    WARREN_SERVICE_PORT: '5672',
    WARREN_SERVICE_PORT_AMQP: '5672',
    WARREN_PORT: 'tcp://10.0.0.1:5672',
    WARREN_PORT_5672_TCP: 'tcp://10.0.0.1:5672',
    WARREN_PORT_5672_TCP_ADDR: '10.0.0.1',
    WARREN_PORT_5672_TCP_PORT: '5672',
    WARREN_PORT_5672_TCP_PROTO: 'tcp',
  };

  it('are ignored with one warning naming them, and WARREN_PORT=tcp://... is not a bad port', () => {
    const result = loadConfig({ argv: [], env: injected, cwd: '/srv' });
    if (result.help || result.version === true) throw new Error('unexpected');
    expect(result.config.port).toBe(5672);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^ignoring 8 Kubernetes service variables \(WARREN_PORT, WARREN_PORT_5672_TCP, /);
    expect(result.warnings[0]).toContain('a Service named warren');
  });

  it('leave a real WARREN_PORT and other options working beside them', () => {
    expect(load([], { ...injected, WARREN_PORT: '5800', WARREN_HEARTBEAT: '5s' })).toMatchObject({ port: 5800, heartbeat: 5 });
    expect(failure(() => load([], { WARREN_PORT: 'amqp' }))).toBe('WARREN_PORT: not an integer: "amqp"');
  });
});

describe('--version and --log-format', () => {
  it('--version asks for the version instead of a config', () => {
    expect(loadConfig({ argv: ['--port', '1', '--version'], env: {} })).toEqual({ help: false, version: true });
    expect(loadConfig({ argv: ['-V'], env: {} })).toEqual({ help: false, version: true });
  });

  it('--log-format takes json, pretty or auto', () => {
    expect(load(['--log-format', 'pretty']).logFormat).toBe('pretty');
    expect(failure(() => load(['--log-format', 'xml']))).toBe('--log-format: must be one of auto, json, pretty (got "xml")');
  });
});
