/**
 * Failed logins per peer IP address, so that a password guesser is slowed and nobody else is:
 * after FREE_FAILURES failures within WINDOW_MS, each further refusal from that address waits
 * before it is sent, doubling from FIRST_DELAY_MS up to the configured maximum (RabbitMQ waits a
 * fixed 3 s, its SILENT_CLOSE_DELAY, before closing a failed handshake). A successful login is
 * never delayed, from any address. Memory is bounded: at most MAX_PEERS addresses are remembered,
 * the least recently failing one forgotten first.
 */
const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 250;
const WINDOW_MS = 60_000;
const MAX_PEERS = 4096;

interface Failures {
  count: number;
  last: number;
}

export class LoginThrottle {
  private readonly peers = new Map<string, Failures>();
  private readonly maxDelayMs: number;

  /** maxDelayMs 0 turns the delay off (the failures are still counted, for the log). */
  constructor(maxDelayMs: number) {
    this.maxDelayMs = maxDelayMs;
  }

  /** Records a failure from address at now; returns how long the refusal should wait (ms) and the count in the window. */
  failed(address: string, now: number): { delayMs: number; failures: number } {
    let entry = this.peers.get(address);
    if (entry !== undefined) {
      this.peers.delete(address); // re-inserted last: Map order is least recently failing first
      if (now - entry.last > WINDOW_MS) entry = undefined;
    }
    const failures = (entry?.count ?? 0) + 1;
    this.peers.set(address, { count: failures, last: now });
    if (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value as string);
    const over = failures - FREE_FAILURES;
    const delayMs = over <= 0 || this.maxDelayMs === 0 ? 0 : Math.min(this.maxDelayMs, FIRST_DELAY_MS * 2 ** Math.min(over - 1, 20));
    return { delayMs, failures };
  }

  /** How many addresses are remembered (tests check the bound). */
  get size(): number {
    return this.peers.size;
  }
}
