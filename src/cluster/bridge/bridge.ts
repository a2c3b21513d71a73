import { connect, type NatsConnection } from '@nats-io/transport-node';
import { brokerPrincipal } from '../../core/principal.js';
import type { BridgeHost, BridgeSide, BridgeState, BridgeStatus } from './bridge-host.js';
import type { BridgeSpec } from './bridge-value.js';
import { FromNats } from './from-nats.js';
import { ToNats } from './to-nats.js';

export type { BridgeHost, BridgeStatus } from './bridge-host.js';

/**
 * One nats-bridge parameter at work: its NATS connection (reconnecting forever, every reconnect-delay)
 * and its side. The module the broker loads by dynamic import when the first bridge is set, so a
 * broker without one never loads the NATS client.
 */
export class NatsBridge {
  private state: BridgeState = 'starting';
  private reason: string | undefined = 'connecting to NATS';
  private nc: NatsConnection | undefined;
  private side: BridgeSide | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly done: Promise<void>;

  constructor(
    readonly spec: BridgeSpec,
    private readonly host: BridgeHost,
  ) {
    this.done = this.run().catch((err: unknown) => this.terminate(err));
  }

  status(): BridgeStatus {
    const side = this.side;
    return { state: this.state, reason: this.reason, forwarded: side?.forwarded ?? 0, dropped: side?.dropped ?? 0, lastError: side?.lastError };
  }

  /** Stops it; with deleteQueue (the parameter was cleared) a to-nats bridge's queue goes too, with what it holds. */
  async stop(deleteQueue: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.done;
    await this.side?.stop();
    if (deleteQueue && this.spec.direction === 'to-nats') {
      const vhost = this.host.vhost();
      vhost?.deleteQueue(this.spec.queue, brokerPrincipal(this.spec.vhost), false, false);
    }
    await this.nc?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const spec = this.spec;
    const nc = await connect({
      servers: [...spec.uris],
      name: `warren nats-bridge ${spec.vhost}/${spec.name}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: spec.reconnectDelay * 1000,
    });
    this.nc = nc;
    if (this.stopped) return;
    void this.watch(nc);
    this.side = spec.direction === 'to-nats' ? new ToNats(spec, this.host, nc, (why) => this.retry(why)) : new FromNats(spec, this.host, nc);
    await this.startSide();
  }

  private async startSide(): Promise<void> {
    if (this.stopped || this.side === undefined) return;
    if (this.host.vhost() === undefined) return this.terminate(new Error(`vhost '${this.spec.vhost}' is deleted`), false);
    try {
      await this.side.start();
    } catch (err) {
      await this.side.stop().catch(() => undefined);
      return this.retry(err instanceof Error ? err.message : String(err));
    }
    if (this.stopped) return;
    this.state = 'running';
    this.reason = undefined;
    this.side.connected(!this.nc?.isClosed());
  }

  /** As a shovel: terminated with the reason, started again after reconnect-delay. */
  private retry(reason: string): void {
    this.state = 'terminated';
    this.reason = reason;
    this.host.logger.warn({ event: 'nats-bridge.terminated', vhost: this.spec.vhost, bridge: this.spec.name, reason }, `nats-bridge '${this.spec.name}' in vhost '${this.spec.vhost}': ${reason}; restarting in ${this.spec.reconnectDelay} s`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.startSide(), Math.max(this.spec.reconnectDelay, 1) * 1000);
    this.timer.unref();
  }

  private terminate(err: unknown, log = true): void {
    this.state = 'terminated';
    this.reason = err instanceof Error ? err.message : String(err);
    if (log) this.host.logger.warn({ event: 'nats-bridge.failed', vhost: this.spec.vhost, bridge: this.spec.name, err }, `nats-bridge '${this.spec.name}' failed: ${this.reason}`);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.stopped) return;
      if (s.type === 'disconnect') {
        this.side?.connected(false);
        if (this.state === 'running') {
          this.state = 'starting';
          this.reason = 'disconnected from NATS, reconnecting';
        }
      } else if (s.type === 'reconnect') {
        if (this.state === 'starting' && this.side !== undefined) {
          this.state = 'running';
          this.reason = undefined;
        }
        this.side?.connected(true);
      }
    }
  }
}
