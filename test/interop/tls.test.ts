import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, BrokerOptions } from '../../src/index.js';
import { createLogger } from '../../src/util/logger.js';
import { eventually, withBroker } from '../helpers/broker.js';
import { jsonLogSink } from '../helpers/json-logs.js';
import { createTestPki, hasOpenssl, type CertFiles, type TestPki } from '../helpers/tls-certs.js';
import { tlsBroker } from '../integration/tls/support.js';
import { FIXTURES, findPython, hasCommands, pythonEnv, run, warnMissing, type ProcessResult } from './helpers/external.js';

/**
 * Stock clients over TLS (issue 12): pika with pika.SSLOptions (PLAIN and SASL EXTERNAL) and
 * Debian's amqp-tools with --ssl --cacert --cert --key. Each client verifies the server certificate
 * against the test CA, so a broker serving a certificate from another CA is refused by the client.
 */

const python = findPython(['pika', 'ssl']);
if (python === undefined) warnMissing('pika (TLS)', 'python3-pika');
const AMQP_TOOLS = ['amqp-declare-queue', 'amqp-publish', 'amqp-get'] as const;
const amqpTools = hasCommands(AMQP_TOOLS);
if (!amqpTools) warnMissing('amqp-tools (TLS)', 'amqp-tools');

/** What a broker whose server certificate the client's CA did not sign looks like to the client. */
const UNTRUSTED = /certificate verify failed|CERTIFICATE_VERIFY_FAILED|self.signed|unable to get local issuer/i;
const PIKA_DN = 'CN=pika,O=Warren Tests';

