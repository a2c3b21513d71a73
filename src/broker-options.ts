import type { ConfigInput } from './config/load.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './util/logger.js';

/** What startBroker takes: the configuration (ConfigInput) and what only an embedder can pass. */
export interface BrokerOptions extends ConfigInput {
  /** Defaults to a pino logger on stdout at logLevel, or at warn when logLevel is not given either. */
  readonly logger?: Logger;
  /**
   * The memory alarm also judges the whole process (V8 heap against its heap_size_limit, RSS) besides
   * what this broker holds. For a process that runs one broker, as the CLI does; default false.
   */
  readonly processMemoryChecks?: boolean;
  /**
   * A full GC that the process checks run when the process is over a limit, settling once done (the
   * CLI offers one); the library never forces one by itself.
   */
  readonly collectGarbage?: () => Promise<void>;
  /** What ids in the read model are qualified with (RabbitMQ's node name); default `warren@<hostname>`. */
  readonly nodeName?: string;
  /**
   * How often (ms) counters are sampled into rates (`*_details.rate`), on the broker's ticker (250 ms
   * granularity); 0: only when `broker.stats.sample()` is called. Default 5000, RabbitMQ's
   * collect_statistics_interval.
   */
  readonly statisticsInterval?: number;
  /**
   * Time for message TTL, queue expiry, delayed messages, x-death stamps and consumer timeouts
   * (default: the system clock). A test kit passes a ManualClock to advance time without waiting.
   * The connection's own timers (heartbeats, handshake and close timeouts) stay on the wall clock.
   */
  readonly clock?: Clock;
}
