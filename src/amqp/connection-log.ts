import type { AmqpError } from '../errors/index.js';
import { methodName } from '../protocol/methods.generated.js';

/** Log-line helpers for connections: what an operator needs to act on a close or a refusal. */

/** The parts of an error an operator needs: stable code, reply code and text, and the method by name. */
export function errorFields(error: AmqpError): Record<string, unknown> {
  const method = error.classId === 0 ? undefined : methodName(error.classId, error.methodId);
  return { code: error.code, replyCode: error.replyCode, replyText: error.replyText, classId: error.classId, methodId: error.methodId, method };
}

/** A guess at what a non-AMQP client is, from its first bytes: the usual mistakes have signatures. */
export function describeForeignBytes(chunk: Buffer): string {
  const head = chunk.toString('latin1', 0, Math.min(chunk.length, 8));
  if (/^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT) /.test(head) || head.startsWith('PRI * H')) return 'an HTTP request';
  // A TLS record: handshake content type 0x16, version 3.x.
  if (chunk[0] === 0x16 && chunk[1] === 0x03) return 'a TLS handshake: this port speaks plain AMQP';
  if (head.startsWith('AMQP')) return 'another AMQP protocol version';
  return 'unrecognised bytes';
}
