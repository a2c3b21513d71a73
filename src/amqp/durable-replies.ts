import type { VirtualHost } from '../core/vhost.js';
import type { Method } from '../protocol/methods.generated.js';
import type { Channel } from './channel.js';
import type { ChannelPort } from './channel-port.js';
import { diagnostics, emitAck } from './diagnostics.js';

/**
 * Past this many replies waiting for the disk, the connection's input is held until they go out:
 * a client pipelining declares into a stalled disk cannot grow this queue without bound.
 */
const MAX_HELD = 8192;
/**
 * Topology methods dispatched before the connection yields the event loop for a turn: one socket
 * chunk holds ~1,500 declares, and creating that many durable queues at once froze other clients.
 */
const SLICE = 64;

interface HeldReply {
  readonly channel: Channel;
  readonly method: Method;
  /** The definitions mark that must be on disk before this reply (and every later one) goes out. */
  readonly mark: number;
}

/**
 * Replies that depend on definitions records (a durable declare, delete, bind, unbind) go out only
 * once those records are on disk, so a declare-ok means the queue survives a crash. One per
 * connection, shared by its channels.
 *
 * Group commit across a pipelining client: exchange.* and queue.* methods keep being dispatched
 * while earlier records sync; their replies wait in one FIFO, each tagged with the mark it needs,
 * so 10,000 declares sent without waiting share a few fdatasyncs instead of costing one each (input
 * held after every durable declare made it one fsync per declare: bench/durable-declares.ts).
 * Any other method (publish, consume, get, qos, channel.close...) arriving while a reply or a
 * nowait record still waits is deferred with the connection's input held: it runs, and answers,
 * only after everything before it is on disk. An error raised by a topology method meanwhile is
 * deferred the same way, so replies and channel.close keep the order of the requests. Replies stay
 * in order on every channel and across channels, and each reflects a durable state.
 */
export class DurableReplies {
  /** The vhost's mark when the current method began: a change means the method wrote records. */
  private startMark = 0;
  /** The highest mark written by this connection's methods. */
  private needed = 0;
  /** Everything up to this mark is known to be on disk. */
  private synced = 0;
  /** The highest mark a flush callback is registered for. */
  private awaited = 0;
  private held: HeldReply[] = [];
  private head = 0;
  /** A method (or an error) waiting for the disk, with input held. */
  private deferred: { readonly channel: Channel; readonly method: Method; readonly error?: unknown } | undefined;
  private inputHeld = false;
  private sliced = 0;
  private slicing = false;
  private readonly vhost: VirtualHost;
  private readonly port: ChannelPort;
  /** The method being dispatched: where an error of its replicated write (cluster) goes. */
  private current: Channel | undefined;
  private currentMethod: Method | undefined;

  constructor(vhost: VirtualHost, port: ChannelPort) {
    this.vhost = vhost;
    this.port = port;
  }

  /** Dispatches a channel method now, or defers it until what it must follow is on disk. */
  dispatch(channel: Channel, m: Method): void {
    const topology = isTopology(m.name);
    this.current = channel;
    this.currentMethod = m;
    if (!topology && this.waiting) return this.defer({ channel, method: m });
    if (topology && ++this.sliced >= SLICE) this.yieldSlice();
    try {
      channel.onMethod(m);
      // After the method: an ack of an unknown tag closed the channel instead.
      if (diagnostics.ack.hasSubscribers && m.name === 'basic.ack') emitAck(channel, m.deliveryTag, m.multiple);
    } catch (error) {
      this.end(); // records the method wrote before it failed are waited for like any other
      if (!this.waiting) throw error;
      this.defer({ channel, method: m, error });
    }
  }

  /** A method that may write definitions begins. */
  begin(): void {
    this.startMark = this.vhost.definitionsMark();
    this.port.replication?.begin();
  }

  /** Its reply: sent now, or once every record it (or an earlier method) wrote is synced (and replicated, in a cluster). */
  reply(channel: Channel, m: Method): void {
    const replicated = this.port.replication?.take();
    if (replicated !== undefined) return this.afterReplication(channel, replicated, m);
    this.sendOrHold(channel, m);
  }

  private sendOrHold(channel: Channel, m: Method): void {
    this.noteWrites();
    if (this.held.length === this.head && !this.waitFor(this.needed)) {
      channel.send(m);
      return;
    }
    this.held.push({ channel, method: m, mark: this.needed });
    if (this.held.length - this.head >= MAX_HELD) this.updateHold();
  }

