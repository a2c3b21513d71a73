import type { User } from '../config/schema.js';
import type { BrokerContext } from './broker-context.js';

/**
 * The one place a login looks a user up by name (PLAIN, AMQPLAIN and EXTERNAL alike): today the
 * configured users; the user store replaces this body, not its callers.
 */
export function findUser(ctx: BrokerContext, name: string): User | undefined {
  return ctx.config.users.find((u) => u.name === name);
}
