import { BucketHistogram, LATENCY_BUCKETS, MESSAGE_SIZE_BUCKETS } from '../../util/bucket-histogram.js';

/**
 * Broker-wide publish counts that the per-object counters do not keep (rabbit_global_counters'): they only
 * grow, whatever closes. Bumped in ChannelCounters.published, the one place every client publish is counted.
 */
export class PublishGlobals {
  /** Body sizes of client publishes (rabbitmq_message_size_bytes): a few compares and two adds per message. */
  readonly sizes = new BucketHistogram(MESSAGE_SIZE_BUCKETS);
  /** Publishes on channels in confirm mode (rabbitmq_global_messages_received_confirm_total). */
  receivedConfirm = 0;
  /** Seconds from a confirm-mode publish's dispatch to its confirm (amqp/pending-confirm.ts): warren_publish_confirm_seconds. */
  readonly confirmLatency = new BucketHistogram(LATENCY_BUCKETS);
}