  /** The method is done: records it wrote (nowait ones too) are waited for. */
  end(): void {
    this.noteWrites();
    this.waitFor(this.needed);
    const replicated = this.port.replication?.take(); // a nowait method's write: later methods still wait for it
    if (replicated !== undefined && this.current !== undefined) this.afterReplication(this.current, replicated, undefined);
  }

  /**
   * In a cluster: the method's metadata write (JetStream KV) must be acknowledged before its reply,
   * and every later method of this connection waits for it (input held, as for an fsync), so replies
   * keep their order. A write the cluster refused (another node declared the name inequivalently
   * first) closes the channel with that error instead of the reply.
   */
  private afterReplication(channel: Channel, replicated: Promise<void>, reply: Method | undefined): void {
    const request = this.currentMethod;
    const port = this.port;
    port.holdInput('cluster');
    replicated.then(
      () => {
        port.releaseInput('cluster');
        if (reply !== undefined && port.isOpen(channel)) this.sendOrHold(channel, reply);
      },
      (err: unknown) => {
        port.releaseInput('cluster');
        if (port.isOpen(channel)) port.handleError(err, channel.id, request);
      },
    );
  }

  /** A reply or a record still waits for the disk. */
  private get waiting(): boolean {
    return this.held.length > this.head || this.needed > this.synced;
  }

  private noteWrites(): void {
    const mark = this.vhost.definitionsMark();
    if (mark === this.startMark) return;
    this.startMark = mark;
    this.needed = mark;
  }

  /** True when mark is not on disk yet (a flush is then registered for it). */
  private waitFor(mark: number): boolean {
    if (mark <= this.synced) return false;
    if (mark <= this.awaited) return true;
    if (!this.vhost.whenDefinitionsSynced(mark, () => this.flush(mark))) {
      this.synced = mark;
      return false;
    }
    this.awaited = mark;
    return true;
  }

  private defer(d: NonNullable<DurableReplies['deferred']>): void {
    this.deferred = d;
    this.updateHold();
  }

  private yieldSlice(): void {
    if (this.slicing) return;
    this.slicing = true;
    this.updateHold();
    setImmediate(() => {
      this.slicing = false;
      this.sliced = 0;
      this.updateHold();
    });
  }

  /** Input is held while a method is deferred, too many replies wait, or a slice yields. */
  private updateHold(): void {
    const need = this.deferred !== undefined || this.held.length - this.head >= MAX_HELD || this.slicing;
    if (need === this.inputHeld) return;
    this.inputHeld = need;
    if (need) this.port.holdInput('sync');
    else this.port.releaseInput('sync');
  }

  /**
   * Every record up to mark is on disk: send the replies that waited for it, in order. The
   * definitions store retries a failed write until the disk takes it, so this never reports a
   * failure: a reply is late, never sent for a record that is not durable.
   */
  private flush(mark: number): void {
    if (mark > this.synced) this.synced = mark;
    const held = this.held;
    while (this.head < held.length && (held[this.head] as HeldReply).mark <= this.synced) {
      const r = held[this.head++] as HeldReply;
      if (this.port.isOpen(r.channel)) r.channel.send(r.method);
    }
    if (this.head === held.length) {
      this.held = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > held.length) {
      this.held = held.slice(this.head);
      this.head = 0;
    }
    const d = this.deferred;
    if (d !== undefined && !this.waiting) {
      this.deferred = undefined;
      // Input is released first (it resumes on a microtask): the deferred method may hold it again.
      this.updateHold();
      this.runDeferred(d);
    } else {
      this.updateHold();
    }
  }

  private runDeferred(d: NonNullable<DurableReplies['deferred']>): void {
    const { channel, method } = d;
    if (!this.port.isOpen(channel)) return; // closed meanwhile: its frames are dropped
    try {
      if ('error' in d) throw d.error;
      this.dispatch(channel, method);
    } catch (err) {
      this.port.handleError(err, channel.id, method);
    }
  }
}

/**
 * queue.* or exchange.*: the only method names starting with 'q' or 'e'. One character test instead
 * of two startsWith calls, since every publish and ack passes here (bench/broker-cpu.ts).
 */
function isTopology(name: string): boolean {
  const c = name.charCodeAt(0);
  return c === 113 || c === 101; // 'q', 'e'
}
