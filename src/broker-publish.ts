import type { Config } from './config/load.js';
import { publishPlain, PublishRequestError, type PlainPublishResult } from './core/plain-publish.js';
import type { SyncTicket } from './core/persistence.js';
import type { VirtualHost } from './core/vhost.js';
import { connectionPrincipal } from './core/principal.js';
import type { AccessControl, PrincipalAccess } from './core/security/access.js';

/** The connection id of broker.publish's principals: not '' (the broker itself, never checked). */
const MANAGEMENT_PUBLISHER = 'management-api';

export interface BrokerPublishOptions {
  /**
   * Publish as this user (the HTTP caller), as RabbitMQ's management API does over a channel of
   * that user: no permission entry in the vhost is 401 not_authorised; write on the exchange and
   * topic permissions are checked (refused with error 403 and the channel's ACCESS_REFUSED text);
   * a user_id property must name it unless it has the impersonator tag. Unset: nothing checked.
   */
  readonly user?: string;
}

export type BrokerPublish = (vhost: string, exchange: string, request: unknown, options?: BrokerPublishOptions) => Promise<PlainPublishResult>;

/**
 * broker.publish: the management API's publish (core/plain-publish.ts) on a vhost by name, with the
 * configured size and header limits. Like RabbitMQ's API, which publishes in confirm mode, it resolves
 * once the message is on disk wherever it was stored (persistent, durable queues), and rejects with
 * PublishRequestError 'rejected' when a queue refused it or its disk write failed.
 */
export function brokerPublish(vhosts: ReadonlyMap<string, VirtualHost>, config: Config, accessControl: AccessControl): BrokerPublish {
  const propertyLimits = { maxEntries: config.maxHeaderTableEntries, maxDepth: config.maxHeaderTableDepth, maxSize: config.maxPropertiesSize };
  return (vhostName, exchange, request, options = {}) =>
    new Promise<PlainPublishResult>((resolve, reject) => {
      const vhost = vhosts.get(vhostName);
      if (vhost === undefined) throw new PublishRequestError('Not Found', 'Object Not Found', 404);
      const { user } = options;
      let access: PrincipalAccess | undefined;
      if (user !== undefined) {
        // rabbit_mgmt_util:is_authorized_vhost, before the exchange is looked up.
        if (!accessControl.canOpen(user, vhostName)) throw new PublishRequestError('User not authorised to access virtual host', 'not_authorised', 401);
        access = accessControl.forPrincipal(connectionPrincipal(user, vhostName, MANAGEMENT_PUBLISHER));
      }
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
      const claimed = access?.impersonator === true ? undefined : user;
      result = publishPlain(vhost, exchange, request, { user: claimed, access, maxMessageSize: config.maxMessageSize, propertyLimits, ticket });
      ticket.synced();
    });
}
