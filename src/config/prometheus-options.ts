import { parsePortOrOff } from './management-options.js';

/**
 * The Prometheus listener (rabbitmq_prometheus's prometheus.tcp.port, default 15692). Its own host, loopback by
 * default, since the endpoint has no authentication (as RabbitMQ's has none). The CLI serves it on 15692 unless told
 * `--prometheus-port off`; an embedder (startBroker) gets it only when it passes prometheusPort, so that tests and
 * embedded brokers never compete for 15692. 0 picks a free port.
 */
export interface PrometheusConfig {
  /** false: no Prometheus listener. */
  readonly prometheusPort: number | false;
  readonly prometheusHost: string;
}

export const PROMETHEUS_PORT_DEFAULT = 15692;

export const PROMETHEUS_OPTIONS = [
  {
    key: 'prometheusPort',
    schema: { anyOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'boolean', const: false }] },
    default: PROMETHEUS_PORT_DEFAULT as number | false,
    env: 'WARREN_PROMETHEUS_PORT',
    flag: '--prometheus-port',
    arg: 'PORT|off',
    description:
      'TCP port for Prometheus metrics (/metrics, /metrics/per-object, /metrics/detailed; RabbitMQ prometheus.tcp.port), ' +
      'on --prometheus-host; 0 picks a free port, off turns it off. The CLI serves it by default; an embedded broker ' +
      '(startBroker) only when prometheusPort is given.',
    parse: parsePortOrOff,
  },
  {
    key: 'prometheusHost',
    schema: { type: 'string', minLength: 1 },
    default: '127.0.0.1',
    env: 'WARREN_PROMETHEUS_HOST',
    flag: '--prometheus-host',
    arg: 'ADDRESS',
    description: 'Address the Prometheus listener binds (RabbitMQ prometheus.tcp.ip); 0.0.0.0 or :: for every interface. The endpoint has no authentication.',
    parse: (text: string) => text.trim(),
  },
] as const;
