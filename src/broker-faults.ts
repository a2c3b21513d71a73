import type { PublishFaults } from './amqp/broker-context.js';
import type { ResourceAlarms } from './amqp/flow-control.js';
import type { AmqpServer } from './amqp/server.js';

/**
 * Fault injection for tests (warren/testing): the failures a client's error handling must survive,
 * made on demand instead of by filling memory or waiting out a timeout.
 */
export interface BrokerFaults {
  /**
   * Blocks publishers as the memory alarm does: connection.blocked (with this reason) to clients
   * that announced the capability, and the connections that publish are no longer read. Returns
   * the unblock: connection.unblocked, and what they sent meanwhile goes through.
   */
  blockPublishers(reason?: string): () => void;
  /** The next n publishes on confirm-mode channels are not routed and get basic.nack. */
  nackNext(n: number): void;
  /**
   * The consumer timeout fires now on every channel holding unacked deliveries from a queue with
   * one (x-consumer-timeout or the broker's consumerTimeout): 406 PRECONDITION_FAILED, as when it
   * runs out. Returns how many channels were closed.
   */
  expireConsumerTimeouts(): number;
}

export function brokerFaults(faults: PublishFaults, alarms: ResourceAlarms, server: AmqpServer): BrokerFaults {
  return {
    blockPublishers(reason = 'blocked by the test kit') {
      alarms.setManual(reason);
      return () => alarms.setManual(undefined);
    },
    nackNext(n) {
      if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`nackNext: not a count: ${String(n)}`);
      faults.nackNext += n;
    },
    expireConsumerTimeouts: () => server.expireConsumerTimeouts(),
  };
}
