/**
 * Who is acting: the authenticated user, on which vhost, over which connection. One immutable
 * object per connection, made at connection.open; core compares principals by connection id
 * (never by object identity), so exclusive ownership and access checks work the same for a
 * connection served by another layer or node.
 */
export interface Principal {
  readonly user: string;
  readonly vhost: string;
  /** Node-qualified (the registry's id); '' for the broker itself, which owns no exclusive queue. */
  readonly connectionId: string;
}

export function connectionPrincipal(user: string, vhost: string, connectionId: string): Principal {
  return Object.freeze({ user, vhost, connectionId });
}

/** The broker acting on its own behalf (recovery, operator commands): not any connection. */
export function brokerPrincipal(vhost: string): Principal {
  return Object.freeze({ user: '', vhost, connectionId: '' });
}

/** Both absent, or the same connection. */
export function sameOwner(a: Principal | undefined, b: Principal | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.connectionId === b.connectionId);
}
