import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, loadConfig, type Config } from '../../../src/config/load.js';
import { OPTIONS } from '../../../src/config/schema.js';

type LoadOpts = Parameters<typeof loadConfig>[0];

/** loadConfig with a fake file system: `files` maps absolute paths to contents. */
function load(argv: string[] = [], env: Record<string, string> = {}, files: Record<string, string> = {}): Config {
  const result = loadConfig({ argv, env, cwd: '/srv', readFile: readerFor(files) });
  if (result.help || result.version === true) throw new Error('unexpected help or version');
  return result.config;
}

function readerFor(files: Record<string, string>): NonNullable<LoadOpts['readFile']> {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

/** The warnings loadConfig returns beside the config. */
function warnings(env: Record<string, string>, files: Record<string, string> = {}): readonly string[] {
  const result = loadConfig({ argv: [], env, cwd: '/srv', readFile: readerFor(files) });
  if (result.help || result.version === true) throw new Error('unexpected help or version');
  return result.warnings;
}

/** The ConfigError message load() throws. */
function failure(argv: string[] = [], env: Record<string, string> = {}, files: Record<string, string> = {}): string {
  try {
    load(argv, env, files);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const file = (config: unknown): Record<string, string> => ({ '/srv/warren.json': JSON.stringify(config) });
const withFile = ['--config', 'warren.json'];

describe('managementPort', () => {
  it('defaults to 15672 for the CLI, takes a port or off from a flag and env', () => {
    expect(load().managementPort).toBe(15672);
    expect(load(['--management-port', '0']).managementPort).toBe(0);
    expect(load(['--management-port', 'off']).managementPort).toBe(false);
    expect(load([], { WARREN_MANAGEMENT_PORT: 'off' }).managementPort).toBe(false);
    expect(failure(['--management-port', 'on'])).toMatch(/management-port/);
    expect(failure(['--management-port', '70000'])).toMatch(/managementPort|management-port/);
  });
});

describe('prometheusPort and prometheusHost', () => {
  it('default to 15692 on 127.0.0.1 for the CLI, take a port or off and an address from flags and env', () => {
    expect(load().prometheusPort).toBe(15692);
    expect(load().prometheusHost).toBe('127.0.0.1');
    expect(load(['--prometheus-port', '0']).prometheusPort).toBe(0);
    expect(load(['--prometheus-port', 'off']).prometheusPort).toBe(false);
    expect(load([], { WARREN_PROMETHEUS_PORT: 'off', WARREN_PROMETHEUS_HOST: '0.0.0.0' })).toMatchObject({ prometheusPort: false, prometheusHost: '0.0.0.0' });
    expect(failure(['--prometheus-port', 'on'])).toMatch(/prometheus-port/);
    expect(failure(['--prometheus-port', '70000'])).toMatch(/prometheusPort|prometheus-port/);
  });
});

describe('management TLS options', () => {
  it('take a port and files from flags and env, the files resolved against cwd; the amqps files serve by default', () => {
    const own = load(['--management-tls-port', '15671', '--management-tls-cert', 'm.pem', '--management-tls-key', 'm.key'], { WARREN_MANAGEMENT_TLS_CA: 'ca.pem', WARREN_MANAGEMENT_TLS_KEY_PASSPHRASE: 's' });
    expect([own.managementTlsPort, own.managementTlsCert, own.managementTlsKey, own.managementTlsCa, own.managementTlsKeyPassphrase]).toEqual([15671, '/srv/m.pem', '/srv/m.key', '/srv/ca.pem', 's']);
    const shared = load(['--management-tls-port', '15671', '--tls-port', '5671', '--tls-cert', 'a.pem', '--tls-key', 'a.key']);
    expect([shared.managementTlsPort, shared.managementTlsCert, shared.managementTlsKey]).toEqual([15671, null, null]);
  });

  it('refuse combinations that cannot serve, naming the fix', () => {
    expect(failure(['--management-tls-cert', 'm.pem'])).toMatch(/managementTlsCert set but managementTlsPort \(--management-tls-port\) is not/);
    expect(failure(['--management-tls-port', '15671'])).toMatch(/give managementTlsCert and managementTlsKey/);
    expect(failure(['--management-tls-port', '15671', '--management-tls-key', 'm.key'])).toMatch(/go together/);
    expect(failure(['--management-tls-port', '15672', '--management-tls-cert', 'm.pem', '--management-tls-key', 'm.key'])).toMatch(/managementTlsPort and managementPort are both 15672/);
  });
});

describe('defaults', () => {
  it('fills every option from the schema, dataDir resolved against cwd', () => {
    expect(load()).toEqual({
      port: 5672,
      bind: ['127.0.0.1', '::1'],
      dataDir: '/srv/data',
      frameMax: 131072,
      channelMax: 2047,
      heartbeat: 60,
      handshakeTimeout: 10000,
      maxMessageSize: 134217728,
      maxHeaderTableEntries: 50000,
      maxHeaderTableDepth: 32,
      maxPropertiesSize: 1048576,
      tlsPort: null,
      tlsCert: null,
      tlsKey: null,
      tlsKeyPassphrase: null,
      tlsCa: null,
      tlsVerifyPeer: false,
      tlsFailIfNoPeerCert: false,
      tlsMinVersion: 'TLSv1.2',
      tlsCiphers: null,
      tlsHonorCipherOrder: false,
      tlsSaslExternal: false,
      tlsCertLoginFrom: 'distinguished_name',
      tlsCertLoginSanType: 'dns',
      tlsCertLoginSanIndex: 0,
      managementPort: 15672,
      prometheusPort: 15692,
      prometheusHost: '127.0.0.1',
      clusterNats: [],
      clusterNodeName: '',
      clusterQuorumReplicas: 3,
      clusterQuorumAckWait: 10000,
      managementTlsPort: null,
      managementTlsCert: null,
      managementTlsKey: null,
      managementTlsKeyPassphrase: null,
      managementTlsCa: null,
      maxConnections: 10000,
      consumerTimeout: 1800000,
      users: [{ name: 'guest', password: 'guest', loopbackOnly: true, tags: ['administrator'] }],
      loginFailureDelay: 3000,
      vhosts: ['/'],
      permissions: null,
      topicPermissions: [],
      vhostSettings: [],
      loadDefinitions: null,
      policies: [],
      operatorPolicies: [],
      logLevel: 'info',
      logFormat: 'auto',
      fsync: 'always',
      memoryHighWatermark: { relative: 0.4 },
      diskFreeLimit: 50000000,
      forceRecovery: false,
    });
  });

  it('ignores environment variables without the WARREN_ prefix', () => {
    expect(load([], { PATH: '/bin', PORT: '1', warren_port: '2' }).port).toBe(5672);
  });
});

describe('sources', () => {
  it('reads flags, in both --flag value and --flag=value form', () => {
    const config = load(['--port', '1234', '--heartbeat=0', '--log-level', 'debug', '--data-dir', 'var/w']);
    expect(config).toMatchObject({ port: 1234, heartbeat: 0, logLevel: 'debug', dataDir: '/srv/var/w' });
  });

  it('reads every option from its env var', () => {
    const config = load([], {
      WARREN_PORT: '1',
      WARREN_BIND: '0.0.0.0',
      WARREN_DATA_DIR: '/d',
      WARREN_FRAME_MAX: '4096',
      WARREN_CHANNEL_MAX: '3',
      WARREN_HEARTBEAT: '4',
      WARREN_HANDSHAKE_TIMEOUT: '500',
      WARREN_MAX_MESSAGE_SIZE: '6',
      WARREN_MAX_HEADER_TABLE_ENTRIES: '7',
      WARREN_MAX_HEADER_TABLE_DEPTH: '8',
      WARREN_MAX_PROPERTIES_SIZE: '9',
      WARREN_MAX_CONNECTIONS: '7',
      WARREN_CONSUMER_TIMEOUT: '0',
      WARREN_LOGIN_FAILURE_DELAY: '0',
      WARREN_USERS: '[{"name":"a","password":"b"}]',
      WARREN_VHOSTS: '/,prod',
      WARREN_PERMISSIONS: '[{"user":"u","vhost":"prod","configure":"","write":"^x","read":".*"}]',
      WARREN_TOPIC_PERMISSIONS: '[{"user":"u","vhost":"prod","exchange":"amq.topic","write":"^u\\\\.","read":""}]',
      WARREN_VHOST_SETTINGS: '[{"name":"prod","limits":{"maxQueues":5}}]',
      WARREN_LOAD_DEFINITIONS: '/etc/warren/definitions.json',
      WARREN_POLICIES: '[{"vhost":"prod","name":"p","pattern":"^q","definition":{"max-length":3}}]',
      WARREN_OPERATOR_POLICIES: '[{"vhost":"prod","name":"o","pattern":"","apply-to":"queues","priority":1,"definition":{"message-ttl":5}}]',
      WARREN_CLUSTER_NATS: 'nats://a:4222,nats://b:4222',
      WARREN_CLUSTER_NODE_NAME: 'n1',
      WARREN_CLUSTER_QUORUM_REPLICAS: '2',
      WARREN_CLUSTER_QUORUM_ACK_WAIT: '3000',
      WARREN_LOG_LEVEL: 'warn',
      WARREN_LOG_FORMAT: 'json',
      WARREN_FSYNC: 'never',
      WARREN_MEMORY_HIGH_WATERMARK: '0.25',
      WARREN_DISK_FREE_LIMIT: '1000',
      WARREN_FORCE_RECOVERY: 'true',
    });
    expect(config).toEqual({
      port: 1,
      bind: ['0.0.0.0'],
      dataDir: '/d',
      frameMax: 4096,
      channelMax: 3,
      heartbeat: 4,
      handshakeTimeout: 500,
      maxMessageSize: 6,
      maxHeaderTableEntries: 7,
      maxHeaderTableDepth: 8,
      maxPropertiesSize: 9,
      tlsPort: null,
      tlsCert: null,
      tlsKey: null,
      tlsKeyPassphrase: null,
      tlsCa: null,
      tlsVerifyPeer: false,
      tlsFailIfNoPeerCert: false,
      tlsMinVersion: 'TLSv1.2',
      tlsCiphers: null,
      tlsHonorCipherOrder: false,
      tlsSaslExternal: false,
      tlsCertLoginFrom: 'distinguished_name',
      tlsCertLoginSanType: 'dns',
      tlsCertLoginSanIndex: 0,
      managementPort: 15672,
      prometheusPort: 15692,
      prometheusHost: '127.0.0.1',
      clusterNats: ['nats://a:4222', 'nats://b:4222'],
      clusterNodeName: 'n1',
      clusterQuorumReplicas: 2,
      clusterQuorumAckWait: 3000,
      managementTlsPort: null,
      managementTlsCert: null,
      managementTlsKey: null,
      managementTlsKeyPassphrase: null,
      managementTlsCa: null,
      maxConnections: 7,
      consumerTimeout: 0,
      loginFailureDelay: 0,
      users: [{ name: 'a', password: 'b', loopbackOnly: false, tags: [] }],
      vhosts: ['/', 'prod'],
      permissions: [{ user: 'u', vhost: 'prod', configure: '', write: '^x', read: '.*' }],
      topicPermissions: [{ user: 'u', vhost: 'prod', exchange: 'amq.topic', write: '^u\\.', read: '' }],
      vhostSettings: [{ name: 'prod', limits: { maxQueues: 5 } }],
      loadDefinitions: '/etc/warren/definitions.json',
      policies: [{ vhost: 'prod', name: 'p', pattern: '^q', definition: { 'max-length': 3 } }],
      operatorPolicies: [{ vhost: 'prod', name: 'o', pattern: '', 'apply-to': 'queues', priority: 1, definition: { 'message-ttl': 5 } }],
      logLevel: 'warn',
      logFormat: 'json',
      fsync: 'never',
      memoryHighWatermark: { relative: 0.25 },
      diskFreeLimit: 1000,
      forceRecovery: true,
    });
  });

  it('a boolean flag stands alone or takes true/false', () => {
    expect(load(['--force-recovery']).forceRecovery).toBe(true);
    expect(load(['--force-recovery', '--port', '1'])).toMatchObject({ forceRecovery: true, port: 1 });
    expect(load(['--force-recovery', 'false']).forceRecovery).toBe(false);
    expect(load(['--force-recovery=true']).forceRecovery).toBe(true);
    expect(failure(['--force-recovery=maybe'])).toContain('--force-recovery: expected true or false');
  });

  it('reads a JSON file named by --config, relative to cwd', () => {
    const config = load(withFile, {}, file({ port: 7, bind: ['::'], dataDir: 'data2' }));
    expect(config).toMatchObject({ port: 7, bind: ['::'], dataDir: '/srv/data2' });
  });

  it('reads the file named by WARREN_CONFIG; --config wins over it', () => {
    const files = { '/etc/a.json': '{"port": 1}', '/etc/b.json': '{"port": 2}' };
    expect(load([], { WARREN_CONFIG: '/etc/a.json' }, files).port).toBe(1);
    expect(load(['--config', '/etc/b.json'], { WARREN_CONFIG: '/etc/a.json' }, files).port).toBe(2);
  });
});

describe('precedence: CLI > env > file > default', () => {
  const files = file({ port: 1, bind: ['10.0.0.1'] });
  it.each<{ argv: string[]; env: Record<string, string>; expected: number }>([
    { argv: ['--port', '3'], env: { WARREN_PORT: '2' }, expected: 3 },
    { argv: [], env: { WARREN_PORT: '2' }, expected: 2 },
    { argv: [], env: {}, expected: 1 },
  ])('port = $expected', ({ argv, env, expected }) => {
    expect(load([...withFile, ...argv], env, files).port).toBe(expected);
  });

  it('uses the default when no source sets the key', () => {
    expect(load(withFile, {}, file({ heartbeat: 5 })).port).toBe(5672);
  });

  it('replaces a list from a weaker source instead of appending to it', () => {
    expect(load([...withFile, '--bind', '::1'], { WARREN_BIND: '10.0.0.2' }, files).bind).toEqual(['::1']);
    expect(load(withFile, { WARREN_BIND: '10.0.0.2' }, files).bind).toEqual(['10.0.0.2']);
  });
});

describe('--bind', () => {
  it('accepts repeated flags, comma-separated lists and both together', () => {
    expect(load(['--bind', '0.0.0.0']).bind).toEqual(['0.0.0.0']);
    expect(load(['--bind', '127.0.0.1, ::1']).bind).toEqual(['127.0.0.1', '::1']);
    expect(load(['--bind', '10.0.0.1', '--bind=::,0.0.0.0']).bind).toEqual(['10.0.0.1', '::', '0.0.0.0']);
  });

  it('rejects empty items and empty lists', () => {
    expect(failure(['--bind', 'a,,b'])).toBe('--bind: empty item in comma-separated list: "a,,b"');
    expect(failure([], { WARREN_BIND: '' })).toBe('WARREN_BIND: empty item in comma-separated list: ""');
    expect(failure(withFile, {}, file({ bind: [] }))).toBe('config file /srv/warren.json: bind: must not be empty');
  });
});

describe('--policy and --operator-policy', () => {
  it('take one JSON policy in the definitions shape each, repeatable; a wrong shape fails with the fields', () => {
    const p = (name: string) => `{"vhost":"/","name":"${name}","pattern":"^x","definition":{"max-length":1}}`;
    expect(load(['--policy', p('a'), '--policy', p('b')]).policies.map((x) => x.name)).toEqual(['a', 'b']);
    expect(load(['--operator-policy', p('o')]).operatorPolicies).toEqual([{ vhost: '/', name: 'o', pattern: '^x', definition: { 'max-length': 1 } }]);
    expect(failure(['--policy', '{"vhost":"/","name":"a","definition":{}}'])).toContain('pattern');
  });
});

describe('--user', () => {
  it('replaces the default guest user; the password may contain colons', () => {
    expect(load(['--user', 'app:s3:cr:et']).users).toEqual([
      { name: 'app', password: 's3:cr:et', loopbackOnly: false, tags: [] },
    ]);
  });

  it('makes a user named guest loopback-only unless told otherwise, as RabbitMQ does', () => {
    expect(load(['--user', 'guest:other']).users).toEqual([{ name: 'guest', password: 'other', loopbackOnly: true, tags: [] }]);
    const file = load([], { WARREN_USERS: '[{"name":"guest","password":"g","loopbackOnly":false}]' });
    expect(file.users[0]?.loopbackOnly).toBe(false);
  });

  it('is repeatable', () => {
    expect(load(['--user', 'a:1', '--user', 'b:']).users.map((u) => [u.name, u.password])).toEqual([
      ['a', '1'],
      ['b', ''],
    ]);
  });

  it('needs name:password with a non-empty name', () => {
    // The value is not echoed: it holds a password.
    const shape = '--user: expected NAME:PASSWORD or NAME:hash:ALGO:BASE64 (value not shown: it holds a password)';
    expect(failure(['--user', 'admin'])).toBe(shape);
    expect(failure(['--user', ':pw'])).toBe(shape);
  });

  it('takes a password hash as NAME:hash:ALGO:BASE64', () => {
    expect(load(['--user', 'ops:hash:sha512:AAAA']).users).toEqual([{ name: 'ops', passwordHash: 'AAAA', hashingAlgorithm: 'sha512', loopbackOnly: false, tags: [] }]);
    expect(failure(['--user', 'ops:hash:sha1:AAAA'])).toBe('--user: user "ops": expected NAME:hash:ALGO:BASE64 with ALGO one of sha256, sha512, md5');
  });

  it('takes full user objects from WARREN_USERS and the file', () => {
    const users = [{ name: 'ops', password: 'x', loopbackOnly: true, tags: ['administrator'] }];
    expect(load([], { WARREN_USERS: JSON.stringify(users) }).users).toEqual(users);
    expect(load(withFile, {}, file({ users })).users).toEqual(users);
  });

  it('rejects WARREN_USERS that is not a JSON array of users', () => {
    expect(failure([], { WARREN_USERS: 'guest:guest' })).toMatch(/^WARREN_USERS: invalid JSON: /);
    expect(failure([], { WARREN_USERS: '{"name":"a"}' })).toMatch(/^WARREN_USERS: expected a JSON array/);
    expect(failure([], { WARREN_USERS: '[{"name":"a"}]' })).toBe(
      'WARREN_USERS: user "a": give exactly one of "password" or "passwordHash" ("passwordHash": "" makes a passwordless user)',
    );
  });
});

describe('--vhost', () => {
  it('keeps commas in a flag value (a vhost name may contain one) but splits the env var', () => {
    expect(load(['--vhost', 'a,b', '--vhost', '/']).vhosts).toEqual(['a,b', '/']);
    expect(load([], { WARREN_VHOSTS: 'a, b' }).vhosts).toEqual(['a', 'b']);
  });
});

describe('unknown options', () => {
  it('fails on an unknown flag, suggesting the closest one', () => {
    expect(failure(['--prot', '1'])).toBe('unknown option --prot; did you mean --port?');
    expect(failure(['--frame_max', '1'])).toBe('unknown option --frame_max; did you mean --frame-max?');
    expect(failure(['--verbose'])).toBe('unknown option --verbose');
  });

  it('warns about an unknown WARREN_* env var with a suggestion, and starts anyway', () => {
    expect(warnings({ WARREN_PROT: '1' })).toEqual(['ignoring unknown environment variable WARREN_PROT; did you mean WARREN_PORT?']);
    expect(warnings({ WARREN_FOO: '1', WARREN_PORT: '7' })).toEqual(['ignoring unknown environment variable WARREN_FOO']);
    expect(load([], { WARREN_FOO: '1', WARREN_PORT: '7' }).port).toBe(7);
    expect(warnings({ WARREN_CONFIG: '/srv/warren.json' }, file({}))).toEqual([]);
  });

  it('fails on an unknown key in the file, suggesting the closest one', () => {
    expect(failure(withFile, {}, file({ prot: 1 }))).toBe(
      'config file /srv/warren.json: unknown option "prot"; did you mean "port"?',
    );
    expect(failure(withFile, {}, file({ data_dir: 'x' }))).toBe(
      'config file /srv/warren.json: unknown option "data_dir"; did you mean "dataDir"?',
    );
  });

  it('fails on an unknown property of a user, suggesting the closest one', () => {
    expect(failure(withFile, {}, file({ users: [{ name: 'a', pasword: 'b' }] }))).toBe(
      'config file /srv/warren.json: users[0]: unknown property "pasword"; did you mean "password"?',
    );
  });

  it('fails on positional arguments and on flags without a value', () => {
    expect(failure(['start'])).toBe('unexpected argument "start"; options start with --');
    expect(failure(['--port'])).toBe('--port: missing value');
    expect(failure(['--port', '--bind', 'x'])).toBe('--port: missing value');
    expect(failure(['--config'])).toBe('--config: missing value');
  });
});

describe('out-of-range values name the option and its source', () => {
  it.each([
    { argv: ['--port', '70000'], message: '--port: must be <= 65535 (got 70000)' },
    { argv: ['--port', '-1'], message: '--port: must be >= 0 (got -1)' },
    { argv: ['--frame-max', '4095'], message: '--frame-max: must be >= 4096 (got 4095)' },
    { argv: ['--frame-max', '1048577'], message: '--frame-max: must be <= 1048576 (got 1048577)' },
    { argv: ['--channel-max', '0'], message: '--channel-max: must be >= 1 (got 0)' },
    { argv: ['--handshake-timeout', '99'], message: '--handshake-timeout: must be >= 100 (got 99)' },
    { argv: ['--max-message-size', '536870913'], message: '--max-message-size: must be <= 536870912 (got 536870913)' },
    { argv: ['--max-connections', '0'], message: '--max-connections: must be >= 1 (got 0)' },
    { argv: ['--log-level', 'loud'], message: '--log-level: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")' },
  ])('$argv', ({ argv, message }) => {
    expect(failure(argv)).toBe(message);
  });

  it('in env and file too', () => {
    expect(failure([], { WARREN_HEARTBEAT: '65536' })).toBe('WARREN_HEARTBEAT: must be <= 65535 (got 65536)');
    expect(failure(withFile, {}, file({ consumerTimeout: -5 }))).toBe(
      'config file /srv/warren.json: consumerTimeout: must be >= 0 (got -5)',
    );
  });

  it('accepts the boundaries', () => {
    const config = load(['--port', '65535', '--frame-max', '1048576', '--channel-max', '65535', '--heartbeat', '0']);
    expect(config).toMatchObject({ port: 65535, frameMax: 1048576, channelMax: 65535, heartbeat: 0 });
    expect(load(['--frame-max', '4096', '--handshake-timeout', '100', '--max-message-size', '1'])).toMatchObject({
      frameMax: 4096,
      handshakeTimeout: 100,
      maxMessageSize: 1,
    });
  });
});

describe('values that are not what they claim', () => {
  it.each(['abc', '1.5', '0x10', '1e3', '', ' '])('WARREN_PORT=%j is not an integer', (text) => {
    expect(failure([], { WARREN_PORT: text })).toBe(`WARREN_PORT: not an integer: ${JSON.stringify(text)}`);
  });

  it.each([
    [{ port: '5672' }, 'port: must be an integer (got "5672")'],
    [{ port: 1.5 }, 'port: must be an integer (got 1.5)'],
    [{ bind: '0.0.0.0' }, 'bind: must be an array (got "0.0.0.0")'],
    [{ bind: [1] }, 'bind[0]: must be a string (got 1)'],
    [{ users: [{ name: 1, password: 'x' }] }, 'users[0].name: must be a string (got 1)'],
    [{ users: [{ name: 'a', password: 'b', loopbackOnly: 'yes' }] }, 'users[0].loopbackOnly: must be a boolean (got "yes")'],
    [{ logLevel: 3 }, 'logLevel: must be a string (got 3)'],
  ])('file %j', (config, message) => {
    expect(failure(withFile, {}, file(config))).toBe(`config file /srv/warren.json: ${message}`);
  });

  it('a file that is not a JSON object', () => {
    expect(failure(withFile, {}, { '/srv/warren.json': '[1]' })).toBe(
      'config file /srv/warren.json: must be a JSON object of options (got [1])',
    );
    expect(failure(withFile, {}, { '/srv/warren.json': '{port: 1}' })).toMatch(
      /^config file \/srv\/warren.json: invalid JSON: /,
    );
    expect(failure(['--config', 'nope.json'])).toBe('config file /srv/nope.json: cannot read: no such file');
  });
});

describe('--help', () => {
  it('returns the help text instead of a config, even with other flags around it', () => {
    for (const argv of [['--help'], ['-h'], ['--port', '1', '--help']]) {
      expect(loadConfig({ argv, env: {} })).toEqual({ help: true, text: helpText() });
    }
  });

  it('lists every flag, env var and default', () => {
    const text = helpText();
    for (const option of OPTIONS) {
      expect(text).toContain(`${option.flag} ${option.arg}`);
      expect(text).toContain(option.env);
    }
    expect(text).toContain('--config FILE');
    expect(text).toContain('WARREN_CONFIG');
    expect(text).toContain('-h, --help');
    const flowed = text.replace(/\s+/g, ' ');
    expect(flowed).toContain('default 5672');
    expect(flowed).toContain('default guest:guest (loopback only)');
  });

  it('keeps lines under 100 columns', () => {
    for (const line of helpText().split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe('the result', () => {
  it('is deep-frozen', () => {
    const config = load(['--user', 'a:b']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.bind)).toBe(true);
    expect(Object.isFrozen(config.users)).toBe(true);
    expect(Object.isFrozen(config.users[0])).toBe(true);
    expect(Object.isFrozen(config.users[0]!.tags)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => (config.bind as string[]).push('x')).toThrow(TypeError);
  });
});
