import type { Clock } from './clock.js';
import { VirtualHost } from './vhost.js';
import type { TopologyListener } from './persistence.js';
import { vhostMetadata, type VhostMetadata, type VhostMetadataInput } from './vhost-meta.js';

/** What the vhost table tells the durability layer: the definitions log records vhosts too. */
export interface VhostListener extends TopologyListener {
  /** Also for a change of metadata: the last record of a name holds its metadata. */
  vhostCreated(name: string, meta: VhostMetadata): void;
  vhostDeleted(name: string): void;
}

/** connection.open carries the vhost name as a shortstr. */
const MAX_NAME_BYTES = 255;

/**
 * The broker's virtual hosts, created and deleted at runtime. Each change writes a definitions
 * record; the returned mark says when it is on disk (whenSynced). Closing the connections of a
 * deleted vhost is the caller's part (the AMQP layer owns them), done before delete() runs.
 */
export class VhostTable {
  readonly vhosts: Map<string, VirtualHost>;
  private readonly clock: Clock;
  private readonly listener: VhostListener | undefined;
  /** Set up a vhost made at runtime as those made at start (fault reporting). */
  private readonly prepare: (vhost: VirtualHost) => void;
  private readonly metadata = new Map<string, VhostMetadata>();

  constructor(
    vhosts: Map<string, VirtualHost>,
    clock: Clock,
    listener: VhostListener | undefined,
    prepare: (vhost: VirtualHost) => void,
    recovered: ReadonlyMap<string, VhostMetadataInput> = new Map(),
  ) {
    this.vhosts = vhosts;
    for (const [name, vhost] of vhosts) this.setMeta(vhost, vhostMetadata(name, recovered.get(name)));
    this.clock = clock;
    this.listener = listener;
    this.prepare = prepare;
  }

  /** Creates the vhost; returns undefined when it exists already. Throws RangeError for a name connection.open cannot carry. */
  create(name: string, input?: VhostMetadataInput): VirtualHost | undefined {
    if (name === '' || Buffer.byteLength(name) > MAX_NAME_BYTES) {
      throw new RangeError(`a vhost name must be 1 to ${MAX_NAME_BYTES} bytes of UTF-8, got ${Buffer.byteLength(name)}`);
    }
    if (this.vhosts.has(name)) return undefined;
    const meta = vhostMetadata(name, input); // a bad value throws before anything changes
    const vhost = new VirtualHost(name, this.clock, this.listener);
    this.prepare(vhost);
    this.setMeta(vhost, meta);
    this.listener?.vhostCreated(name, meta);
    this.vhosts.set(name, vhost);
    return vhost;
  }

  /** The vhost's metadata and limits; undefined when there is no such vhost. */
  meta(name: string): VhostMetadata | undefined {
    return this.vhosts.has(name) ? this.metadata.get(name) : undefined;
  }

  /** Changes what is given (limits replace the limits as a whole); returns the result, or undefined when there is no such vhost. */
  update(name: string, input: VhostMetadataInput): VhostMetadata | undefined {
    const vhost = this.vhosts.get(name);
    const current = this.metadata.get(name);
    if (vhost === undefined || current === undefined) return undefined;
    const meta = vhostMetadata(name, input, current);
    this.setMeta(vhost, meta);
    this.listener?.vhostCreated(name, meta);
    return meta;
  }

  private setMeta(vhost: VirtualHost, meta: VhostMetadata): void {
    this.metadata.set(vhost.name, meta);
    vhost.maxQueues = meta.limits.maxQueues;
    vhost.defaultQueueType = meta.defaultQueueType;
  }

  /**
   * Takes the vhost out of the table (new connections to it are refused from now on); returns it,
   * or undefined when there is none. Its contents go in destroy(), once its connections are closed.
   */
  detach(name: string): VirtualHost | undefined {
    const vhost = this.vhosts.get(name);
    if (vhost !== undefined) this.vhosts.delete(name);
    this.metadata.delete(name);
    return vhost;
  }

  /** Deletes every queue (with its stored messages) and exchange of a detached vhost, then the vhost's record. */
  destroy(vhost: VirtualHost): void {
    vhost.destroy();
    this.listener?.vhostDeleted(vhost.name);
  }

  /** Resolves once every record written so far (these changes included) is on disk. */
  whenSynced(): Promise<void> {
    const listener = this.listener;
    if (listener === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      if (!listener.whenDefinitionsSynced(listener.definitionsMark(), () => resolve())) resolve();
    });
  }
}
