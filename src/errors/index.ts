export { ReplyCode, replyName, type ReplyName } from './reply-codes.js';
export { ERROR_CODES, type ErrorCode, type ErrorScope, type ErrorDefinition } from './codes.js';
export { AmqpError, amqpError, isAmqpError, type MethodRef } from './errors.js';
export { StartupError, isStartupError, STARTUP_EXIT_CODES, type StartupFailure } from './startup.js';
