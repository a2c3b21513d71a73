import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';
import { adminUnavailable, run } from './admin-target.js';

/*
 * warren-admin over https: --cacert verifies the server, a server signed by another CA is refused, and
 * --insecure skips the check. Warren's own management app (broker.managementApp) is served over TLS
 * here the way src/broker-management.ts serves it over http, until the API has its TLS listener.
 */

const skip = !hasOpenssl() ? 'openssl is missing' : adminUnavailable();
let broker: Broker;
let close: () => Promise<void>;
let pki: TestPki;
let server: Server;
let port: number;

beforeAll(async () => {
  if (skip !== undefined) return;
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  pki = createTestPki();
  const app = broker.managementApp!;
  server = createServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) }, (req, res) => app.routing(req, res));
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await close?.();
  pki?.remove();
});

const admin = (args: readonly string[]) => run(process.execPath, ['dist/src/admin/cli.js', '-H', '127.0.0.1', '-P', String(port), ...args]);

describe.skipIf(skip !== undefined)('warren-admin over TLS', () => {
  it('verifies the server with --cacert', async () => {
    const r = await admin(['--cacert', pki.ca, '-f', 'json', 'list', 'vhosts', '--columns', 'name']);
    expect(r).toEqual({ code: 0, stdout: JSON.stringify([{ name: '/' }], null, 2) + '\n', stderr: '' });
    const url = await run(process.execPath, ['dist/src/admin/cli.js', '-U', `https://guest:guest@localhost:${port}`, '--cacert', pki.ca, '-q', '-f', 'tsv', 'list', 'users', '--columns', 'name']);
    expect(url).toEqual({ code: 0, stdout: 'guest\n', stderr: '' });
  });

  it('refuses a server its CA did not sign, in one line, unless --insecure', async () => {
    const stranger = createTestPki();
    try {
      const r = await admin(['--cacert', stranger.ca, 'list', 'vhosts']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^\\*\\*\\* Could not connect to https://127\\.0\\.0\\.1:${port}: \\S+ .+\\n$`));
      expect((await admin(['--tls', '--insecure', '-q', '-f', 'tsv', 'list', 'vhosts', '--columns', 'name'])).stdout).toBe('/\n');
    } finally {
      stranger.remove();
    }
  });

  it('says so in one line when https meets plain http', async () => {
    const plain = broker.managementPort as number;
    const r = await run(process.execPath, ['dist/src/admin/cli.js', '-H', '127.0.0.1', '-P', String(plain), '--tls', 'list', 'vhosts']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stderr).toMatch(/^\*\*\* Could not connect to https:\/\/127\.0\.0\.1:\d+: EPROTO /);
  });
});
