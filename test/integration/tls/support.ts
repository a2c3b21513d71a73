import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { BrokerOptions } from '../../../src/index.js';
import type { CertFiles, TestPki } from '../../helpers/tls-certs.js';

/** Broker options for an amqps listener on a free port with the test PKI's server certificate. */
export function tlsBroker(pki: TestPki, extra: BrokerOptions = {}): BrokerOptions {
  return { tlsPort: 0, tlsCert: pki.server.cert, tlsKey: pki.server.key, tlsCa: pki.ca, ...extra };
}

/** amqplib socket options: trust the test CA, present `client` when given. */
export function clientTls(pki: TestPki, client?: CertFiles): { ca: Buffer[]; cert?: Buffer; key?: Buffer } {
  return { ca: [pki.read(pki.ca)], ...(client === undefined ? {} : { cert: pki.read(client.cert), key: pki.read(client.key) }) };
}

/** The certificate the server presents to a new TLS connection (a bare handshake, no AMQP). */
export function servedCertificate(port: number, pki: TestPki, options: ConnectionOptions = {}): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: [pki.read(pki.ca)], ...options }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}

/** The connection.start frame's bytes, read over TLS: enough to see which SASL mechanisms are offered. */
export function startFrame(port: number, pki: TestPki, client?: CertFiles): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...clientTls(pki, client) }, () => socket.write('AMQP\x00\x00\x09\x01'));
    let got = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 7 && got.length >= 8 + got.readUInt32BE(3)) {
        socket.destroy();
        resolve(got.toString('latin1'));
      }
    });
    socket.once('error', reject);
  });
}

/** The version and suite a bare TLS handshake with the listener settles on. */
export function negotiated(port: number, pki: TestPki, options: ConnectionOptions = {}): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: [pki.read(pki.ca)], ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', reject);
  });
}
