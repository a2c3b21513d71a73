/** Wire constants of AMQP 0-9-1 (spec section 4.2 and the "constants" of the spec JSON). */

export const FrameType = { Method: 1, Header: 2, Body: 3, Heartbeat: 8 } as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_END = 0xce;
/** type(1) + channel(2) + size(4). */
export const FRAME_HEADER_SIZE = 7;
/** Header plus the frame-end octet: what a frame costs on top of its payload. */
export const FRAME_OVERHEAD = 8;
/** 'AMQP' 0 0 9 1: the only protocol header Warren accepts, and the one it answers with on refusal. */
export const PROTOCOL_HEADER: Buffer = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
/**
 * frame-min-size: peers must accept frames this large before tuning and may not negotiate less. The
 * fixture JSON lists 8192; the 0-9-1 XML spec and RabbitMQ (?FRAME_MIN_SIZE) use 4096, and so do clients.
 */
export const MIN_FRAME_MAX = 4096;

export const ClassId = {
  connection: 10,
  channel: 20,
  access: 30,
  exchange: 40,
  queue: 50,
  basic: 60,
  confirm: 85,
  tx: 90,
} as const;
export type ClassIdValue = (typeof ClassId)[keyof typeof ClassId];

/** Content-header payload before the property flags: class-id(2) weight(2) body-size(8). */
export const CONTENT_HEADER_PREFIX_SIZE = 12;
