/** AMQP 0-9-1 reply codes (spec section 1.2 "Constants", RabbitMQ's errata). */
export const ReplyCode = {
  SUCCESS: 200,
  CONTENT_TOO_LARGE: 311,
  NO_ROUTE: 312,
  NO_CONSUMERS: 313,
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  FRAME_ERROR: 501,
  SYNTAX_ERROR: 502,
  COMMAND_INVALID: 503,
  CHANNEL_ERROR: 504,
  UNEXPECTED_FRAME: 505,
  RESOURCE_ERROR: 506,
  NOT_ALLOWED: 530,
  NOT_IMPLEMENTED: 540,
  INTERNAL_ERROR: 541,
} as const;

export type ReplyName = keyof typeof ReplyCode;
export type ReplyCodeValue = (typeof ReplyCode)[ReplyName];

const NAMES = new Map<number, ReplyName>(
  (Object.entries(ReplyCode) as [ReplyName, number][]).map(([name, code]) => [code, name]),
);

export function replyName(code: number): ReplyName | undefined {
  return NAMES.get(code);
}
