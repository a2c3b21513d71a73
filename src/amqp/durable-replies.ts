import { amqpError } from '../errors/index.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Method } from '../protocol/methods.generated.js';
import type { Connection } from './connection.js';

/**
 * Replies that depend on definitions records (a durable declare, delete, bind, unbind): held until
 * those records are on disk, so a declare-ok means the queue survives a crash. Records are
 * group-committed (store/definitions-store.ts): while one method's records sync, the connection's
 * input is held ('sync'), so its later methods see, and reply after, a durable state; replies
 * keep their order, nowait records are durable before the next reply, and other connections'
 * records share the fsync.
 */
export class DurableReplies {
  private mark = 0;
  private held: Method[] | undefined;
  private readonly vhost: VirtualHost;
  private readonly connection: Connection;
  private readonly send: (m: Method) => void;
  private readonly isOpen: () => boolean;

  constructor(vhost: VirtualHost, connection: Connection, send: (m: Method) => void, isOpen: () => boolean) {
    this.vhost = vhost;
    this.connection = connection;
    this.send = send;
    this.isOpen = isOpen;
  }

  /** A method that may write definitions begins. */
  begin(): void {
    this.mark = this.vhost.definitionsMark();
  }

  /** Its reply: sent now, or once the records it wrote are synced. */
  reply(m: Method): void {
    if (this.held === undefined && this.vhost.definitionsMark() === this.mark) this.send(m);
    else (this.held ??= []).push(m);
  }

  /** The method is done: if it wrote records (nowait ones too), input waits for their fsync. */
  end(): void {
    const mark = this.vhost.definitionsMark();
    if (mark === this.mark) return;
    this.mark = mark;
    if (this.vhost.whenDefinitionsSynced(mark, this.synced)) this.connection.holdInput('sync');
    else this.synced(true);
  }

  private readonly synced = (ok: boolean): void => {
    const replies = this.held;
    this.held = undefined;
    this.connection.releaseInput('sync');
    if (!ok) {
      this.connection.connectionError(amqpError('WARREN_INTERNAL_ERROR', 'definitions could not be written to disk'));
      return;
    }
    if (this.isOpen() && replies !== undefined) for (const r of replies) this.send(r);
  };
}
