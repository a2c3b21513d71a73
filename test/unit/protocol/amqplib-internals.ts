// amqplib's own codec, used as an independent implementation to prove wire compatibility both ways.
// Its package "exports" hide lib/, so the files are loaded by path.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('amqplib'));

export interface AmqplibMethodInfo {
  readonly id: number;
  readonly classId: number;
  readonly methodId: number;
  readonly name: string;
}

export interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(classId: number, channel: number, bodySize: number, fields: Record<string, unknown>): Buffer;
  decode(id: number, buf: Buffer): Record<string, unknown>;
  info(id: number): AmqplibMethodInfo;
  readonly [name: string]: unknown;
}

export interface AmqplibCodec {
  encodeTable(buf: Buffer, val: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
}

export const amqplibDefs = require(join(dir, 'lib/defs.js')) as AmqplibDefs;
export const amqplibCodec = require(join(dir, 'lib/codec.js')) as AmqplibCodec;

/** amqplib's encodeTable output (size prefix included). */
export function amqplibEncodeTable(val: Record<string, unknown>): Buffer {
  const scratch = Buffer.alloc(65536);
  const n = amqplibCodec.encodeTable(scratch, val, 0);
  return Buffer.from(scratch.subarray(0, n));
}
