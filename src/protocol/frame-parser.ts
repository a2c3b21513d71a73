import {
  FRAME_END,
  FRAME_HEADER_SIZE,
  FRAME_OVERHEAD,
  FrameType,
  PROTOCOL_HEADER,
  CONTENT_HEADER_PREFIX_SIZE,
} from './constants.js';
import { DecodeError } from './errors.js';
import { decodeMethod, METHOD_IDS, type Method } from './methods.generated.js';
import { needsEscapedWrite } from '../util/wire-string.js';

export interface FrameSink {
  /** A valid 'AMQP' 0 0 9 1 was seen (only when expectProtocolHeader). */
  onProtocolHeader(): void;
  onMethod(channel: number, method: Method): void;
  /**
   * properties = property flags + list, a view. source: views with the same source share one backing
   * store (a caller deciding whether to copy compares these instead of reading `.buffer`, a C++ call).
   */
  onContentHeader(channel: number, classId: number, bodySize: number, properties: Buffer, source: number): void;
  /** A view into the chunk (or into the one buffer a split frame was gathered in); safe to keep. */
  onBody(channel: number, body: Buffer, source: number): void;
  onHeartbeat(channel: number): void;
}

export interface FrameParserOptions {
  /** Largest whole frame accepted (payload + 8), as negotiated in connection.tune-ok. */
  frameMax: number;
  expectProtocolHeader?: boolean;
  /**
   * Refuse shortstrs that are not UTF-8 outside basic.publish (501, as RabbitMQ 3.10). Default: when
   * parsing a client's frames, i.e. when a protocol header is expected. A client parsing the server's
   * frames must accept them: basic.deliver and basic.return echo a publisher's bytes.
   */
  utf8Names?: boolean;
}

const HEADER_LEN = PROTOCOL_HEADER.length;
const PROPERTY_FLAGS_SIZE = 2;

/**
 * Incremental frame parser: bytes in, frames out to a sink. Pure and split-safe.
 *
 * - A frame that lies inside one chunk is dispatched as views into that chunk (no copy).
 * - A frame split across chunks is gathered into one buffer of exactly its declared size, allocated only
 *   after the size passed the frameMax check; at most one frame is ever buffered.
 * - Bad input ends in a DecodeError that `push` returns (never throws); the parser then stays failed.
 * - Exceptions thrown by the sink propagate unchanged and halt the parser (the rest of that chunk is
 *   lost, so the stream cannot be resumed).
 * - pause() (typically called by the sink while it handles a frame) stops dispatching after the current
 *   frame. The unconsumed rest of that chunk is kept as a view, so what a paused parser holds is bounded
 *   by one chunk; resume() dispatches it before anything pushed later. Pausing never changes the frames
 *   produced, only when they are produced.
 */
export class FrameParser {
  private readonly sink: FrameSink;
  private frameMax: number;
  private error: DecodeError | undefined = undefined;
  private halted = false;
  /** Protocol-header bytes matched so far; HEADER_LEN when none is expected or it is complete. */
  private headerMatched: number;
  /** A frame header split across chunks is gathered here. */
  private readonly head = Buffer.alloc(FRAME_HEADER_SIZE);
  private headLen = 0;
  /** The frame being gathered across chunks: payload + frame-end octet. */
  private partial: Buffer | undefined = undefined;
  private partialLen = 0;
  private partialType = 0;
  private partialChannel = 0;
  private readonly utf8Names: boolean;
  private isPaused = false;
  /** Bytes not yet parsed because of pause(): the rest of one chunk, a view (or chunks pushed while paused). */
  private retained: Buffer | undefined = undefined;
  /** Inside run(): resume() then only clears the flag and lets the running loop go on. */
  private running = false;
  /** The buffer the last views were cut from; forgotten at the end of each push, so an idle connection pins no chunk. */
  private viewSource: Buffer | undefined = undefined;
  /** Changes with viewSource: the `source` of onContentHeader and onBody. */
  private viewSerial = 0;
  /** Bytes pushed, counted once per chunk (kept bytes re-parsed by resume() are not counted again). */
  bytesIn = 0;
  /** Frames dispatched to the sink, heartbeats included. */
  framesIn = 0;

  constructor(sink: FrameSink, options: FrameParserOptions) {
    this.sink = sink;
    this.frameMax = checkFrameMax(options.frameMax);
    this.headerMatched = options.expectProtocolHeader === true ? 0 : HEADER_LEN;
    this.utf8Names = options.utf8Names ?? options.expectProtocolHeader === true;
  }

  /** Applies to frames whose header has not been read yet. */
  setFrameMax(frameMax: number): void {
    this.frameMax = checkFrameMax(frameMax);
  }

  get failed(): DecodeError | undefined {
    return this.error;
  }

  /** True after stop() or after the sink threw. */
  get stopped(): boolean {
    return this.halted;
  }

