/**
 * What the first start of a data directory seeded: the configured users and the vhosts there were
 * then. RabbitMQ gives its default user full permissions ('.*' '.*' '.*') on the default vhost; Warren
 * gives every seeded user those permissions on every seeded vhost.
 */
export interface Seeded {
  readonly users: readonly string[];
  readonly vhosts: readonly string[];
}

/** One permission grant: configure, write and read regexes of a user on a vhost. */
export type GrantPermissions = (user: string, vhost: string, configure: string, write: string, read: string) => void;

/**
 * TODO(secperms): wire `grant` to the permission store (issue 12, permissions part). Until the
 * permission store exists every user may use every vhost, so there is nothing to record yet; the
 * broker calls this once, at seeding, with grant undefined.
 */
export function seedDefaultPermissions(seeded: Seeded, grant: GrantPermissions | undefined): void {
  if (grant === undefined) return;
  for (const user of seeded.users) for (const vhost of seeded.vhosts) grant(user, vhost, '.*', '.*', '.*');
}
