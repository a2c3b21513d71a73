/** A runtime parameter as RabbitMQ's API shows it (GET /api/parameters/...). */
export interface RuntimeParameterRow {
  readonly vhost: string;
  readonly component: string;
  readonly name: string;
  readonly value: unknown;
}

/** A row of GET /api/nats-bridges, RabbitMQ's /api/shovels shape. */
export interface BridgeRow {
  readonly name: string;
  readonly vhost: string;
  readonly type: 'dynamic';
  readonly direction: 'to-nats' | 'from-nats';
  readonly state: 'starting' | 'running' | 'terminated';
  readonly reason?: string;
  readonly forwarded: number;
  readonly dropped: number;
  readonly last_error?: string;
}

/**
 * The runtime parameter components beyond vhost-limits (today nats-bridge), as the composition root
 * wires them (broker-bridge.ts). A value is validated by its component before it is recorded.
 */
export interface RuntimeParametersOps {
  readonly components: readonly string[];
  list(component?: string, vhost?: string): readonly RuntimeParameterRow[];
  /** Records and applies the value once it is on disk; `refused` carries the component's reason, and nothing changed. */
  set(component: string, vhost: string, name: string, value: unknown): Promise<{ readonly created: boolean } | { readonly refused: string }>;
  /** false when there was none. */
  clear(component: string, vhost: string, name: string): Promise<boolean>;
  bridges(vhost?: string): readonly BridgeRow[];
}
