import { MANAGEMENT_TLS_OPTIONS, type ManagementTlsConfig } from './management-tls-options.js';
import { parseInteger, ParseError } from './parsers.js';

/**
 * The management HTTP API's listener (RabbitMQ's management.tcp.port, default 15672), on the same bind
 * addresses as the AMQP listener (loopback by default). The CLI serves it on 15672 unless told
 * `--management-port off`; an embedder (startBroker) gets it only when it passes managementPort,
 * so that tests and embedded brokers never compete for 15672. 0 picks a free port.
 */
export interface ManagementConfig extends ManagementTlsConfig {
  /** false: no management listener. */
  readonly managementPort: number | false;
}

export const MANAGEMENT_PORT_DEFAULT = 15672;

/** A listener's port, or off/false/none to turn the listener off (management, Prometheus). */
export function parsePortOrOff(text: string): number | false {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'false' || t === 'none') return false;
  try {
    return parseInteger(text);
  } catch {
    throw new ParseError(`expected a port or off, got ${JSON.stringify(text)}`);
  }
}

export const MANAGEMENT_OPTIONS = [
  {
    key: 'managementPort',
    schema: { anyOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'boolean', const: false }] },
    default: MANAGEMENT_PORT_DEFAULT as number | false,
    env: 'WARREN_MANAGEMENT_PORT',
    flag: '--management-port',
    arg: 'PORT|off',
    description:
      'TCP port for the management HTTP API (RabbitMQ management.tcp.port), on the --bind addresses; 0 picks a free ' +
      'port, off turns it off. The CLI serves it by default; an embedded broker (startBroker) only when managementPort is given.',
    parse: parsePortOrOff,
  },
  ...MANAGEMENT_TLS_OPTIONS,
] as const;
