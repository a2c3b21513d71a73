/**
 * Calls fn until it yields a value (anything but undefined, null or false), for results that a
 * broker may produce asynchronously, such as a dead-lettered message. Fails after timeoutMs.
 */
export async function pollFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A promise with its resolve function, for events a test awaits later. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The broker URL with other credentials, for the failed-login half of scenario 1. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}
