import type { TopicPermission, VhostPermission } from '../core/security/permissions.js';
import type { UserRecord } from '../core/security/users.js';
import type { VhostMetadata } from '../core/vhost-meta.js';
import type { PolicyDef, PolicyKindName } from '../store/policy-records.js';
import { permissionKey, policyKey, topicPermissionKey, userKey, vhostKey } from './keys.js';

/**
 * What the metadata bucket holds for vhosts, users, permissions and policies (JSON, beside the
 * topology records of cluster/records.ts). A deletion is a put of the record's identity with
 * `deleted: true` (a tombstone): a node that was down when it happened sees it at its join, so it
 * drops what its own definitions log still had instead of writing it back. Each record is built
 * with its fields in one order, so that two nodes holding the same value write the same text: a
 * node compares that text (without `origin`) with what the bucket last said, to tell its own
 * echo and an applied remote change from a new local one.
 */
export type AccessRecord =
  | { readonly kind: 'vhost'; readonly name: string; readonly meta?: VhostMetadata; readonly deleted?: true }
  | { readonly kind: 'user'; readonly name: string; readonly user?: Omit<UserRecord, 'name'>; readonly deleted?: true }
  | { readonly kind: 'permission'; readonly vhost: string; readonly user: string; readonly configure?: string; readonly write?: string; readonly read?: string; readonly deleted?: true }
  | { readonly kind: 'topic-permission'; readonly vhost: string; readonly user: string; readonly exchange: string; readonly write?: string; readonly read?: string; readonly deleted?: true }
  | { readonly kind: 'policy'; readonly policyKind: PolicyKindName; readonly vhost: string; readonly name: string; readonly policy?: PolicyDef; readonly deleted?: true };

export type AccessKind = AccessRecord['kind'];

const KINDS: ReadonlySet<string> = new Set<AccessKind>(['vhost', 'user', 'permission', 'topic-permission', 'policy']);

export function isAccessRecord(r: { readonly kind?: unknown }): r is AccessRecord {
  return typeof r.kind === 'string' && KINDS.has(r.kind);
}

/** Applied in this order at a join: a vhost before what lives in it, a user before its permissions. */
export const ACCESS_ORDER: Readonly<Record<AccessKind, number>> = { vhost: 0, user: 1, permission: 2, 'topic-permission': 3, policy: 4 };

export function vhostRecord(name: string, meta: VhostMetadata): AccessRecord {
  const { description, tags, defaultQueueType, limits } = meta;
  const l = { ...(limits.maxConnections === undefined ? {} : { maxConnections: limits.maxConnections }), ...(limits.maxQueues === undefined ? {} : { maxQueues: limits.maxQueues }) };
  return { kind: 'vhost', name, meta: { description, tags: [...tags], defaultQueueType, limits: l } };
}

export function userRecord(u: UserRecord): AccessRecord {
  const limits = { ...(u.limits.maxConnections === undefined ? {} : { maxConnections: u.limits.maxConnections }), ...(u.limits.maxChannels === undefined ? {} : { maxChannels: u.limits.maxChannels }) };
  return { kind: 'user', name: u.name, user: { passwordHash: u.passwordHash, hashingAlgorithm: u.hashingAlgorithm, tags: [...u.tags], loopbackOnly: u.loopbackOnly, limits } };
}

export function permissionRecord(p: VhostPermission): AccessRecord {
  return { kind: 'permission', vhost: p.vhost, user: p.user, configure: p.configure, write: p.write, read: p.read };
}

export function topicPermissionRecord(p: TopicPermission): AccessRecord {
  return { kind: 'topic-permission', vhost: p.vhost, user: p.user, exchange: p.exchange, write: p.write, read: p.read };
}

export function policyRecord(kind: PolicyKindName, d: PolicyDef): AccessRecord {
  const policy: PolicyDef = { vhost: d.vhost, name: d.name, pattern: d.pattern, 'apply-to': d['apply-to'], priority: d.priority, definition: d.definition };
  return { kind: 'policy', policyKind: kind, vhost: d.vhost, name: d.name, policy };
}

/** The tombstone of a record: its identity only. */
export function tombstone(r: AccessRecord): AccessRecord {
  switch (r.kind) {
    case 'vhost':
    case 'user':
      return { kind: r.kind, name: r.name, deleted: true };
    case 'permission':
      return { kind: r.kind, vhost: r.vhost, user: r.user, deleted: true };
    case 'topic-permission':
      return { kind: r.kind, vhost: r.vhost, user: r.user, exchange: r.exchange, deleted: true };
    case 'policy':
      return { kind: r.kind, policyKind: r.policyKind, vhost: r.vhost, name: r.name, deleted: true };
  }
}

export function accessKey(r: AccessRecord): string {
  switch (r.kind) {
    case 'vhost':
      return vhostKey(r.name);
    case 'user':
      return userKey(r.name);
    case 'permission':
      return permissionKey(r.vhost, r.user);
    case 'topic-permission':
      return topicPermissionKey(r.vhost, r.user, r.exchange);
    case 'policy':
      return policyKey(r.policyKind, r.vhost, r.name);
  }
}

/** The vhost a record lives in (undefined for a vhost's own record and a user's). */
export function vhostOf(r: AccessRecord): string | undefined {
  return r.kind === 'vhost' || r.kind === 'user' ? undefined : r.vhost;
}

/** The record's text without the writer (what two nodes compare). */
export function bodyOf(r: AccessRecord): string {
  const { origin: _origin, ...rest } = r as AccessRecord & { origin?: string };
  return JSON.stringify(rest);
}
