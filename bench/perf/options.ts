/**
 * Command-line options of the perf tool, named after RabbitMQ's PerfTest where it has the same option
 * (-x -y -s -c -q -a -e -t -k -u -z -r), so a PerfTest command line carries over.
 */

export type ExchangeType = 'direct' | 'fanout' | 'topic';

export interface PerfOptions {
  url: string;
  producers: number;
  consumers: number;
  size: number;
  /** Publisher confirms allowed in flight per producer; 0 = no confirms. */
  confirm: number;
  /** basic.qos prefetch per consumer; 0 = unlimited. */
  qos: number;
  autoAck: boolean;
  persistent: boolean;
  /** '' publishes to the default exchange with the queue name as routing key. */
  exchange: string;
  type: ExchangeType;
  routingKey: string;
  /** Undefined: generated names, deleted at the end. */
  queue: string | undefined;
  queues: number;
  bindings: number;
  randomKeys: boolean;
  /** Seconds. */
  time: number;
  /** Total msg/s over all producers; 0 = as fast as possible. */
  rate: number;
  queueArgs: Record<string, unknown>;
  /** Publish this many messages with no consumer, report the fill rate. 0 = off. */
  fill: number;
  drain: boolean;
  json: boolean;
  quiet: boolean;
  /** 'auto' or a thread count; 0 runs everything on the main thread. */
  workers: 'auto' | number;
  /** Broker process to read VmRSS from (Linux /proc), for the fill/drain report. */
  brokerPid: number | undefined;
  /** Seconds without a delivery after which the final drain gives up. */
  drainTimeout: number;
  help: boolean;
}

type Kind = 'int' | 'string' | 'flag' | 'json' | 'type' | 'workers' | 'number';

interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  readonly key: keyof PerfOptions;
  readonly kind: Kind;
  readonly arg?: string;
  readonly help: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { long: 'url', key: 'url', kind: 'string', arg: 'URL', help: 'broker URL (default amqp://guest:guest@127.0.0.1:5672)' },
  { long: 'producers', short: 'x', key: 'producers', kind: 'int', arg: 'N', help: 'producers, one connection each (default 1)' },
  { long: 'consumers', short: 'y', key: 'consumers', kind: 'int', arg: 'N', help: 'consumers, one connection each (default 1, or --queues)' },
  { long: 'size', short: 's', key: 'size', kind: 'int', arg: 'BYTES', help: 'message body size, at least 16 (default 16)' },
  { long: 'confirm', short: 'c', key: 'confirm', kind: 'int', arg: 'N', help: 'publisher confirms in flight per producer; 0 = none (default 0)' },
  { long: 'qos', short: 'q', key: 'qos', kind: 'int', arg: 'N', help: 'consumer prefetch; 0 = unlimited (default 0)' },
  { long: 'autoack', short: 'a', key: 'autoAck', kind: 'flag', help: 'consume with no-ack (default: manual acks, multiple=true once per socket read)' },
  { long: 'persistent', key: 'persistent', kind: 'flag', help: 'delivery-mode 2 and durable queues' },
  { long: 'exchange', short: 'e', key: 'exchange', kind: 'string', arg: 'NAME', help: "exchange (default perf-<type>; '' = default exchange)" },
  { long: 'type', short: 't', key: 'type', kind: 'type', arg: 'TYPE', help: 'exchange type: direct, fanout, topic (default direct)' },
  { long: 'routing-key', short: 'k', key: 'routingKey', kind: 'string', arg: 'KEY', help: 'routing key (default perf.key)' },
  { long: 'queue', short: 'u', key: 'queue', kind: 'string', arg: 'NAME', help: 'queue name, kept after the run (default: generated, deleted after)' },
  { long: 'queues', key: 'queues', kind: 'int', arg: 'N', help: 'queues bound to the exchange, consumers spread over them (default 1)' },
  { long: 'bindings', key: 'bindings', kind: 'int', arg: 'N', help: 'topic: N random 3-word binding keys per queue, besides -k' },
  { long: 'random-keys', key: 'randomKeys', kind: 'flag', help: 'topic: publish with keys drawn at random from the --bindings keys' },
  { long: 'time', short: 'z', key: 'time', kind: 'number', arg: 'SECONDS', help: 'run time (default 10)' },
  { long: 'rate', short: 'r', key: 'rate', kind: 'int', arg: 'MSG/S', help: 'total publish rate limit; 0 = unlimited (default 0)' },
  { long: 'queue-args', key: 'queueArgs', kind: 'json', arg: 'JSON', help: 'queue.declare arguments, e.g. \'{"x-max-length":1000}\'' },
  { long: 'fill', key: 'fill', kind: 'int', arg: 'N', help: 'publish N messages with no consumer and report the fill rate' },
  { long: 'drain', key: 'drain', kind: 'flag', help: 'consume what the queue holds (after --fill, or in -u) and report the drain rate' },
  { long: 'json', key: 'json', kind: 'flag', help: 'print the summary as JSON on stdout (progress stays on stderr)' },
  { long: 'quiet', key: 'quiet', kind: 'flag', help: 'no progress lines' },
  { long: 'workers', key: 'workers', kind: 'workers', arg: 'auto|N', help: 'worker threads; 0 = main thread only (default auto)' },
  { long: 'broker-pid', key: 'brokerPid', kind: 'int', arg: 'PID', help: "report this process's RSS (from /proc) when full and at the end" },
  { long: 'drain-timeout', key: 'drainTimeout', kind: 'number', arg: 'SECONDS', help: 'give up draining after this long without a delivery (default 5)' },
  { long: 'help', short: 'h', key: 'help', kind: 'flag', help: 'this list' },
];

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

