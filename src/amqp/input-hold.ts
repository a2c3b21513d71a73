import type { Transport } from './transport.js';
import type { FrameParser } from '../protocol/frame-parser.js';

/**
 * Why a connection's input is held. Each reason is independent: input flows again only when every
 * held reason has been released.
 * - alarm:  a memory or disk alarm is on and this connection publishes (connection.blocked).
 * - output: the client is not reading its replies; its outbound bytes passed the high mark.
 * - sync:   a reply waits for an fsync; later requests wait too, so replies stay in order.
 * - cluster: a reply waits for the cluster's metadata write (JetStream KV); later requests wait too.
 * - work:   a long piece of work (e.g. a tx.commit of many messages) runs in slices. Work holds
 *           nest: input flows again when every piece of work that held it has released it.
 */
/**
 * The contract Connection.holdInput/releaseInput offer:
 * - holdInput(reason): the frame being handled is finished, then nothing more is dispatched; the rest
 *   of the current socket chunk is kept (a view, at most one chunk) and the socket is paused.
 * - releaseInput(reason): when no reason is left, the kept bytes are parsed on a microtask and then
 *   the socket resumes. Releasing a reason that is not held does nothing; holding twice is one hold, except for
 *   'work', whose holds count (each release ends one).
 * - Heartbeat receive timeouts are suspended while any reason holds input (the peer is not silent,
 *   we are not listening), and a connection.close from us releases every hold so close-ok is read.
 * Frames are never reordered or dropped by a hold; replies written before it stay in order.
 */
export const INPUT_HOLD = { alarm: 1, output: 2, sync: 4, work: 8, cluster: 16 } as const;
export type InputHoldReason = keyof typeof INPUT_HOLD;

/**
 * Holds and releases a connection's input: the parser stops after the frame being handled (keeping
 * the rest of its chunk) and the socket stops reading. Releasing the last reason parses the kept
 * bytes on a microtask (never inside the caller's stack, which may be a disk-sync callback or
 * another connection's drain), and resumes the socket only if nothing held input again meanwhile.
 */
export class InputHold {
  private held = 0;
  /** Pieces of sliced work holding input ('work'); two may overlap (e.g. a tx.commit's settles). */
  private work = 0;
  private resumeScheduled = false;
  /** After releaseAll(): the connection is closing and must read its peer's close-ok; no more holds. */
  private ended = false;
  private readonly parser: FrameParser;
  private readonly socket: Transport;
  /** Parses the kept bytes under the connection's error guard; may hold input again. */
  private readonly parseRetained: () => void;

  constructor(parser: FrameParser, socket: Transport, parseRetained: () => void) {
    this.parser = parser;
    this.socket = socket;
    this.parseRetained = parseRetained;
  }

  /** Some reason holds input now. */
  get active(): boolean {
    return this.held !== 0;
  }

  has(reason: InputHoldReason): boolean {
    return (this.held & INPUT_HOLD[reason]) !== 0;
  }

  hold(reason: InputHoldReason): void {
    if (this.ended) return;
    if (reason === 'work') this.work++;
    if (this.held === 0) {
      this.parser.pause();
      this.socket.pause();
    }
    this.held |= INPUT_HOLD[reason];
  }

  release(reason: InputHoldReason): void {
    const bit = INPUT_HOLD[reason];
    if ((this.held & bit) === 0) return;
    if (reason === 'work' && --this.work > 0) return;
    this.held &= ~bit;
    if (this.held === 0) this.scheduleResume();
  }

  /** The connection is closing: its close-ok must be read whatever held it. */
  releaseAll(): void {
    this.ended = true;
    this.work = 0;
    if (this.held === 0) return;
    this.held = 0;
    this.scheduleResume();
  }

  private scheduleResume(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    queueMicrotask(this.resume);
  }

  private readonly resume = (): void => {
    this.resumeScheduled = false;
    if (this.held !== 0) return;
    this.parseRetained();
    if (this.held === 0 && !this.socket.destroyed) this.socket.resume();
  };
}