describe.skipIf(!hasOpenssl())('stock clients over TLS', () => {
  let pki: TestPki;
  /** Another CA with its own, otherwise valid, server certificate for 127.0.0.1/localhost. */
  let other: TestPki;
  let pikaCert: CertFiles;
  let toolsCert: CertFiles;
  beforeAll(() => {
    pki = createTestPki();
    other = createTestPki();
    pikaCert = pki.issueClient({ subject: '/O=Warren Tests/CN=pika', name: 'pika' });
    toolsCert = pki.issueClient({ subject: '/O=Warren Tests/CN=amqp-tools', name: 'amqp-tools' });
  });
  afterAll(() => {
    pki.remove();
    other.remove();
  });

  /** The broker serving `served`'s server certificate, verifying clients against the test CA. */
  const serving = (served: () => TestPki, extra: BrokerOptions = {}): BrokerOptions => ({
    ...tlsBroker(pki, extra),
    tlsCert: served().server.cert,
    tlsKey: served().server.key,
  });

  describe.skipIf(python === undefined)('pika with SSLOptions', () => {
    interface PikaRun {
      readonly cert?: CertFiles;
      readonly external?: boolean;
      readonly queue: string;
    }
    const pika = async (broker: Broker, o: PikaRun): Promise<{ status: string; error?: string }> => {
      const args = { host: '127.0.0.1', port: broker.tlsPort, ca: pki.ca, cert: o.cert?.cert, key: o.cert?.key, external: o.external === true, queue: o.queue };
      const r: ProcessResult = await run(python as string, [join(FIXTURES, 'pika_tls.py'), JSON.stringify(args)], { env: pythonEnv(), timeoutMs: 30_000 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
      expect(line, `pika_tls.py printed no result; exit ${r.code}; stderr:\n${r.stderr}`).toBeDefined();
      return JSON.parse(line as string) as { status: string; error?: string };
    };

    it('logs in with PLAIN, verifying the server certificate, and round-trips a message', async () => {
      await withBroker(async (broker) => {
        expect(await pika(broker, { queue: 'pika-tls-plain' })).toEqual({ status: 'ok' });
        expect(broker.readModel.queue('/', 'pika-tls-plain')?.messagesReady).toBe(0);
      }, serving(() => pki));
    });

    it('presents a client certificate and logs in with EXTERNAL as the subject DN', async () => {
      const { lines, sink } = jsonLogSink();
      await withBroker(async (broker) => {
        expect(await pika(broker, { cert: pikaCert, external: true, queue: 'pika-tls-external' })).toEqual({ status: 'ok' });
        const opened = lines.filter((l) => l['event'] === 'connection.opened');
        expect(opened.map((l) => l['user'])).toEqual([PIKA_DN]);
        expect(broker.readModel.queue('/', 'pika-tls-external')).toBeDefined();
      }, serving(() => pki, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true, tlsSaslExternal: true, users: [{ name: PIKA_DN, password: 'unused' }], logger: createLogger('info', sink) }));
    });

    it('refuses a broker whose certificate another CA signed', async () => {
      await withBroker(async (broker) => {
        const r = await pika(broker, { queue: 'pika-tls-untrusted' });
        expect(r.status).toBe('fail');
        expect(r.error).toMatch(UNTRUSTED);
        expect(broker.readModel.queue('/', 'pika-tls-untrusted')).toBeUndefined();
      }, serving(() => other));
    });

    it('is refused without a client certificate when the broker requires one', async () => {
      await withBroker(async (broker) => {
        const r = await pika(broker, { queue: 'pika-tls-nocert' });
        expect(r.status).toBe('fail');
        expect(r.error).toMatch(/CERTIFICATE_REQUIRED|certificate required/i);
        expect(broker.readModel.queue('/', 'pika-tls-nocert')).toBeUndefined();
      }, serving(() => pki, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true }));
    });
  });

  describe.skipIf(!amqpTools)('amqp-tools with --ssl', () => {
    /**
     * rabbitmq-c verifies the server's host name as a DNS name: localhost, which the certificate
     * names. --url must say amqps:// with --ssl (the tools refuse --ssl with a plain URL, and with
     * none: their default URL is amqp://).
     */
    const tool = (broker: Broker, name: (typeof AMQP_TOOLS)[number], cert: CertFiles | undefined, ...args: string[]): Promise<ProcessResult> =>
      toolTrusting(pki.ca, broker, name, cert, ...args);
    const toolTrusting = (ca: string, broker: Broker, name: (typeof AMQP_TOOLS)[number], cert: CertFiles | undefined, ...args: string[]): Promise<ProcessResult> =>
      run(
        name,
        [
          '--url', `amqps://guest:guest@localhost:${broker.tlsPort}`,
          '--ssl', '--cacert', ca, ...(cert === undefined ? [] : ['--cert', cert.cert, '--key', cert.key]), ...args,
        ],
        { timeoutMs: 20_000 },
      );

    it('publishes and gets with a client certificate the broker requires', async () => {
      await withBroker(async (broker) => {
        const declared = await tool(broker, 'amqp-declare-queue', toolsCert, '-q', 'tools-tls');
        expect(declared.stderr).toBe('');
        expect(declared.stdout.trim()).toBe('tools-tls');
        const pub = await tool(broker, 'amqp-publish', toolsCert, '-r', 'tools-tls', '-b', 'over tls');
        expect(pub.stderr).toBe('');
        expect(pub.code).toBe(0);
        const got = await tool(broker, 'amqp-get', toolsCert, '-q', 'tools-tls');
        expect(got.stderr).toBe('');
        expect(got.stdout).toBe('over tls');
        await eventually(() => broker.connectionCount() === 0);
      }, serving(() => pki, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true }));
    });

    it('refuses a broker whose certificate another CA signed', async () => {
      await withBroker(async (broker) => {
        const r = await tool(broker, 'amqp-publish', toolsCert, '-r', 'tools-tls', '-b', 'never');
        expect(r.code).not.toBe(0);
        // rabbitmq-c names no reason ("opening socket to localhost:PORT"); trusting the other CA instead
        // shows the certificate was the reason.
        expect(r.stderr).toMatch(/^opening socket to localhost:\d+$/m);
        const trusting = await toolTrusting(other.ca, broker, 'amqp-publish', toolsCert, '-r', 'tools-tls', '-b', 'now trusted');
        expect(trusting.stderr).toBe('');
        expect(trusting.code).toBe(0);
      }, serving(() => other, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true }));
    });

    it('is refused without a client certificate when the broker requires one', async () => {
      await withBroker(async (broker) => {
        const r = await tool(broker, 'amqp-publish', undefined, '-r', 'tools-tls', '-b', 'never');
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain('a SSL error occurred');
        expect(broker.connectionCount()).toBe(0);
      }, serving(() => pki, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true }));
    });
  });
});