  /**
   * Called by the sink (e.g. when the connection closes): ignores the rest of the current push and every
   * later one. Permanent, since dropping bytes mid-stream loses frame sync.
   */
  stop(): void {
    this.halted = true;
    this.retained = undefined;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Bytes kept by pause() and not parsed yet. */
  get retainedBytes(): number {
    return this.retained?.length ?? 0;
  }

  /** Memory this parser holds for its peer: kept bytes and the frame being gathered. */
  get bufferedBytes(): number {
    return this.retainedBytes + (this.partial?.length ?? 0);
  }

  /** Stops dispatching after the frame being dispatched now (if any); later bytes are kept for resume(). */
  pause(): void {
    this.isPaused = true;
  }

  /**
   * Dispatches the bytes kept while paused, then accepts pushes again. Returns like push(). Called from
   * inside a sink callback, it just lets the parse in progress continue.
   */
  resume(): DecodeError | undefined {
    if (!this.isPaused) return this.error;
    this.isPaused = false;
    if (this.running || this.error !== undefined || this.halted) return this.error;
    const rest = this.retained;
    if (rest === undefined) return undefined;
    this.retained = undefined;
    this.bytesIn -= rest.length; // counted when first pushed
    return this.push(rest);
  }

  /**
   * Feeds bytes. Returns undefined, or the DecodeError that stopped the parser (it stays stopped; later
   * pushes return the same error). Never throws for bad input. Sink exceptions propagate unchanged.
   */
  push(chunk: Buffer): DecodeError | undefined {
    this.bytesIn += chunk.length;
    if (this.error !== undefined) return this.error;
    if (this.halted) return undefined;
    if (this.isPaused || this.retained !== undefined) {
      // A caller should stop pushing while paused (the connection pauses its socket); bytes that come
      // anyway are kept in order rather than lost.
      this.retained = this.retained === undefined ? chunk : Buffer.concat([this.retained, chunk]);
      if (this.isPaused) return undefined;
      chunk = this.retained;
      this.retained = undefined;
    }
    this.running = true;
    try {
      this.run(chunk);
    } catch (err) {
      this.halted = true;
      this.retained = undefined;
      throw err;
    } finally {
      this.running = false;
      this.viewSource = undefined;
    }
    return this.error;
  }

  private run(chunk: Buffer): void {
    const len = chunk.length;
    let off = 0;
    if (this.headerMatched < HEADER_LEN) {
      off = this.matchProtocolHeader(chunk);
      if (this.headerMatched < HEADER_LEN || this.error !== undefined) return;
      this.sink.onProtocolHeader();
    }
    if (this.partial !== undefined) {
      off = this.fillPartial(chunk, off);
    } else if (this.headLen > 0) {
      off = this.fillHead(chunk, off);
    }
    while (off < len && !this.halted && this.error === undefined) {
      if (this.isPaused) {
        this.retained = chunk.subarray(off);
        return;
      }
      if (len - off < FRAME_HEADER_SIZE) {
        chunk.copy(this.head, 0, off, len);
        this.headLen = len - off;
        return;
      }
      const type = chunk[off]!;
      const channel = (chunk[off + 1]! << 8) | chunk[off + 2]!;
      const size =
        chunk[off + 3]! * 0x1000000 + ((chunk[off + 4]! << 16) | (chunk[off + 5]! << 8) | chunk[off + 6]!);
      off = this.frame(type, channel, size, chunk, off + FRAME_HEADER_SIZE);
    }
  }

  /** Checks each byte as it arrives, so an HTTP request or a TLS hello fails on its first byte. */
  private matchProtocolHeader(chunk: Buffer): number {
    let i = 0;
    let matched = this.headerMatched;
    while (matched < HEADER_LEN && i < chunk.length) {
      if (chunk[i] !== PROTOCOL_HEADER[matched]) {
        this.fail(
          new DecodeError(
            'bad-protocol-header',
            `expected protocol header AMQP 0 0 9 1, got byte 0x${chunk[i]!.toString(16)} at offset ${matched}`,
          ),
        );
        return i;
      }
      matched++;
      i++;
    }
    this.headerMatched = matched;
    return i;
  }

  private fillHead(chunk: Buffer, off: number): number {
    const take = Math.min(FRAME_HEADER_SIZE - this.headLen, chunk.length - off);
    chunk.copy(this.head, this.headLen, off, off + take);
    this.headLen += take;
    off += take;
    if (this.headLen < FRAME_HEADER_SIZE) return off;
    this.headLen = 0;
    const h = this.head;
    const size = h.readUInt32BE(3);
    return this.frame(h[0]!, (h[1]! << 8) | h[2]!, size, chunk, off);
  }

  private fillPartial(chunk: Buffer, off: number): number {
    const partial = this.partial!;
    const take = Math.min(partial.length - this.partialLen, chunk.length - off);
    chunk.copy(partial, this.partialLen, off, off + take);
    this.partialLen += take;
    if (this.partialLen < partial.length) return off + take;
    this.partial = undefined;
    const size = partial.length - 1;
    if (partial[size] !== FRAME_END) this.fail(badFrameEnd(partial[size]!));
    else this.dispatch(this.partialType, this.partialChannel, partial, 0, size);
    return off + take;
  }

  /**
   * Handles a frame whose 7-byte header has been read; its payload starts at chunk[p]. The type is checked
   * before the size so that stray text (no frame at all) reports an unknown type, not a huge frame.
   */
  private frame(type: number, channel: number, size: number, chunk: Buffer, p: number): number {
    if (type !== FrameType.Method && type !== FrameType.Header && type !== FrameType.Body) {
      if (type !== FrameType.Heartbeat) {
        this.fail(new DecodeError('unknown-frame-type', `unknown frame type ${type}`));
        return chunk.length;
      }
      if (size !== 0) {
        // RabbitMQ's analyze_frame accepts only an empty heartbeat; anything else is unknown_frame.
        this.fail(new DecodeError('unknown-frame-type', `heartbeat frame with a ${size}-byte payload`));
        return chunk.length;
      }
    }
    if (size > this.frameMax - FRAME_OVERHEAD) {
      this.fail(
        new DecodeError('frame-too-large', `frame of ${size + FRAME_OVERHEAD} bytes exceeds frame_max ${this.frameMax}`),
      );
      return chunk.length;
    }
    const end = p + size;
    if (end < chunk.length) {
      if (chunk[end] !== FRAME_END) {
        this.fail(badFrameEnd(chunk[end]!));
        return chunk.length;
      }
      this.dispatch(type, channel, chunk, p, end);
      return end + 1;
    }
    const partial = Buffer.allocUnsafe(size + 1);
    chunk.copy(partial, 0, p, chunk.length);
    this.partial = partial;
    this.partialLen = chunk.length - p;
    this.partialType = type;
    this.partialChannel = channel;
    return chunk.length;
  }

  private dispatch(type: number, channel: number, buf: Buffer, start: number, end: number): void {
    this.framesIn++;
    switch (type) {
      case FrameType.Method: {
        let method: Method;
        try {
          method = decodeMethod(buf, start, end);
          if (this.utf8Names && method.name !== 'basic.publish' && !NO_NAMES.has(method.name)) assertUtf8Names(method);
        } catch (err) {
          if (err instanceof DecodeError) {
            this.fail(err);
            return;
          }
          throw err;
        }
        this.sink.onMethod(channel, method);
        return;
      }
      case FrameType.Header: {
        if (end - start < CONTENT_HEADER_PREFIX_SIZE + PROPERTY_FLAGS_SIZE) {
          this.fail(new DecodeError('truncated', `content header of ${end - start} bytes is shorter than 14`));
          return;
        }
        const classId = (buf[start]! << 8) | buf[start + 1]!;
        const bodySize = buf.readUInt32BE(start + 4) * 4294967296 + buf.readUInt32BE(start + 8);
        const properties = this.view(buf, start + CONTENT_HEADER_PREFIX_SIZE, end);
        this.sink.onContentHeader(channel, classId, bodySize, properties, this.viewSerial);
        return;
      }
      case FrameType.Body: {
        const body = this.view(buf, start, end);
        this.sink.onBody(channel, body, this.viewSerial);
        return;
      }
      default:
        this.sink.onHeartbeat(channel);
    }
  }

  /** buf.subarray(start, end); a new source number when buf is not the last views' buffer. */
  private view(buf: Buffer, start: number, end: number): Buffer {
    if (buf !== this.viewSource) {
      this.viewSource = buf;
      this.viewSerial++;
    }
    return buf.subarray(start, end);
  }

  private fail(err: DecodeError): void {
    this.error = err;
    this.partial = undefined;
    this.headLen = 0;
  }
}

function badFrameEnd(octet: number): DecodeError {
  return new DecodeError('bad-frame-end', `frame ends with 0x${octet.toString(16)} instead of 0xce`);
}

function checkFrameMax(frameMax: number): number {
  if (!Number.isInteger(frameMax) || frameMax < FRAME_OVERHEAD || frameMax > 0xffffffff) {
    throw new RangeError(`frameMax must be an integer in [8, 2^32 - 1], got ${frameMax}`);
  }
  return frameMax;
}

/**
 * RabbitMQ 3.10 refuses a shortstr that is not UTF-8 in every method but basic.publish (queue, exchange
 * and consumer names, binding keys), closing the connection with 501; basic.publish's exchange and
 * routing key are kept as bytes and echoed back as such. The reader decoded such bytes as lone
 * surrogates (util/wire-string.ts), so a string that is not well-formed is exactly that case.
 */
/** The methods clients send per message: nothing to check (publish) or no strings at all (settles). */
const NO_NAMES: ReadonlySet<string> = new Set(['basic.publish', 'basic.ack', 'basic.nack', 'basic.reject']);

function assertUtf8Names(method: Method): void {
  const fields = method as unknown as Record<string, unknown>;
  for (const key in fields) {
    const v = fields[key];
    if (typeof v === 'string' && needsEscapedWrite(v)) {
      const [classId, methodId] = METHOD_IDS[method.name];
      throw new DecodeError('bad-utf8', 'Malformed UTF-8 in shortstr', classId, methodId);
    }
  }
}
