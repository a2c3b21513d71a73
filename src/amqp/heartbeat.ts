import { FRAME_END, FrameType } from '../protocol/constants.js';
import type { Outbound } from './outbound.js';

const HEARTBEAT_FRAME = Buffer.from([FrameType.Heartbeat, 0, 0, 0, 0, 0, 0, FRAME_END]);

/**
 * Heartbeats for one connection, driven by the server's shared ticker. Traffic is noted per tick
 * (a flag, not a clock read per frame), so the times are late by at most one tick.
 */
export class Heartbeat {
  intervalMs = 0;
  private readSinceTick = true;
  private lastReadAt: number;
  private lastWriteAt: number;

  constructor(now: number) {
    this.lastReadAt = now;
    this.lastWriteAt = now;
  }

  noteRead(): void {
    this.readSinceTick = true;
  }

  /**
   * Sends a heartbeat when we were quiet; returns false when the peer is dead. While we are not
   * reading (flow control paused the socket) the peer cannot be judged, as RabbitMQ pauses its
   * heartbeat receiver for a blocked connection.
   */
  tick(now: number, outbound: Outbound, readingPaused = false): boolean {
    if (this.readSinceTick || readingPaused) {
      this.readSinceTick = false;
      this.lastReadAt = now;
    }
    if (outbound.wroteSinceTick) {
      outbound.wroteSinceTick = false;
      this.lastWriteAt = now;
    }
    if (this.intervalMs === 0) return true;
    // Send after half an interval of silence, so the peer hears from us well within one interval
    // even with the tick's lateness (a client may drop us after one silent interval: amqp-client does).
    if (now - this.lastWriteAt >= this.intervalMs / 2) {
      outbound.writer.bytes(HEARTBEAT_FRAME);
      outbound.writer.frames++;
      outbound.flush();
      outbound.wroteSinceTick = false;
      this.lastWriteAt = now;
    }
    // RabbitMQ's rule: the peer is dead after two full intervals without a byte from it.
    return now - this.lastReadAt < 2 * this.intervalMs;
  }
}
