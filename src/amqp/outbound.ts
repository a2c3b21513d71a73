import type { Transport } from './transport.js';
import { Writer } from '../protocol/writer.js';

/** Above this many buffered bytes a flush happens at once instead of on the next microtask. */
const FLUSH_THRESHOLD = 64 * 1024;
const INITIAL_BUFFER = 2 * 1024;
/**
 * Bodies this large go to the socket by reference (one gathered write per flush, cork + writev) instead
 * of being copied into the writer and copied out again: on a multi-gigabyte drain of 64 KiB bodies those
 * two copies were most of the broker's allocation, and the old-space collections they caused were the
 * unrelated clients' slowest round trips (bench/paging-stalls.ts). Smaller bodies are cheaper copied
 * than written as chunks of their own.
 */
const REFER_BODIES_ABOVE = 16 * 1024;
/** A writer grown past this by a burst is given back after the flush. */
const SHRINK_ABOVE = 256 * 1024;
/**
 * The output bound: past OUTPUT_HIGH bytes waiting to go out (a client not reading its replies), the
 * connection's input is held ('output') until 'drain' brings them under OUTPUT_LOW. Checked after
 * every frame, so one 64 KB read of basic.get frames adds at most one reply beyond the mark.
 */
const OUTPUT_HIGH = 1024 * 1024;
const OUTPUT_LOW = 256 * 1024;

/** The part of InputHold the output bound uses. */
export interface OutputHold {
  hold(reason: 'output'): void;
  release(reason: 'output'): void;
  has(reason: 'output'): boolean;
}

/**
 * A connection's outgoing frames. Everything written during one turn of the event loop goes
 * out in one socket write (flushed on a microtask, or early above FLUSH_THRESHOLD). When the
 * socket's buffer is full (`write()` returned false) `writable` turns false, and consumers on
 * this connection stop receiving until 'drain'.
 */
export class Outbound {
  // Small to start: an idle connection should cost little memory (the target is 25 KB of RSS per
  // connection); the writer doubles as a busy one needs, and shrinks back after a flush.
  readonly writer = new Writer(INITIAL_BUFFER, REFER_BODIES_ABOVE);
  writable = true;
  /** Set by every socket write, cleared by the connection's ticker: heartbeats are sent only on silence. */
  wroteSinceTick = false;
  /** Bytes handed to the socket, counted per write batch (a connection's bytes out). */
  bytesOut = 0;
  private scheduled = false;
  private closed = false;
  private readonly socket: Transport;
  private input: OutputHold | undefined;

  constructor(socket: Transport, onDrain: () => void) {
    this.socket = socket;
    socket.on('drain', () => {
      this.writable = true;
      if (this.input?.has('output') === true && this.buffered <= OUTPUT_LOW) this.input.release('output');
      onDrain();
    });
  }

  /** Whose input to hold while the peer does not read. */
  bindInput(input: OutputHold): void {
    this.input = input;
  }

  /** After each frame handled: a client that does not read its replies stops being read. */
  checkBound(): void {
    if (this.input === undefined || this.socket.writableLength + this.writer.length <= OUTPUT_HIGH || this.input.has('output')) return;
    this.input.hold('output');
    this.flush(); // into the socket, so that its 'drain' releases the hold
  }

  /** Bytes written by the broker and not yet taken by the kernel: the socket's buffer plus ours (referenced bodies included). */
  get buffered(): number {
    return this.socket.writableLength + this.writer.length;
  }

  /** Call after appending frames to `writer`. */
  commit(): void {
    if (this.writer.length >= FLUSH_THRESHOLD) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushTask);
    }
  }

  private readonly flushTask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  flush(): void {
    const w = this.writer;
    if (w.length === 0) return;
    if (this.closed || this.socket.destroyed) {
      w.reset();
      return;
    }
    this.wroteSinceTick = true;
    this.bytesOut += w.length;
    let ok: boolean;
    if (w.referencedBytes === 0) {
      ok = this.socket.write(w.take());
    } else {
      // Corked, the chunks reach the socket's _writev together: one gathered write, no concatenation.
      const chunks = w.takeChunks();
      const socket = this.socket;
      socket.cork();
      ok = true;
      for (const c of chunks) ok = socket.write(c);
      socket.uncork();
    }
    if (w.buf.length > SHRINK_ABOVE) w.buf = Buffer.allocUnsafe(INITIAL_BUFFER);
    if (!ok) this.writable = false;
  }

  /** Flushes what is buffered, then ends the socket once written. */
  end(): void {
    this.flush();
    this.closed = true;
    this.writable = false;
    this.socket.end();
  }

  close(): void {
    this.closed = true;
    this.writable = false;
    this.writer.reset();
  }
}
