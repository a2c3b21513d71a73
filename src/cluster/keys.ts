import { createHash } from 'node:crypto';

/**
 * KV keys and NATS subjects. KV keys allow only [-/_=.a-zA-Z0-9] and '.' separates tokens, while
 * vhost, exchange and queue names are any UTF-8 (up to 255 bytes, dots and spaces included), so each
 * name is one token: 'v' + its UTF-8 in base64url (the 'v' keeps an empty name from making an empty
 * token). A binding has no name: its key is a SHA-256 of what identifies it.
 *
 *   x.<vhost>.<exchange>   q.<vhost>.<queue>   b.<vhost>.<sha256 of source, kind, destination, key, arguments>
 */
export function token(text: string): string {
  return 'v' + Buffer.from(text, 'utf8').toString('base64url');
}

export function untoken(tok: string): string {
  return Buffer.from(tok.slice(1), 'base64url').toString('utf8');
}

export function exchangeKey(vhost: string, name: string): string {
  return `x.${token(vhost)}.${token(name)}`;
}

export function queueKey(vhost: string, name: string): string {
  return `q.${token(vhost)}.${token(name)}`;
}

export function bindingKey(vhost: string, source: string, kind: 'queue' | 'exchange', destination: string, routingKey: string, args: string): string {
  const id = createHash('sha256').update(JSON.stringify([source, kind, destination, routingKey, args])).digest('base64url');
  return `b.${token(vhost)}.${id}`;
}

/** The subject a live node answers pings on: a second node of the same name is refused at start-up. */
export function nodePingSubject(node: string): string {
  return `warren.node.${token(node)}.ping`;
}

/** The subject a node takes forwarded messages on (cluster/forward.ts): publishes routed elsewhere to its queues. */
export function nodeForwardSubject(node: string): string {
  return `warren.node.${token(node)}.fwd`;
}

/** Cross-node consuming (cluster/remote-consume.ts): consume requests and control batches to a node, and deliveries to it. */
export function nodeConsumeSubject(node: string): string {
  return `warren.node.${token(node)}.consume`;
}

export function nodeDeliverSubject(node: string): string {
  return `warren.node.${token(node)}.deliver`;
}

/**
 * Definitions beyond topology (cluster/access-records.ts), each vhost-scoped one with the vhost's
 * token second, so that `*.<vhost>.>` names everything of a vhost:
 *
 *   vh.<vhost>   u.<user>   p.<vhost>.<user>   tp.<vhost>.<user>.<exchange>   pol.<vhost>.<policy>   opol.<vhost>.<policy>
 */
export function vhostKey(vhost: string): string {
  return `vh.${token(vhost)}`;
}

export function userKey(user: string): string {
  return `u.${token(user)}`;
}

export function permissionKey(vhost: string, user: string): string {
  return `p.${token(vhost)}.${token(user)}`;
}

export function topicPermissionKey(vhost: string, user: string, exchange: string): string {
  return `tp.${token(vhost)}.${token(user)}.${token(exchange)}`;
}

export function policyKey(kind: 'policy' | 'operator_policy', vhost: string, name: string): string {
  return `${kind === 'policy' ? 'pol' : 'opol'}.${token(vhost)}.${token(name)}`;
}

/** Every key of a vhost's objects (not its own record): what goes from the bucket with the vhost. */
export function vhostContentsFilter(vhost: string): string {
  return `*.${token(vhost)}.>`;
}

/** A user's permissions and topic permissions in every vhost: what goes from the bucket with the user. */
export function userPermissionFilters(user: string): string[] {
  return [`p.*.${token(user)}`, `tp.*.${token(user)}.*`];
}
