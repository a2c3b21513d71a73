import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerOptions } from '../../../src/index.js';
import type { CertLoginFrom } from '../../../src/config/schema.js';
import { openBroker } from '../../helpers/broker.js';
import { createTestPki, hasOpenssl, type CertFiles, type TestPki } from '../../helpers/tls-certs.js';
import { clientTls, tlsBroker } from './support.js';

/**
 * SASL EXTERNAL from a subjectAltName and a connection's TLS details, the same scenarios on Warren
 * and, with TLS_REFERENCE_PORT=6272 (a free AMQP port; amqps on the one below it), on a RabbitMQ
 * the suite starts itself with /work/shared/tools/rabbitmq.sh on this test's PKI. RabbitMQ's
 * ssl_cert_login_* settings are changed at run time (application:set_env; rabbit_ssl reads them at
 * each login) and its view of a connection is `rabbitmqctl list_connections` (the management API
 * shows the same info items).
 */

const REFERENCE_PORT = process.env['TLS_REFERENCE_PORT'];
const RABBITMQ_SH = '/work/shared/tools/rabbitmq.sh';
const onReference = REFERENCE_PORT !== undefined;

type SanType = 'dns' | 'ip' | 'email' | 'uri' | 'other_name';
interface LoginFrom {
  readonly from: CertLoginFrom;
  readonly type?: SanType;
  readonly index?: number;
}
/** The TLS fields, under RabbitMQ's names, '' and null read as absent. */
type Details = Record<string, string | boolean | undefined>;

const DETAIL_ITEMS = ['ssl', 'ssl_protocol', 'ssl_key_exchange', 'ssl_cipher', 'ssl_hash', 'peer_cert_subject', 'peer_cert_issuer', 'peer_cert_validity'] as const;
const SAN_USERS = ['two.example', 'spiffe://acme/dave', 'dave@corp'];

