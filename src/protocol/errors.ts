/** Errors raised while decoding peer input. The codec stays independent of src/errors: numbers only. */

export type DecodeErrorKind =
  | 'bad-protocol-header'
  | 'frame-too-large'
  | 'bad-frame-end'
  | 'unknown-frame-type'
  | 'truncated'
  | 'bad-value'
  | 'unknown-method'
  | 'too-deep'
  | 'bad-utf8';

/**
 * The AMQP reply code a connection closes with for each kind (all are hard errors).
 * - Framing problems are FRAME_ERROR (501), as in rabbit_reader (frame_too_large, invalid_frame_end_marker,
 *   unknown_frame). A bad protocol header never reaches connection.close: the broker answers with its own
 *   header and closes the socket, so the code there is informational.
 * - A payload that does not decode is SYNTAX_ERROR (502), the spec's meaning for "a frame that contained
 *   illegal values". RabbitMQ sends 501 ("cannot decode") here instead; clients treat both as fatal.
 * - An unknown class/method id is COMMAND_INVALID (503). RabbitMQ has no reply for it: its generated
 *   lookup_method_name/1 exits with {unknown_method_id, Id}, the reader crashes and the socket drops with no
 *   connection.close. A close with 503 and the ids tells the client what went wrong, which is strictly more
 *   useful; 503 is also what the broker sends for a known method the client may not send.
 */
export const DECODE_ERROR_REPLY_CODES: { readonly [K in DecodeErrorKind]: number } = {
  'bad-protocol-header': 501,
  'frame-too-large': 501,
  'bad-frame-end': 501,
  'unknown-frame-type': 501,
  truncated: 502,
  'bad-value': 502,
  'unknown-method': 503,
  'too-deep': 502,
  // RabbitMQ 3.10 closes with 501 "FRAME_ERROR - Malformed UTF-8 in shortstr" (tried on the reference).
  'bad-utf8': 501,
};

export class DecodeError extends Error {
  readonly replyCode: number;
  readonly kind: DecodeErrorKind;
  /** The method being decoded when the ids were readable, else 0 (goes into connection.close). */
  classId: number;
  methodId: number;

  constructor(kind: DecodeErrorKind, message: string, classId = 0, methodId = 0) {
    super(message);
    this.name = 'DecodeError';
    this.kind = kind;
    this.replyCode = DECODE_ERROR_REPLY_CODES[kind];
    this.classId = classId;
    this.methodId = methodId;
  }
}

export function isDecodeError(err: unknown): err is DecodeError {
  return err instanceof DecodeError;
}
