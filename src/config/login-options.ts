import { textThrough } from './parsers.js';
import { durationParser } from './units.js';

const parseMilliseconds = durationParser(1, 'milliseconds');

/** Options of the login path (users themselves are the `users` option in schema.ts). */
export const LOGIN_OPTIONS = [
  {
    key: 'loginFailureDelay',
    schema: { type: 'integer', minimum: 0, maximum: 60000 },
    default: 3000,
    env: 'WARREN_LOGIN_FAILURE_DELAY',
    flag: '--login-failure-delay',
    arg: 'MS|DURATION',
    description:
      'Longest wait before a failed login is refused, per peer IP address: after 3 failures from one address within a minute, ' +
      'each further refusal to it waits 250 ms, doubling up to this (RabbitMQ waits 3 s); other addresses and successful ' +
      'logins never wait. 0 turns the wait off.',
    parse: parseMilliseconds,
    fromValue: textThrough(parseMilliseconds),
  },
] as const;