/** Polls an async condition (rabbitmqctl takes about a second a call). */
async function until(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Target {
  readonly tlsPort: number;
  /** Who each open connection is logged in as, with its TLS details. */
  connections(): Promise<{ user: string; details: Details }[]>;
  loginFrom(l: LoginFrom): Promise<void>;
  close(): Promise<void>;
}

function ctl(args: string[]): string {
  return execFileSync(RABBITMQ_SH, ['ctl', ...args], { env: { ...process.env, RABBITMQ_PORT: REFERENCE_PORT }, encoding: 'utf8', stdio: 'pipe' });
}

async function reference(pki: TestPki): Promise<Target> {
  const port = Number(REFERENCE_PORT);
  copyFileSync(pki.server.key, join(pki.dir, 'server-key.pem'));
  const env = { ...process.env, RABBITMQ_PORT: String(port), RABBITMQ_TLS_DIR: pki.dir, RABBITMQ_TLS_PORT: String(port - 1) };
  execFileSync(RABBITMQ_SH, ['start'], { env, stdio: 'pipe' });
  for (const user of SAN_USERS) {
    ctl(['add_user', user, 'unused']);
    ctl(['set_permissions', '-p', '/', user, '.*', '.*', '.*']);
  }
  return {
    tlsPort: port - 1,
    connections: async () => {
      const rows = JSON.parse(ctl(['list_connections', 'user', ...DETAIL_ITEMS, '--formatter', 'json'])) as Record<string, unknown>[];
      return rows.map((r) => ({
        user: String(r['user']),
        details: Object.fromEntries(DETAIL_ITEMS.map((k) => [k, r[k] === '' || r[k] === null ? undefined : (r[k] as string | boolean)])),
      }));
    },
    loginFrom: async (l) => {
      const san = l.type === undefined ? '' : `application:set_env(rabbit, ssl_cert_login_san_type, ${l.type}), application:set_env(rabbit, ssl_cert_login_san_index, ${l.index ?? 0}), `;
      ctl(['eval', `${san}application:set_env(rabbit, ssl_cert_login_from, ${l.from}).`]);
    },
    close: async () => {
      execFileSync(RABBITMQ_SH, ['stop'], { env, stdio: 'pipe' });
    },
  };
}

function warren(pki: TestPki): Target {
  let open: Awaited<ReturnType<typeof openBroker>> | undefined;
  const options = (l: LoginFrom): BrokerOptions =>
    tlsBroker(pki, {
      tlsVerifyPeer: true,
      tlsSaslExternal: true,
      tlsCertLoginFrom: l.from,
      ...(l.type === undefined ? {} : { tlsCertLoginSanType: l.type, tlsCertLoginSanIndex: l.index ?? 0 }),
      users: [{ name: 'guest', password: 'guest' }, ...SAN_USERS.map((name) => ({ name, password: 'unused' }))],
    });
  const target: Target & { start(l: LoginFrom): Promise<void> } = {
    get tlsPort() {
      return open?.broker.tlsPort as number;
    },
    start: async (l) => {
      await open?.close();
      open = await openBroker(options(l));
    },
    connections: async () =>
      (open?.broker.readModel.connections() ?? []).map((s) => ({
        user: s.user ?? '',
        details: {
          ssl: s.ssl,
          ssl_protocol: s.sslProtocol,
          ssl_key_exchange: s.sslKeyExchange,
          ssl_cipher: s.sslCipher,
          ssl_hash: s.sslHash,
          peer_cert_subject: s.peerCertSubject,
          peer_cert_issuer: s.peerCertIssuer,
          peer_cert_validity: s.peerCertValidity,
        },
      })),
    loginFrom: (l) => target.start(l),
    close: async () => {
      await open?.close();
    },
  };
  return target;
}

describe.skipIf(!hasOpenssl())(`SAN login and TLS details (${onReference ? 'RabbitMQ reference' : 'Warren'})`, () => {
  let pki: TestPki;
  let dave: CertFiles;
  let target: Target;
  beforeAll(async () => {
    pki = createTestPki();
    dave = pki.issueClient({
      subject: '/O=Acme/CN=dave',
      san: 'DNS:first.example,URI:spiffe://acme/dave,email:dave@example.com,DNS:two.example,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:dave@corp',
    });
    target = onReference ? await reference(pki) : warren(pki);
    await target.loginFrom({ from: 'distinguished_name' });
  }, 180_000);
  afterAll(async () => {
    await target?.close();
    pki?.remove();
  }, 90_000);

  /** Logs in with EXTERNAL and says as whom, or the refusal. */
  const externalUser = async (): Promise<string> => {
    const c = await amqp
      .connect(`amqps://127.0.0.1:${target.tlsPort}`, { credentials: amqp.credentials.external(), servername: 'localhost', ...clientTls(pki, dave) })
      .catch((err: Error) => err);
    if (c instanceof Error) return `refused: ${c.message.includes('ACCESS-REFUSED') ? 'ACCESS_REFUSED' : c.message}`;
    let user = '';
    await until(async () => {
      user = (await target.connections())[0]?.user ?? '';
      return user !== '';
    });
    await c.close();
    await until(async () => (await target.connections()).length === 0);
    return user;
  };

  it.each([
    [{ from: 'subject_alternative_name', type: 'dns', index: 1 }, 'two.example'],
    [{ from: 'subject_alternative_name', type: 'uri', index: 0 }, 'spiffe://acme/dave'],
    [{ from: 'subject_alternative_name', type: 'other_name', index: 0 }, 'dave@corp'],
    [{ from: 'subject_alternative_name', type: 'dns', index: 2 }, 'refused: ACCESS_REFUSED'],
    [{ from: 'subject_alternative_name', type: 'email', index: 0 }, 'refused: ACCESS_REFUSED'], // dave@example.com is no user
  ] as [LoginFrom, string][])('EXTERNAL with %o logs in as %s', async (loginFrom, expected) => {
    await target.loginFrom(loginFrom);
    expect(await externalUser()).toBe(expected);
  });

  it('shows the TLS details of a connection as RabbitMQ does', async () => {
    await target.loginFrom({ from: 'distinguished_name' });
    const detailsOf = async (options: object): Promise<Details | undefined> => {
      const c = await amqp.connect(`amqps://guest:guest@127.0.0.1:${target.tlsPort}`, { servername: 'localhost', ...options });
      let details: Details | undefined;
      await until(async () => {
        details = (await target.connections())[0]?.details;
        return details !== undefined;
      });
      await c.close();
      await until(async () => (await target.connections()).length === 0);
      return details;
    };
    const cert = { peer_cert_subject: 'CN=dave,O=Acme', peer_cert_issuer: 'CN=Warren Test CA,O=Warren Tests' };
    expect(await detailsOf({ ...clientTls(pki, dave), ciphers: 'TLS_AES_256_GCM_SHA384' })).toMatchObject({
      ssl: true,
      ssl_protocol: 'tlsv1.3',
      ssl_key_exchange: 'any',
      ssl_cipher: 'aes_256_gcm',
      ssl_hash: 'aead',
      ...cert,
      peer_cert_validity: expect.stringMatching(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ - 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(await detailsOf({ ...clientTls(pki, dave), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-SHA384' })).toMatchObject({
      ssl_protocol: 'tlsv1.2',
      ssl_key_exchange: 'ecdhe_ecdsa',
      ssl_cipher: 'aes_256_cbc',
      ssl_hash: 'sha384',
      ...cert,
    });
    expect(await detailsOf({ ...clientTls(pki), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).toEqual({
      ssl: true,
      ssl_protocol: 'tlsv1.2',
      ssl_key_exchange: 'ecdhe_ecdsa',
      ssl_cipher: 'aes_128_gcm',
      ssl_hash: 'aead',
      peer_cert_subject: undefined,
      peer_cert_issuer: undefined,
      peer_cert_validity: undefined,
    });
  });
});
