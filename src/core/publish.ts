import { amqpError } from '../errors/index.js';
import type { Exchange } from './exchange/exchange.js';
import { INVALID_TTL, type Message } from './message.js';

/**
 * What one publish did (Router.publish). Reused, one per nesting depth of the publish path (a
 * dead-lettering during an enqueue publishes one level deeper): read it before the next publish.
 */
export class PublishResult {
  /** Queues that took the message. */
  enqueued = 0;
  /** Queues that refused it (x-overflow reject-publish, reject-publish-dlx): its confirm is a nack. */
  refused = 0;
  /** Delayed exchanges holding it until its x-delay is due; it counts as routed. */
  held = 0;
  /** Queues on another node that is unreachable (cluster): not routed there; the confirm is a nack. */
  unavailable = 0;
  /** Routed nowhere and published mandatory: it goes back to the publisher (basic.return 312 NO_ROUTE). */
  mustReturn = false;
  /**
   * Failed its exchange's x-schema (core/exchange/schema.ts): why, and it was not routed. Returned
   * with 406 when mandatory, nacked in confirm mode, else sent to x-invalid-exchange or dropped.
   */
  schemaError: string | undefined = undefined;

  /** Routed somewhere, even if refused there: no return, and the HTTP API's `routed: true`. */
  get routed(): boolean {
    return this.enqueued + this.refused + this.held > 0;
  }
}

/**
 * RabbitMQ refuses a message whose expiration is not a TTL with 406 when it is published, before
 * routing (so also before a transaction or a delayed exchange holds it).
 */
export function checkExpiration(message: Message): void {
  if (message.ttl !== INVALID_TTL) return;
  const text = message.expiration ?? '';
  if (/^-\d+$/.test(text)) throw amqpError('WARREN_PRECONDITION_FAILED', `invalid expiration '${text}': {value_negative,${text}}`);
  throw amqpError('WARREN_PRECONDITION_FAILED', `invalid expiration '${text}': no_integer`);
}

/** Internal exchanges take messages only from other exchanges (e2e bindings, alternate, dead-letter). */
export function checkPublishable(exchange: Exchange, vhost: string): void {
  if (exchange.options.internal) {
    throw amqpError('WARREN_PUBLISH_INTERNAL', `cannot publish to internal exchange '${exchange.name}' in vhost '${vhost}'`);
  }
}
