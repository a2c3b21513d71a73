/**
 * Permission records of the definitions log: a user's configure/write/read patterns per vhost and
 * topic patterns per (vhost, exchange), and the one-time mark that the configured permissions
 * seeded the log (so a log written before permissions existed is seeded at its next start, and a
 * log whose permissions were all cleared on purpose stays cleared).
 */

export interface PermissionDef {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export interface TopicPermissionDef {
  readonly user: string;
  readonly vhost: string;
  readonly exchange: string;
  readonly write: string;
  readonly read: string;
}

export type PermissionRecord =
  | ({ readonly op: 'put-permission' } & PermissionDef)
  | { readonly op: 'del-permission'; readonly user: string; readonly vhost: string }
  | ({ readonly op: 'put-topic-permission' } & TopicPermissionDef)
  | { readonly op: 'del-topic-permission'; readonly user: string; readonly vhost: string; readonly exchange: string }
  | { readonly op: 'permissions-seeded' };

export interface PermissionState {
  readonly permissions: Map<string, PermissionDef>;
  readonly topicPermissions: Map<string, TopicPermissionDef>;
  seeded: boolean;
}

export function emptyPermissionState(): PermissionState {
  return { permissions: new Map(), topicPermissions: new Map(), seeded: false };
}

const key = (...parts: string[]): string => parts.join('\u0000');

export function isPermissionRecord(r: { readonly op: string }): r is PermissionRecord {
  return r.op === 'put-permission' || r.op === 'del-permission' || r.op === 'put-topic-permission' || r.op === 'del-topic-permission' || r.op === 'permissions-seeded';
}

export function applyPermission(s: PermissionState, r: PermissionRecord): void {
  switch (r.op) {
    case 'put-permission':
      s.permissions.set(key(r.user, r.vhost), { user: r.user, vhost: r.vhost, configure: r.configure, write: r.write, read: r.read });
      return;
    case 'del-permission':
      s.permissions.delete(key(r.user, r.vhost));
      return;
    case 'put-topic-permission':
      s.topicPermissions.set(key(r.user, r.vhost, r.exchange), {
        user: r.user,
        vhost: r.vhost,
        exchange: r.exchange,
        write: r.write,
        read: r.read,
      });
      return;
    case 'del-topic-permission':
      s.topicPermissions.delete(key(r.user, r.vhost, r.exchange));
      return;
    case 'permissions-seeded':
      s.seeded = true;
      return;
  }
}

/** A deleted vhost's permissions go with it, as in RabbitMQ. */
export function dropVhostPermissions(s: PermissionState, vhost: string): void {
  for (const [k, p] of s.permissions) if (p.vhost === vhost) s.permissions.delete(k);
  for (const [k, p] of s.topicPermissions) if (p.vhost === vhost) s.topicPermissions.delete(k);
}

export function* permissionSnapshot(s: PermissionState): Iterable<PermissionRecord> {
  if (s.seeded) yield { op: 'permissions-seeded' };
  for (const p of s.permissions.values()) yield { op: 'put-permission', ...p };
  for (const t of s.topicPermissions.values()) yield { op: 'put-topic-permission', ...t };
}
