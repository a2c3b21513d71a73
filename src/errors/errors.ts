import { ERROR_CODES, type ErrorCode, type ErrorScope } from './codes.js';
import { ReplyCode, type ReplyName } from './reply-codes.js';

export interface MethodRef {
  readonly classId: number;
  readonly methodId: number;
}

/**
 * The one error type a peer can cause. `replyText` is what goes on the wire in
 * channel.close / connection.close: `REPLY_NAME - detail`, as RabbitMQ writes it.
 */
export class AmqpError extends Error {
  readonly code: ErrorCode;
  readonly replyName: ReplyName;
  readonly replyCode: number;
  readonly scope: ErrorScope;
  readonly detail: string;
  classId: number;
  methodId: number;

  constructor(code: ErrorCode, detail: string, method?: MethodRef, options?: { cause?: unknown }) {
    const def = ERROR_CODES[code];
    super(`${def.reply} - ${detail}`, options);
    this.name = 'AmqpError';
    this.code = code;
    this.replyName = def.reply;
    this.replyCode = ReplyCode[def.reply];
    this.scope = def.scope;
    this.detail = detail;
    this.classId = method?.classId ?? 0;
    this.methodId = method?.methodId ?? 0;
  }

  get replyText(): string {
    // shortstr on the wire: at most 255 bytes. RabbitMQ cuts longer texts to 252 bytes plus
    // "...", and so do we, on a UTF-8 character boundary.
    const text = this.message;
    const bytes = Buffer.from(text);
    if (bytes.length <= 255) return text;
    let end = 252;
    while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    return `${bytes.subarray(0, end).toString()}...`;
  }

  /** Fills in the failing method when the thrower did not know it. */
  during(method: MethodRef): this {
    if (this.classId === 0 && this.methodId === 0) {
      this.classId = method.classId;
      this.methodId = method.methodId;
    }
    return this;
  }
}

export function amqpError(code: ErrorCode, detail: string, method?: MethodRef): AmqpError {
  return new AmqpError(code, detail, method);
}

export function isAmqpError(err: unknown): err is AmqpError {
  return err instanceof AmqpError;
}
