import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserInput } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { createTestPki, hasOpenssl, type CertFiles, type TestPki } from '../../helpers/tls-certs.js';
import { RawClient } from '../../helpers/raw-client.js';
import { clientTls, startFrame, tlsBroker } from './support.js';

const REFUSED = 'ACCESS_REFUSED - Login was refused using authentication mechanism EXTERNAL. For details see the broker logfile.';
const users = (...names: string[]): UserInput[] => [{ name: 'guest', password: 'guest' }, ...names.map((name) => ({ name, password: 'unused' }))];

describe.skipIf(!hasOpenssl())('SASL EXTERNAL', () => {
  let pki: TestPki;
  let bob: CertFiles;
  beforeAll(() => {
    pki = createTestPki();
    bob = pki.issueClient({ subject: '/C=US/O=Acme/CN=bob' });
  });
  afterAll(() => pki.remove());

  const external = (port: number, client?: CertFiles): Promise<amqp.ChannelModel> =>
    amqp.connect(`amqps://127.0.0.1:${port}`, { credentials: amqp.credentials.external(), ...clientTls(pki, client) });

  it('logs in as the user the subject DN names, in RabbitMQ order (ssl_cert_login_from = distinguished_name)', async () => {
    await withBroker(async (broker) => {
      const c = await external(broker.tlsPort as number, bob);
      await eventually(() => broker.readModel.connections().length === 1);
      expect(broker.readModel.connections()[0]?.user).toBe('CN=bob,O=Acme,C=US');
      await (await c.createChannel()).assertQueue('q-external');
      await c.close();
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, users: users('CN=bob,O=Acme,C=US') }));
  });

  it('logs in as the CN user (ssl_cert_login_from = common_name)', async () => {
    await withBroker(async (broker) => {
      const c = await external(broker.tlsPort as number, bob);
      await eventually(() => broker.readModel.connections().length === 1);
      expect(broker.readModel.connections()[0]?.user).toBe('bob');
      expect(broker.readModel.connections()[0]?.authMechanism).toBe('EXTERNAL'); // RabbitMQ's auth_mechanism
      await c.close();
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, tlsCertLoginFrom: 'common_name', users: users('bob') }));
  });

  it('logs in as the subjectAltName entry of the configured type and index (ssl_cert_login_from = subject_alternative_name)', async () => {
    const dave = pki.issueClient({ subject: '/CN=dave', san: 'DNS:first.example,URI:spiffe://acme/dave,DNS:dave.example' });
    await withBroker(async (broker) => {
      const c = await external(broker.tlsPort as number, dave);
      await eventually(() => broker.readModel.connections().length === 1);
      expect(broker.readModel.connections()[0]?.user).toBe('dave.example');
      await c.close();
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, tlsCertLoginFrom: 'subject_alternative_name', tlsCertLoginSanIndex: 1, users: users('dave.example', 'first.example') }));
    await withBroker(async (broker) => {
      const c = await external(broker.tlsPort as number, dave);
      await eventually(() => broker.readModel.connections().length === 1);
      expect(broker.readModel.connections()[0]?.user).toBe('spiffe://acme/dave');
      await c.close();
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, tlsCertLoginFrom: 'subject_alt_name' as 'subject_alternative_name', tlsCertLoginSanType: 'uri', users: users('spiffe://acme/dave') }));
  });

  it('refuses a certificate without an entry at that index: no name found', async () => {
    const { lines, sink } = jsonLogSink();
    const erin = pki.issueClient({ subject: '/CN=erin', san: 'email:erin@example.com' });
    await withBroker(async (broker) => {
      await expect(external(broker.tlsPort as number, erin)).rejects.toThrow(`403 (ACCESS-REFUSED) with message "${REFUSED}"`);
      expect(lines.find((l) => l['event'] === 'connection.login-refused')?.['certificate']).toBe('no name found');
    }, tlsBroker(pki, {
      tlsVerifyPeer: true,
      tlsSaslExternal: true,
      tlsCertLoginFrom: 'subject_alternative_name',
      tlsCertLoginSanType: 'email',
      tlsCertLoginSanIndex: 1,
      users: users('erin@example.com'),
      logger: createLogger('warn', sink),
    }));
  });

  it('refuses a certificate that names no user, with RabbitMQ text, and logs which user', async () => {
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      await expect(external(broker.tlsPort as number, bob)).rejects.toThrow(`403 (ACCESS-REFUSED) with message "${REFUSED}"`);
      const line = lines.find((l) => l['event'] === 'connection.login-refused');
      expect(line).toMatchObject({ user: 'CN=bob,O=Acme,C=US', mechanism: 'EXTERNAL', why: 'unknown-user' });
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, users: users('bob'), logger: createLogger('warn', sink) }));
  });

  it('refuses a TLS client without a certificate with the login text, and a plain-TCP client as an invalid mechanism', async () => {
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      await expect(external(broker.tlsPort as number)).rejects.toThrow(`403 (ACCESS-REFUSED) with message "${REFUSED}"`);
      // Not offered on plain TCP (amqplib would not even try); a client that asks anyway gets
      // rabbit_reader's text for a mechanism the broker has but does not offer on this socket.
      const raw = await RawClient.connect(broker.port);
      await expect(raw.handshake({ mechanism: 'EXTERNAL' })).rejects.toMatchObject({
        close: { replyCode: 503, replyText: "COMMAND_INVALID - invalid authentication mechanism 'EXTERNAL'" },
      });
      raw.destroy();
      const why = lines.filter((l) => l['event'] === 'connection.login-refused').map((l) => l['certificate'] ?? l['why']);
      expect(why).toEqual(['connection peer presented no TLS (x.509) certificate', 'unsupported-mechanism']);
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true, users: users('CN=bob,O=Acme,C=US'), logger: createLogger('warn', sink) }));
  });

  it('is offered in connection.start on TLS connections, as RabbitMQ does, and only when enabled', async () => {
    await withBroker(async (broker) => {
      expect(await startFrame(broker.tlsPort as number, pki, bob)).toContain('PLAIN AMQPLAIN EXTERNAL');
      expect(await startFrame(broker.tlsPort as number, pki)).toContain('PLAIN AMQPLAIN EXTERNAL');
      const raw = await RawClient.connect(broker.port);
      raw.sendProtocolHeader();
      const start = await raw.waitFor((f) => f.kind === 'method' && f.method.name === 'connection.start', 'connection.start');
      raw.destroy();
      expect(start.kind === 'method' && start.method.name === 'connection.start' && start.method.mechanisms.toString()).toBe('PLAIN AMQPLAIN');
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsSaslExternal: true }));
    await withBroker(async (broker) => {
      expect(await startFrame(broker.tlsPort as number, pki, bob)).not.toContain('EXTERNAL');
      await expect(external(broker.tlsPort as number, bob)).rejects.toThrow('SASL mechanism EXTERNAL is not provided by the server');
    }, tlsBroker(pki, { tlsVerifyPeer: true, users: users('CN=bob,O=Acme,C=US') }));
  });
});
