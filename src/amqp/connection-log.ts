import type { AmqpError } from '../errors/index.js';
import { methodName } from '../protocol/methods.generated.js';
import type { Logger } from '../util/logger.js';

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

/**
 * The line for a socket that closed: an opened connection's close, or one that never finished its
 * handshake, unless an earlier line (a refused login, a non-AMQP peer) already said why.
 */
export function logClosed(
  logger: Logger,
  fields: Record<string, unknown>,
  how: { wasOpen: boolean; explained: boolean; stage: string; reason: string },
): void {
  if (how.wasOpen) {
    logger.info({ event: 'connection.closed', ...fields, reason: how.reason }, 'connection closed');
  } else if (!how.explained) {
    logger.info(
      { event: 'connection.closed-in-handshake', ...fields, stage: how.stage, reason: how.reason },
      `connection closed before the handshake finished (at ${how.stage}): ${how.reason}`,
    );
  }
}

/** A peer that spoke something other than AMQP on the port (an HTTP request, TLS): what it looked like. */
export function logNotAmqp(logger: Logger, fields: Record<string, unknown>, chunk: Buffer | undefined): void {
  const looksLike = describeForeignBytes(chunk ?? Buffer.alloc(0));
  logger.warn(
    { event: 'connection.not-amqp', ...fields, looksLike, firstBytes: chunk?.subarray(0, 16).toString('hex') },
    `bytes that are not AMQP on the AMQP port (${looksLike}); closed`,
  );
}
