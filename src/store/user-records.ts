/** Users and vhost metadata as the definitions log records them. */

/** A user as the log keeps it: the password's salted hash (base64), never the password. */
export interface UserDef {
  readonly name: string;
  readonly passwordHash: string;
  readonly hashingAlgorithm: string;
  readonly tags: readonly string[];
  readonly loopbackOnly: boolean;
  readonly limits: { readonly maxConnections?: number; readonly maxChannels?: number };
}

/** A vhost's metadata and limits; optional JSON fields, so records of earlier releases (a name only) still read. */
export interface VhostMeta {
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly defaultQueueType?: string;
  readonly limits?: { readonly maxConnections?: number; readonly maxQueues?: number };
}
