import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker, type BrokerOptions } from '../broker.js';
import type { QueueSnapshot } from '../core/snapshots.js';
import { MessageRecorder, testMessage, type TestMessage } from './recorder.js';
import { durationMs, TestClock, type Duration } from './test-clock.js';

export interface TestBrokerOptions extends Omit<BrokerOptions, 'clock' | 'port' | 'nodeName'> {
  /** Messages kept per exchange (published) and per queue (delivered); the oldest go first. Default 10,000. */
  readonly recordLimit?: number;
  /** Serve the management HTTP API (/api/...) on a free port: managementUrl. Off by default. */
  readonly management?: boolean;
  /** Serve Prometheus's /metrics on a free port: metricsUrl. Off by default. */
  readonly prometheus?: boolean;
}

/** A vhost of its own for one test: nothing another test declares is seen in it. */
export interface IsolatedVhost {
  readonly vhost: string;
  /** The broker's URL with this vhost (guest credentials). */
  readonly url: string;
}

export interface QueueOptions {
  /** Default '/'. */
  readonly vhost?: string;
}

export interface WaitOptions extends QueueOptions {
  /** Default 5 s. */
  readonly timeout?: Duration;
}

export interface CloseOptions {
  /** Only this vhost's connections (default: all). */
  readonly vhost?: string;
  /** The connection.close reply text (320 CONNECTION_FORCED). */
  readonly reason?: string;
}

/**
 * An in-process Warren for a test suite: a real broker on a free loopback port, in a temporary data
 * directory removed on close, quiet, with a clock the test can move forward and helpers to look at
 * queues without consuming. Clients connect to `url` as to any RabbitMQ.
 */
