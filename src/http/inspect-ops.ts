import type { BrowsedMessage, BrowseOptions } from '../core/inspect/browse.js';
import type { ExplainRequest, ExplainResult } from '../core/inspect/explain.js';
import type { RedriveOptions, RedriveResult } from '../core/inspect/redrive.js';
import type { UnackedDelivery, UnackedListOptions } from '../core/inspect/unacked-list.js';

export type { BrowsedMessage, ExplainRequest, ExplainResult, RedriveResult, UnackedDelivery };

/** Who asks: checked as that user's AMQP channel would be; undefined (the embedder itself): nothing checked. */
export interface InspectCaller {
  readonly user?: string;
}

/**
 * The four operations RabbitMQ users ask for in vain (README "Beyond RabbitMQ"), by vhost and name,
 * as the management API and the embedded broker (broker.inspect) use them. A missing vhost, queue or
 * exchange throws AmqpError WARREN_NOT_FOUND; a refused permission WARREN_PERMISSION_REFUSED.
 */
export interface InspectOps {
  /** Ready messages from a position, nothing delivered or changed (read permission on the queue). */
  browse(vhost: string, queue: string, options?: BrowseOptions & InspectCaller): Promise<readonly BrowsedMessage[]>;
  /** The queue's deliveries awaiting ack and who holds them (read permission on the queue). */
  unacked(vhost: string, queue: string, options?: UnackedListOptions & InspectCaller): readonly UnackedDelivery[];
  /** Moves dead-lettered messages back (read on the queue, write on the target exchange). */
  redrive(vhost: string, queue: string, options?: Omit<RedriveOptions, 'access'> & InspectCaller): Promise<RedriveResult>;
  /** Where a publish would go, without publishing (access to the vhost). */
  explain(vhost: string, exchange: string, request: ExplainRequest & InspectCaller): ExplainResult;
}
