import { createHash } from 'node:crypto';
import { token } from '../keys.js';

/**
 * The owner node a quorum queue's stub names on every node: no node can take this name (--node-name
 * allows letters, digits, . _ - only), so the router hands its messages to the cluster layer
 * (RemoteForwarder) on every node, the declaring one included, and the metadata bucket's queue record
 * says "on JetStream" rather than naming a node.
 */
export const QUORUM_OWNER = '@jetstream';

function hash(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length).replace(/[-_]/g, 'x');
}

/**
 * One stream per vhost (every stream is a Raft group): WARREN_Q_<hash of the vhost name>. Its
 * subjects are warren.q.<vhost token>.<queue token>, one per queue, so each queue's durable consumer
 * filters exactly its own subject and WorkQueue retention holds (filters never overlap).
 */
export function streamName(vhost: string): string {
  return `WARREN_Q_${hash(vhost, 20)}`;
}

export function streamSubjects(vhost: string): string {
  return `warren.q.${token(vhost)}.*`;
}

export function queueSubject(vhost: string, queue: string): string {
  return `warren.q.${token(vhost)}.${token(queue)}`;
}

/** The durable consumer of one queue: a hash (a queue name may be 255 bytes of any UTF-8). */
export function consumerName(queue: string): string {
  return `q_${hash(queue, 24)}`;
}