export interface TestBroker {
  readonly url: string;
  readonly port: number;
  /** With { management: true }: the management API's base URL (http://127.0.0.1:port, guest:guest), else undefined. A new port after restart(). */
  readonly managementUrl: string | undefined;
  /** With { prometheus: true }: the Prometheus listener's base URL (append /metrics), else undefined. A new port after restart(). */
  readonly metricsUrl: string | undefined;
  /** The running broker (replaced by restart()): read model, stats, management, ... */
  readonly broker: Broker;
  /** Wall-clock time that `advance('30s')` moves ahead, firing every timer due on the way. */
  readonly clock: TestClock;
  /** A fresh vhost, with guest's full permissions, for one test. */
  isolate(): Promise<IsolatedVhost>;
  /** Resolves with the queue's snapshot once it holds at least n messages (ready + unacked); rejects after the timeout. */
  waitFor(queue: string, n: number, options?: WaitOptions): Promise<QueueSnapshot>;
  /** The queue's ready messages from its head, without consuming them. */
  peek(queue: string, options?: QueueOptions & { readonly count?: number }): Promise<readonly TestMessage[]>;
  /** Messages delivered from the queue to consumers so far (basic.get replies are not included). */
  messages(queue: string, options?: QueueOptions): readonly TestMessage[];
  /** Messages clients published to the exchange ('' is the default exchange), routed or not. */
  published(exchange: string, options?: QueueOptions): readonly TestMessage[];
  /** Deletes the vhosts isolate() made, every queue and non-amq exchange of '/', and the recorded messages. */
  reset(): Promise<void>;
  /** Closes client connections with 320 CONNECTION_FORCED (a client's reconnect logic then runs); resolves with how many. */
  closeConnections(options?: CloseOptions): number;
  /**
   * Blocks publishers as RabbitMQ's memory alarm does: connection.blocked (with the reason) to
   * clients that announced the capability, and what publishing connections send waits unread.
   * Returns the unblock function: connection.unblocked, and what they sent goes through.
   */
  blockPublishers(reason?: string): () => void;
  /** The next n publishes on confirm-mode channels get basic.nack and are not routed. */
  nackNext(n: number): void;
  /**
   * Every channel holding unacked deliveries from a queue with a consumer timeout (x-consumer-timeout,
   * or the consumerTimeout option) times out now: closed with 406 PRECONDITION_FAILED, its unacked
   * messages requeued. Returns how many channels.
   */
  expireConsumerTimeouts(): number;
  /**
   * Stops and starts the broker on the same port and data directory: durable queues, messages and
   * vhosts stay. The new broker starts without injected faults (no block, no pending nacks).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function createTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const { recordLimit = 10_000, management = false, prometheus = false, ...given } = options;
  const brokerOptions: BrokerOptions = {
    ...given,
    ...(management && given.managementPort === undefined ? { managementPort: 0 } : {}),
    ...(prometheus && given.prometheusPort === undefined ? { prometheusPort: 0 } : {}),
  };
  const ownDir = brokerOptions.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'warren-test-')) : undefined;
  const dataDir = brokerOptions.dataDir ?? (ownDir as string);
  // Unique per broker: the read model's ids and the recorder's filter depend on it.
  const nodeName = `warren-test-${randomBytes(4).toString('hex')}@${hostname()}`;
  const recorder = new MessageRecorder(nodeName, recordLimit);
  const isolated = new Set<string>();
  let clock = new TestClock();
  const start = (port: number): Promise<Broker> =>
    startBroker({ logLevel: 'silent', ...brokerOptions, dataDir, port, nodeName, clock });
  let broker: Broker;
  try {
    broker = await start(0);
  } catch (err) {
    recorder.close();
    if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
    throw err;
  }
  const urlFor = (vhost: string): string => `amqp://guest:guest@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`;

  const kit: TestBroker = {
    get url() {
      return broker.url;
    },
    get port() {
      return broker.port;
    },
    get managementUrl() {
      return broker.managementPort === undefined ? undefined : `http://127.0.0.1:${broker.managementPort}`;
    },
    get metricsUrl() {
      return broker.prometheusPort === undefined ? undefined : `http://127.0.0.1:${broker.prometheusPort}`;
    },
    get broker() {
      return broker;
    },
    get clock() {
      return clock;
    },
    async isolate() {
      const vhost = `test-${randomBytes(6).toString('hex')}`;
      await broker.createVhost(vhost, { description: 'made by the test kit (isolate)' });
      await broker.permissions.set({ user: 'guest', vhost, configure: '.*', write: '.*', read: '.*' });
      isolated.add(vhost);
      return { vhost, url: urlFor(vhost) };
    },
    async waitFor(queue, n, { vhost = '/', timeout = 5000 } = {}) {
      const deadline = Date.now() + durationMs(timeout);
      for (;;) {
        const q = broker.readModel.queue(vhost, queue);
        if (q !== undefined && q.messages >= n) return q;
        if (Date.now() >= deadline) {
          const now = q === undefined ? 'does not exist' : `holds ${q.messages}`;
          throw new Error(`waitFor: queue '${queue}' in vhost '${vhost}' ${now}, not ${n}, after ${durationMs(timeout)} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async peek(queue, { vhost = '/', count = 100 } = {}) {
      const seen = await broker.inspect.browse(vhost, queue, { count });
      return seen.map((b) => testMessage(b.message.exchange, b.message.routingKey, b.message.body, b.message.properties));
    },
    messages: (queue, { vhost = '/' } = {}) => recorder.delivered(vhost, queue),
    published: (exchange, { vhost = '/' } = {}) => recorder.published(vhost, exchange),
    async reset() {
      for (const vhost of isolated) await broker.deleteVhost(vhost);
      isolated.clear();
      const rm = broker.readModel;
      for (const q of rm.queues('/')) rm.deleteQueue('/', q.name);
      for (const x of rm.exchanges('/')) if (x.name !== '' && !x.name.startsWith('amq.')) rm.deleteExchange('/', x.name);
      recorder.clear();
    },
    closeConnections({ vhost, reason = 'closed by the test kit' } = {}) {
      const rm = broker.readModel;
      const chosen = rm.connections().filter((c) => vhost === undefined || c.vhost === vhost);
      for (const c of chosen) rm.closeConnection(c.id, reason);
      return chosen.length;
    },
    blockPublishers: (reason) => broker.faults.blockPublishers(reason),
    nackNext: (n) => broker.faults.nackNext(n),
    expireConsumerTimeouts: () => broker.faults.expireConsumerTimeouts(),
    async restart() {
      const port = broker.port;
      await broker.close();
      clock.stop();
      // A new clock (the old broker's timers stay behind), as far ahead as the old one was.
      clock = new TestClock(undefined, clock.offset);
      broker = await start(port);
    },
    async close() {
      try {
        await broker.close();
      } finally {
        clock.stop();
        recorder.close();
        if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
      }
    },
  };
  return kit;
}