export function defaultOptions(): PerfOptions {
  return {
    url: 'amqp://guest:guest@127.0.0.1:5672',
    producers: 1,
    consumers: 1,
    size: 16,
    confirm: 0,
    qos: 0,
    autoAck: false,
    persistent: false,
    exchange: 'perf-direct',
    type: 'direct',
    routingKey: 'perf.key',
    queue: undefined,
    queues: 1,
    bindings: 0,
    randomKeys: false,
    time: 10,
    rate: 0,
    queueArgs: {},
    fill: 0,
    drain: false,
    json: false,
    quiet: false,
    workers: 'auto',
    brokerPid: undefined,
    drainTimeout: 5,
    help: false,
  };
}

export function usage(): string {
  const lines = OPTIONS.map((o) => {
    const names = `${o.short !== undefined ? `-${o.short}, ` : '    '}--${o.long}${o.arg !== undefined ? ` ${o.arg}` : ''}`;
    return `  ${names.padEnd(30)} ${o.help}`;
  });
  return `usage: npm run perf -- [options]\n\n${lines.join('\n')}\n`;
}

function optionList(): string {
  return OPTIONS.map((o) => (o.short !== undefined ? `-${o.short}/--${o.long}` : `--${o.long}`)).join(', ');
}

/** Parses argv (without node and script). Throws OptionError naming every known option on a bad one. */
export function parseOptions(argv: readonly string[]): PerfOptions {
  const out = defaultOptions();
  const given = new Set<keyof PerfOptions>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = OPTIONS.find((o) => o.long === name);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      spec = OPTIONS.find((o) => o.short === arg[1]);
      if (arg.length > 2) inline = arg.slice(2);
    }
    if (spec === undefined) throw new OptionError(`unknown option ${arg}; known options: ${optionList()}`);
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new OptionError(`--${spec.long} takes no value`);
      (out as unknown as Record<string, unknown>)[spec.key] = true;
      given.add(spec.key);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new OptionError(`--${spec.long} needs a value (${spec.arg ?? 'value'})`);
      value = argv[++i] as string;
    }
    (out as unknown as Record<string, unknown>)[spec.key] = convert(spec, value);
    given.add(spec.key);
  }
  if (!given.has('exchange')) out.exchange = `perf-${out.type}`;
  if (!given.has('consumers') && out.queues > 1) out.consumers = out.queues;
  if (out.fill > 0 && !given.has('consumers')) out.consumers = out.drain ? out.queues : 0;
  if (out.drain && out.fill === 0 && !given.has('producers')) out.producers = 0;
  validate(out);
  return out;
}

function convert(spec: OptionSpec, value: string): unknown {
  const bad = (what: string): OptionError => new OptionError(`--${spec.long} ${value}: expected ${what}`);
  switch (spec.kind) {
    case 'int': {
      const n = Number(value.replace(/_/g, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw bad('a non-negative integer');
      return n;
    }
    case 'number': {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw bad('a positive number');
      return n;
    }
    case 'type':
      if (value !== 'direct' && value !== 'fanout' && value !== 'topic') throw bad('direct, fanout or topic');
      return value;
    case 'workers': {
      if (value === 'auto') return value;
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw bad("'auto' or a thread count");
      return n;
    }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw bad('a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('a JSON object');
      return parsed;
    }
    default:
      return value;
  }
}

function validate(o: PerfOptions): void {
  if (o.size < 16) throw new OptionError(`-s ${o.size}: the body carries a 16-byte timestamp and sequence number, so at least 16`);
  if (o.queues < 1) throw new OptionError('--queues must be at least 1');
  if (o.producers > 4095) throw new OptionError('-x: at most 4095 producers');
  if (o.bindings > 0 && o.type !== 'topic') throw new OptionError('--bindings needs -t topic');
  if (o.randomKeys && o.bindings === 0) throw new OptionError('--random-keys needs --bindings N');
  if (o.exchange === '' && (o.queues > 1 || o.bindings > 0)) throw new OptionError("-e '' (default exchange) reaches one queue: no --queues or --bindings");
  if (o.queue !== undefined && o.queues > 1) throw new OptionError('-u names one queue; with --queues N names are generated');
  if (o.drain && o.fill === 0 && o.queue === undefined) throw new OptionError('--drain without --fill needs -u QUEUE');
  if (o.fill === 0 && !o.drain && o.producers === 0 && o.consumers === 0) throw new OptionError('nothing to do: -x 0 and -y 0');
  if (o.fill > 0 && o.producers === 0) throw new OptionError('--fill needs at least one producer');
  if (o.consumers > 0 && o.consumers < o.queues && o.fill === 0) {
    throw new OptionError(`-y ${o.consumers} leaves queues without a consumer (--queues ${o.queues})`);
  }
}
