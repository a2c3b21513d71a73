import { amqpError, type AmqpError, type MethodRef } from '../errors/index.js';
import type { DecodeError } from '../protocol/errors.js';
import { encodeMethodFrame, METHOD_IDS, type Method, type MethodOf } from '../protocol/methods.generated.js';
import type { Writer } from '../protocol/writer.js';

/** The connection error for bytes that do not parse (the parser's reply code decides the kind). */
export function decodeErrorReply(err: DecodeError): AmqpError {
  const code = err.replyCode === 501 ? 'WARREN_FRAME_ERROR' : err.replyCode === 502 ? 'WARREN_SYNTAX_ERROR' : 'WARREN_COMMAND_INVALID';
  return amqpError(code, err.message, { classId: err.classId, methodId: err.methodId });
}

export function methodRef(method: Method): MethodRef {
  const ids = METHOD_IDS[method.name];
  return { classId: ids[0], methodId: ids[1] };
}

/** connection.close or channel.close carrying an error's code, text and the method it refers to. */
export function closeMethod<N extends 'connection.close' | 'channel.close'>(name: N, error: AmqpError): MethodOf<N> {
  return { name, replyCode: error.replyCode, replyText: error.replyText, classId: error.classId, methodId: error.methodId } as MethodOf<N>;
}

/** Encodes a method frame, or nothing: on an encode failure the writer is rolled back, so no half-written frame reaches the wire. */
export function writeMethodFrame(w: Writer, channel: number, method: Method): void {
  const start = w.pos;
  try {
    encodeMethodFrame(w, channel, method);
  } catch (err) {
    w.rollback(start);
    throw err;
  }
}
