/** A vhost's description, tags, default queue type and limits (rabbitmqctl add_vhost / set_vhost_limits). */
export interface VhostLimits {
  readonly maxConnections?: number;
  readonly maxQueues?: number;
}

export interface VhostMetadata {
  readonly description: string;
  readonly tags: readonly string[];
  readonly defaultQueueType: string;
  readonly limits: VhostLimits;
}

/** What createVhost and updateVhost take: any subset. */
export interface VhostMetadataInput {
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly defaultQueueType?: string;
  readonly limits?: VhostLimits;
}

const QUEUE_TYPES = ['classic', 'quorum'];

export const DEFAULT_VHOST_METADATA: VhostMetadata = Object.freeze({ description: '', tags: Object.freeze([]), defaultQueueType: 'classic', limits: Object.freeze({}) });

/** Merges input over base; throws RangeError for a value RabbitMQ would refuse. */
export function vhostMetadata(name: string, input: VhostMetadataInput | undefined, base: VhostMetadata = DEFAULT_VHOST_METADATA): VhostMetadata {
  const defaultQueueType = input?.defaultQueueType ?? base.defaultQueueType;
  if (!QUEUE_TYPES.includes(defaultQueueType)) {
    throw new RangeError(`vhost '${name}': default queue type must be one of ${QUEUE_TYPES.join(', ')}, got '${defaultQueueType}'`);
  }
  const limits: { maxConnections?: number; maxQueues?: number } = {};
  for (const key of ['maxConnections', 'maxQueues'] as const) {
    const value = input?.limits === undefined ? base.limits[key] : input.limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value)) throw new RangeError(`vhost '${name}': ${key} must be an integer, got ${String(value)}`);
    // As rabbitmqctl set_vhost_limits: a negative value means no limit, 0 refuses everything.
    if (value >= 0) limits[key] = value;
  }
  const tags = [...new Set((input?.tags ?? base.tags).map((t) => t.trim()).filter((t) => t !== ''))];
  return Object.freeze({ description: input?.description ?? base.description, tags: Object.freeze(tags), defaultQueueType, limits: Object.freeze(limits) });
}
