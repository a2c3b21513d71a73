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
  private readonly side: BridgeSide;
  /** The side started (AMQP side set up, and for from-nats subscribed). */
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** Ends the wait between two first-connection attempts. */
  private wake: (() => void) | undefined;

  constructor(
    readonly spec: BridgeSpec,
    private readonly host: BridgeHost,
  ) {
    this.side = spec.direction === 'to-nats' ? new ToNats(spec, host, (why) => this.retry(why)) : new FromNats(spec, host);
    void this.run().catch((err: unknown) => this.fail(err));
  }

  status(): BridgeStatus {
    const { forwarded, dropped, lastError } = this.side;
    return { state: this.state, reason: this.reason, forwarded, dropped, lastError };
  }

  /** Stops it; with deleteQueue (the parameter was cleared) a to-nats bridge's queue goes too, with what it holds. */
  async stop(deleteQueue: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.side.stop();
    if (deleteQueue && this.spec.direction === 'to-nats') this.host.vhost()?.deleteQueue(this.spec.queue, brokerPrincipal(this.spec.vhost), false, false);
    await this.nc?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const spec = this.spec;
    // to-nats: the queue first, so what is routed while NATS does not answer waits in it.
    if (spec.direction === 'to-nats') await this.startSide();
    const nc = await this.connect();
    if (nc === undefined) return;
    if (this.stopped) return void (await nc.close());
    this.nc = nc;
    this.side.attach(nc);
    void this.watch(nc);
    if (spec.direction === 'from-nats') await this.startSide();
    else if (this.started) this.running();
  }

  /**
   * The first connection, tried every reconnect-delay until it answers or the bridge stops (not the
   * client's waitOnFirstConnect: its timers would keep a closed broker's process alive). After it,
   * the client reconnects by itself, forever.
   */
  private async connect(): Promise<NatsConnection | undefined> {
    const spec = this.spec;
    while (!this.stopped) {
      try {
        return await connect({
          servers: [...spec.uris],
          name: `warren nats-bridge ${spec.vhost}/${spec.name}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: spec.reconnectDelay * 1000,
        });
      } catch (err) {
        if (!this.started) this.starting(`connecting to NATS: ${err instanceof Error ? err.message : String(err)}`);
        else this.reason = `connecting to NATS: ${err instanceof Error ? err.message : String(err)}`;
        this.side.lastError = this.reason;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, Math.max(spec.reconnectDelay, 1) * 1000).unref();
        });
      }
    }
    return undefined;
  }

  private async startSide(): Promise<void> {
    if (this.stopped) return;
    if (this.host.vhost() === undefined) return this.fail(new Error(`vhost '${this.spec.vhost}' is deleted`));
    try {
      await this.side.start();
    } catch (err) {
      await this.side.stop().catch(() => undefined);
      return this.retry(err instanceof Error ? err.message : String(err));
    }
    if (this.stopped) return;
    this.started = true;
    if (this.nc !== undefined && !this.nc.isClosed()) this.running();
    else this.starting('connecting to NATS');
  }

  private running(): void {
    this.state = 'running';
    this.reason = undefined;
    this.side.connected(true);
  }

  private starting(reason: string): void {
    this.state = 'starting';
    this.reason = reason;
  }

  /** As a shovel: terminated with the reason, started again after reconnect-delay. */
  private retry(reason: string): void {
    this.started = false;
    this.state = 'terminated';
    this.reason = reason;
    this.host.logger.warn({ event: 'nats-bridge.terminated', vhost: this.spec.vhost, bridge: this.spec.name, reason }, `nats-bridge '${this.spec.name}' in vhost '${this.spec.vhost}': ${reason}; restarting in ${this.spec.reconnectDelay} s`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.startSide(), Math.max(this.spec.reconnectDelay, 1) * 1000);
    this.timer.unref();
  }

  private fail(err: unknown): void {
    this.state = 'terminated';
    this.reason = err instanceof Error ? err.message : String(err);
    this.host.logger.warn({ event: 'nats-bridge.failed', vhost: this.spec.vhost, bridge: this.spec.name, err }, `nats-bridge '${this.spec.name}' failed: ${this.reason}`);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.stopped) return;
      if (s.type === 'disconnect') {
        this.side.connected(false);
        if (this.started) this.starting('disconnected from NATS, reconnecting');
      } else if (s.type === 'reconnect' && this.started) {
        this.running();
      }
    }
  }
}
