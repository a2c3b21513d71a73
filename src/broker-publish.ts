import type { Config } from './config/load.js';
import { publishPlain, PublishRequestError, type PlainPublishResult } from './core/plain-publish.js';
import type { SyncTicket } from './core/persistence.js';
import type { VirtualHost } from './core/vhost.js';

export interface BrokerPublishOptions {
  /** The authenticated user (the HTTP caller) a user_id property must name; unset: not checked. */
  readonly user?: string;
}

export type BrokerPublish = (vhost: string, exchange: string, request: unknown, options?: BrokerPublishOptions) => Promise<PlainPublishResult>;

/**
 * broker.publish: the management API's publish (core/plain-publish.ts) on a vhost by name, with the
 * configured size and header limits. Like RabbitMQ's API, which publishes in confirm mode, it resolves
 * once the message is on disk wherever it was stored (persistent, durable queues), and rejects with
 * PublishRequestError 'rejected' when a queue refused it or its disk write failed.
 */
export function brokerPublish(vhosts: ReadonlyMap<string, VirtualHost>, config: Config): BrokerPublish {
  const propertyLimits = { maxEntries: config.maxHeaderTableEntries, maxDepth: config.maxHeaderTableDepth, maxSize: config.maxPropertiesSize };
  return (vhostName, exchange, request, options = {}) =>
    new Promise<PlainPublishResult>((resolve, reject) => {
      const vhost = vhosts.get(vhostName);
      if (vhost === undefined) throw new PublishRequestError('Not Found', 'Object Not Found', 404);
      let ok = true;
      let result: PlainPublishResult | undefined;
      const ticket: SyncTicket = {
        waiting: 1, // this publish's own hold, released once it returned
        synced(written = true) {
          if (!written) ok = false;
          if (--this.waiting > 0) return;
          if (ok && result !== undefined) resolve(result);
          else reject(new PublishRequestError('Unable to publish message. Check queue limits.', 'rejected'));
        },
      };
      result = publishPlain(vhost, exchange, request, { user: options.user, maxMessageSize: config.maxMessageSize, propertyLimits, ticket });
      ticket.synced();
    });
}
