// GENERATED FILE - DO NOT EDIT. Regenerate with `npm run gen:codec` (scripts/gen-codec.ts).
// Source: fixtures/spec/amqp-rabbitmq-0.9.1.json, the RabbitMQ AMQP 0-9-1 spec, MIT licensed
// (Copyright Broadcom Inc. and its subsidiaries); the full notice is that file's "copyright" field.
// test/unit/protocol/generated-codec.test.ts fails when this file and the generator disagree.

import { DecodeError } from './errors.js';
import type { FieldTable } from './field-table.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

// ---- Method types ----

/** connection.start (10/10) */
export interface ConnectionStart {
  readonly name: 'connection.start';
  versionMajor: number;
  versionMinor: number;
  serverProperties: FieldTable;
  mechanisms: Buffer;
  locales: Buffer;
}

/** connection.start-ok (10/11) */
export interface ConnectionStartOk {
  readonly name: 'connection.start-ok';
  clientProperties: FieldTable;
  mechanism: string;
  response: Buffer;
  locale: string;
}

/** connection.secure (10/20) */
export interface ConnectionSecure {
  readonly name: 'connection.secure';
  challenge: Buffer;
}

/** connection.secure-ok (10/21) */
export interface ConnectionSecureOk {
  readonly name: 'connection.secure-ok';
  response: Buffer;
}

/** connection.tune (10/30) */
export interface ConnectionTune {
  readonly name: 'connection.tune';
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}

/** connection.tune-ok (10/31) */
export interface ConnectionTuneOk {
  readonly name: 'connection.tune-ok';
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}

/** connection.open (10/40) */
export interface ConnectionOpen {
  readonly name: 'connection.open';
  virtualHost: string;
  capabilities: string;
  insist: boolean;
}

/** connection.open-ok (10/41) */
export interface ConnectionOpenOk {
  readonly name: 'connection.open-ok';
  knownHosts: string;
}

/** connection.close (10/50) */
export interface ConnectionClose {
  readonly name: 'connection.close';
  replyCode: number;
  replyText: string;
  classId: number;
  methodId: number;
}

/** connection.close-ok (10/51) */
export interface ConnectionCloseOk {
  readonly name: 'connection.close-ok';
}

/** connection.blocked (10/60) */
export interface ConnectionBlocked {
  readonly name: 'connection.blocked';
  reason: string;
}

/** connection.unblocked (10/61) */
export interface ConnectionUnblocked {
  readonly name: 'connection.unblocked';
}

/** connection.update-secret (10/70) */
export interface ConnectionUpdateSecret {
  readonly name: 'connection.update-secret';
  newSecret: Buffer;
  reason: string;
}

/** connection.update-secret-ok (10/71) */
export interface ConnectionUpdateSecretOk {
  readonly name: 'connection.update-secret-ok';
}

/** channel.open (20/10) */
export interface ChannelOpen {
  readonly name: 'channel.open';
  outOfBand: string;
}

/** channel.open-ok (20/11) */
export interface ChannelOpenOk {
  readonly name: 'channel.open-ok';
  channelId: Buffer;
}

/** channel.flow (20/20) */
export interface ChannelFlow {
  readonly name: 'channel.flow';
  active: boolean;
}

/** channel.flow-ok (20/21) */
export interface ChannelFlowOk {
  readonly name: 'channel.flow-ok';
  active: boolean;
}

/** channel.close (20/40) */
export interface ChannelClose {
  readonly name: 'channel.close';
  replyCode: number;
  replyText: string;
  classId: number;
  methodId: number;
}

/** channel.close-ok (20/41) */
export interface ChannelCloseOk {
  readonly name: 'channel.close-ok';
}

/** access.request (30/10) */
export interface AccessRequest {
  readonly name: 'access.request';
  realm: string;
  exclusive: boolean;
  passive: boolean;
  active: boolean;
  write: boolean;
  read: boolean;
}

/** access.request-ok (30/11) */
export interface AccessRequestOk {
  readonly name: 'access.request-ok';
  ticket: number;
}

/** exchange.declare (40/10) */
export interface ExchangeDeclare {
  readonly name: 'exchange.declare';
  ticket: number;
  exchange: string;
  type: string;
  passive: boolean;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  nowait: boolean;
  arguments: FieldTable;
}

/** exchange.declare-ok (40/11) */
export interface ExchangeDeclareOk {
  readonly name: 'exchange.declare-ok';
}

/** exchange.delete (40/20) */
export interface ExchangeDelete {
  readonly name: 'exchange.delete';
  ticket: number;
  exchange: string;
  ifUnused: boolean;
  nowait: boolean;
}

/** exchange.delete-ok (40/21) */
export interface ExchangeDeleteOk {
  readonly name: 'exchange.delete-ok';
}

/** exchange.bind (40/30) */
export interface ExchangeBind {
  readonly name: 'exchange.bind';
  ticket: number;
  destination: string;
  source: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}

/** exchange.bind-ok (40/31) */
export interface ExchangeBindOk {
  readonly name: 'exchange.bind-ok';
}

/** exchange.unbind (40/40) */
export interface ExchangeUnbind {
  readonly name: 'exchange.unbind';
  ticket: number;
  destination: string;
  source: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}

/** exchange.unbind-ok (40/51) */
export interface ExchangeUnbindOk {
  readonly name: 'exchange.unbind-ok';
}

/** queue.declare (50/10) */
export interface QueueDeclare {
  readonly name: 'queue.declare';
  ticket: number;
  queue: string;
  passive: boolean;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  nowait: boolean;
  arguments: FieldTable;
}

/** queue.declare-ok (50/11) */
export interface QueueDeclareOk {
  readonly name: 'queue.declare-ok';
  queue: string;
  messageCount: number;
  consumerCount: number;
}

/** queue.bind (50/20) */
export interface QueueBind {
  readonly name: 'queue.bind';
  ticket: number;
  queue: string;
  exchange: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}

/** queue.bind-ok (50/21) */
export interface QueueBindOk {
  readonly name: 'queue.bind-ok';
}

/** queue.purge (50/30) */
export interface QueuePurge {
  readonly name: 'queue.purge';
  ticket: number;
  queue: string;
  nowait: boolean;
}

/** queue.purge-ok (50/31) */
export interface QueuePurgeOk {
  readonly name: 'queue.purge-ok';
  messageCount: number;
}

/** queue.delete (50/40) */
export interface QueueDelete {
  readonly name: 'queue.delete';
  ticket: number;
  queue: string;
  ifUnused: boolean;
  ifEmpty: boolean;
  nowait: boolean;
}

/** queue.delete-ok (50/41) */
export interface QueueDeleteOk {
  readonly name: 'queue.delete-ok';
  messageCount: number;
}

/** queue.unbind (50/50) */
export interface QueueUnbind {
  readonly name: 'queue.unbind';
  ticket: number;
  queue: string;
  exchange: string;
  routingKey: string;
  arguments: FieldTable;
}

/** queue.unbind-ok (50/51) */
export interface QueueUnbindOk {
  readonly name: 'queue.unbind-ok';
}

/** basic.qos (60/10) */
export interface BasicQos {
  readonly name: 'basic.qos';
  prefetchSize: number;
  prefetchCount: number;
  global: boolean;
}

/** basic.qos-ok (60/11) */
export interface BasicQosOk {
  readonly name: 'basic.qos-ok';
}

/** basic.consume (60/20) */
export interface BasicConsume {
  readonly name: 'basic.consume';
  ticket: number;
  queue: string;
  consumerTag: string;
  noLocal: boolean;
  noAck: boolean;
  exclusive: boolean;
  nowait: boolean;
  arguments: FieldTable;
}

/** basic.consume-ok (60/21) */
export interface BasicConsumeOk {
  readonly name: 'basic.consume-ok';
  consumerTag: string;
}

/** basic.cancel (60/30) */
export interface BasicCancel {
  readonly name: 'basic.cancel';
  consumerTag: string;
  nowait: boolean;
}

/** basic.cancel-ok (60/31) */
export interface BasicCancelOk {
  readonly name: 'basic.cancel-ok';
  consumerTag: string;
}

/** basic.publish (60/40) */
export interface BasicPublish {
  readonly name: 'basic.publish';
  ticket: number;
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  immediate: boolean;
}

/** basic.return (60/50) */
export interface BasicReturn {
  readonly name: 'basic.return';
  replyCode: number;
  replyText: string;
  exchange: string;
  routingKey: string;
}

/** basic.deliver (60/60) */
export interface BasicDeliver {
  readonly name: 'basic.deliver';
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
}

/** basic.get (60/70) */
export interface BasicGet {
  readonly name: 'basic.get';
  ticket: number;
  queue: string;
  noAck: boolean;
}

/** basic.get-ok (60/71) */
export interface BasicGetOk {
  readonly name: 'basic.get-ok';
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  messageCount: number;
}

/** basic.get-empty (60/72) */
export interface BasicGetEmpty {
  readonly name: 'basic.get-empty';
  clusterId: string;
}

/** basic.ack (60/80) */
export interface BasicAck {
  readonly name: 'basic.ack';
  deliveryTag: number;
  multiple: boolean;
}

/** basic.reject (60/90) */
export interface BasicReject {
  readonly name: 'basic.reject';
  deliveryTag: number;
  requeue: boolean;
}

/** basic.recover-async (60/100) */
export interface BasicRecoverAsync {
  readonly name: 'basic.recover-async';
  requeue: boolean;
}

/** basic.recover (60/110) */
export interface BasicRecover {
  readonly name: 'basic.recover';
  requeue: boolean;
}

/** basic.recover-ok (60/111) */
export interface BasicRecoverOk {
  readonly name: 'basic.recover-ok';
}

/** basic.nack (60/120) */
export interface BasicNack {
  readonly name: 'basic.nack';
  deliveryTag: number;
  multiple: boolean;
  requeue: boolean;
}

/** confirm.select (85/10) */
export interface ConfirmSelect {
  readonly name: 'confirm.select';
  nowait: boolean;
}

/** confirm.select-ok (85/11) */
export interface ConfirmSelectOk {
  readonly name: 'confirm.select-ok';
}

/** tx.select (90/10) */
export interface TxSelect {
  readonly name: 'tx.select';
}

/** tx.select-ok (90/11) */
export interface TxSelectOk {
  readonly name: 'tx.select-ok';
}

/** tx.commit (90/20) */
export interface TxCommit {
  readonly name: 'tx.commit';
}

/** tx.commit-ok (90/21) */
export interface TxCommitOk {
  readonly name: 'tx.commit-ok';
}

/** tx.rollback (90/30) */
export interface TxRollback {
  readonly name: 'tx.rollback';
}

/** tx.rollback-ok (90/31) */
export interface TxRollbackOk {
  readonly name: 'tx.rollback-ok';
}

export type Method =
  | ConnectionStart
  | ConnectionStartOk
  | ConnectionSecure
  | ConnectionSecureOk
  | ConnectionTune
  | ConnectionTuneOk
  | ConnectionOpen
  | ConnectionOpenOk
  | ConnectionClose
  | ConnectionCloseOk
  | ConnectionBlocked
  | ConnectionUnblocked
  | ConnectionUpdateSecret
  | ConnectionUpdateSecretOk
  | ChannelOpen
  | ChannelOpenOk
  | ChannelFlow
  | ChannelFlowOk
  | ChannelClose
  | ChannelCloseOk
  | AccessRequest
  | AccessRequestOk
  | ExchangeDeclare
  | ExchangeDeclareOk
  | ExchangeDelete
  | ExchangeDeleteOk
  | ExchangeBind
  | ExchangeBindOk
  | ExchangeUnbind
  | ExchangeUnbindOk
  | QueueDeclare
  | QueueDeclareOk
  | QueueBind
  | QueueBindOk
  | QueuePurge
  | QueuePurgeOk
  | QueueDelete
  | QueueDeleteOk
  | QueueUnbind
  | QueueUnbindOk
  | BasicQos
  | BasicQosOk
  | BasicConsume
  | BasicConsumeOk
  | BasicCancel
  | BasicCancelOk
  | BasicPublish
  | BasicReturn
  | BasicDeliver
  | BasicGet
  | BasicGetOk
  | BasicGetEmpty
  | BasicAck
  | BasicReject
  | BasicRecoverAsync
  | BasicRecover
  | BasicRecoverOk
  | BasicNack
  | ConfirmSelect
  | ConfirmSelectOk
  | TxSelect
  | TxSelectOk
  | TxCommit
  | TxCommitOk
  | TxRollback
  | TxRollbackOk;

export type MethodName = Method['name'];
export type MethodOf<N extends MethodName> = Extract<Method, { name: N }>;

// ---- Tables ----

export const METHOD_IDS: { readonly [N in MethodName]: readonly [classId: number, methodId: number] } = {
  'connection.start': [10, 10],
  'connection.start-ok': [10, 11],
  'connection.secure': [10, 20],
  'connection.secure-ok': [10, 21],
  'connection.tune': [10, 30],
  'connection.tune-ok': [10, 31],
  'connection.open': [10, 40],
  'connection.open-ok': [10, 41],
  'connection.close': [10, 50],
  'connection.close-ok': [10, 51],
  'connection.blocked': [10, 60],
  'connection.unblocked': [10, 61],
  'connection.update-secret': [10, 70],
  'connection.update-secret-ok': [10, 71],
  'channel.open': [20, 10],
  'channel.open-ok': [20, 11],
  'channel.flow': [20, 20],
  'channel.flow-ok': [20, 21],
  'channel.close': [20, 40],
  'channel.close-ok': [20, 41],
  'access.request': [30, 10],
  'access.request-ok': [30, 11],
  'exchange.declare': [40, 10],
  'exchange.declare-ok': [40, 11],
  'exchange.delete': [40, 20],
  'exchange.delete-ok': [40, 21],
  'exchange.bind': [40, 30],
  'exchange.bind-ok': [40, 31],
  'exchange.unbind': [40, 40],
  'exchange.unbind-ok': [40, 51],
  'queue.declare': [50, 10],
  'queue.declare-ok': [50, 11],
  'queue.bind': [50, 20],
  'queue.bind-ok': [50, 21],
  'queue.purge': [50, 30],
  'queue.purge-ok': [50, 31],
  'queue.delete': [50, 40],
  'queue.delete-ok': [50, 41],
  'queue.unbind': [50, 50],
  'queue.unbind-ok': [50, 51],
  'basic.qos': [60, 10],
  'basic.qos-ok': [60, 11],
  'basic.consume': [60, 20],
  'basic.consume-ok': [60, 21],
  'basic.cancel': [60, 30],
  'basic.cancel-ok': [60, 31],
  'basic.publish': [60, 40],
  'basic.return': [60, 50],
  'basic.deliver': [60, 60],
  'basic.get': [60, 70],
  'basic.get-ok': [60, 71],
  'basic.get-empty': [60, 72],
  'basic.ack': [60, 80],
  'basic.reject': [60, 90],
  'basic.recover-async': [60, 100],
  'basic.recover': [60, 110],
  'basic.recover-ok': [60, 111],
  'basic.nack': [60, 120],
  'confirm.select': [85, 10],
  'confirm.select-ok': [85, 11],
  'tx.select': [90, 10],
  'tx.select-ok': [90, 11],
  'tx.commit': [90, 20],
  'tx.commit-ok': [90, 21],
  'tx.rollback': [90, 30],
  'tx.rollback-ok': [90, 31],
};

/** Methods followed by a content header and body frames. */
export const CONTENT_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['basic.publish', 'basic.return', 'basic.deliver', 'basic.get-ok']);

/** Methods the spec marks synchronous (they expect a reply unless nowait is set). */
export const SYNCHRONOUS_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'connection.start',
  'connection.secure',
  'connection.tune',
  'connection.open',
  'connection.close',
  'connection.update-secret',
  'channel.open',
  'channel.flow',
  'channel.close',
  'access.request',
  'exchange.declare',
  'exchange.delete',
  'exchange.bind',
  'exchange.unbind',
  'queue.declare',
  'queue.bind',
  'queue.purge',
  'queue.delete',
  'queue.unbind',
  'basic.qos',
  'basic.consume',
  'basic.cancel',
  'basic.get',
  'basic.recover',
  'confirm.select',
  'tx.select',
  'tx.commit',
  'tx.rollback',
]);

export function methodName(classId: number, methodId: number): MethodName | undefined {
  switch (((classId & 0xffff) << 16) | (methodId & 0xffff)) {
    case 0x000a000a:
      return 'connection.start';
    case 0x000a000b:
      return 'connection.start-ok';
    case 0x000a0014:
      return 'connection.secure';
    case 0x000a0015:
      return 'connection.secure-ok';
    case 0x000a001e:
      return 'connection.tune';
    case 0x000a001f:
      return 'connection.tune-ok';
    case 0x000a0028:
      return 'connection.open';
    case 0x000a0029:
      return 'connection.open-ok';
    case 0x000a0032:
      return 'connection.close';
    case 0x000a0033:
      return 'connection.close-ok';
    case 0x000a003c:
      return 'connection.blocked';
    case 0x000a003d:
      return 'connection.unblocked';
    case 0x000a0046:
      return 'connection.update-secret';
    case 0x000a0047:
      return 'connection.update-secret-ok';
    case 0x0014000a:
      return 'channel.open';
    case 0x0014000b:
      return 'channel.open-ok';
    case 0x00140014:
      return 'channel.flow';
    case 0x00140015:
      return 'channel.flow-ok';
    case 0x00140028:
      return 'channel.close';
    case 0x00140029:
      return 'channel.close-ok';
    case 0x001e000a:
      return 'access.request';
    case 0x001e000b:
      return 'access.request-ok';
    case 0x0028000a:
      return 'exchange.declare';
    case 0x0028000b:
      return 'exchange.declare-ok';
    case 0x00280014:
      return 'exchange.delete';
    case 0x00280015:
      return 'exchange.delete-ok';
    case 0x0028001e:
      return 'exchange.bind';
    case 0x0028001f:
      return 'exchange.bind-ok';
    case 0x00280028:
      return 'exchange.unbind';
    case 0x00280033:
      return 'exchange.unbind-ok';
    case 0x0032000a:
      return 'queue.declare';
    case 0x0032000b:
      return 'queue.declare-ok';
    case 0x00320014:
      return 'queue.bind';
    case 0x00320015:
      return 'queue.bind-ok';
    case 0x0032001e:
      return 'queue.purge';
    case 0x0032001f:
      return 'queue.purge-ok';
    case 0x00320028:
      return 'queue.delete';
    case 0x00320029:
      return 'queue.delete-ok';
    case 0x00320032:
      return 'queue.unbind';
    case 0x00320033:
      return 'queue.unbind-ok';
    case 0x003c000a:
      return 'basic.qos';
    case 0x003c000b:
      return 'basic.qos-ok';
    case 0x003c0014:
      return 'basic.consume';
    case 0x003c0015:
      return 'basic.consume-ok';
    case 0x003c001e:
      return 'basic.cancel';
    case 0x003c001f:
      return 'basic.cancel-ok';
    case 0x003c0028:
      return 'basic.publish';
    case 0x003c0032:
      return 'basic.return';
    case 0x003c003c:
      return 'basic.deliver';
    case 0x003c0046:
      return 'basic.get';
    case 0x003c0047:
      return 'basic.get-ok';
    case 0x003c0048:
      return 'basic.get-empty';
    case 0x003c0050:
      return 'basic.ack';
    case 0x003c005a:
      return 'basic.reject';
    case 0x003c0064:
      return 'basic.recover-async';
    case 0x003c006e:
      return 'basic.recover';
    case 0x003c006f:
      return 'basic.recover-ok';
    case 0x003c0078:
      return 'basic.nack';
    case 0x0055000a:
      return 'confirm.select';
    case 0x0055000b:
      return 'confirm.select-ok';
    case 0x005a000a:
      return 'tx.select';
    case 0x005a000b:
      return 'tx.select-ok';
    case 0x005a0014:
      return 'tx.commit';
    case 0x005a0015:
      return 'tx.commit-ok';
    case 0x005a001e:
      return 'tx.rollback';
    case 0x005a001f:
      return 'tx.rollback-ok';
    default:
      return undefined;
  }
}

// ---- Decoding ----

function decodeConnectionStart(r: Reader): ConnectionStart {
  const versionMajor = r.u8();
  const versionMinor = r.u8();
  const serverProperties = r.table();
  const mechanisms = r.longstr();
  const locales = r.longstr();
  return { name: 'connection.start', versionMajor, versionMinor, serverProperties, mechanisms, locales };
}

function decodeConnectionStartOk(r: Reader): ConnectionStartOk {
  const clientProperties = r.table();
  const mechanism = r.shortstr();
  const response = r.longstr();
  const locale = r.shortstr();
  return { name: 'connection.start-ok', clientProperties, mechanism, response, locale };
}

function decodeConnectionSecure(r: Reader): ConnectionSecure {
  const challenge = r.longstr();
  return { name: 'connection.secure', challenge };
}

function decodeConnectionSecureOk(r: Reader): ConnectionSecureOk {
  const response = r.longstr();
  return { name: 'connection.secure-ok', response };
}

function decodeConnectionTune(r: Reader): ConnectionTune {
  const channelMax = r.u16();
  const frameMax = r.u32();
  const heartbeat = r.u16();
  return { name: 'connection.tune', channelMax, frameMax, heartbeat };
}

function decodeConnectionTuneOk(r: Reader): ConnectionTuneOk {
  const channelMax = r.u16();
  const frameMax = r.u32();
  const heartbeat = r.u16();
  return { name: 'connection.tune-ok', channelMax, frameMax, heartbeat };
}

function decodeConnectionOpen(r: Reader): ConnectionOpen {
  const virtualHost = r.shortstr();
  const capabilities = r.shortstr();
  const bits0 = r.bits();
  return { name: 'connection.open', virtualHost, capabilities, insist: (bits0 & 1) !== 0 };
}

function decodeConnectionOpenOk(r: Reader): ConnectionOpenOk {
  const knownHosts = r.shortstr();
  return { name: 'connection.open-ok', knownHosts };
}

function decodeConnectionClose(r: Reader): ConnectionClose {
  const replyCode = r.u16();
  const replyText = r.shortstr();
  const classId = r.u16();
  const methodId = r.u16();
  return { name: 'connection.close', replyCode, replyText, classId, methodId };
}

const CONNECTION_CLOSE_OK: ConnectionCloseOk = Object.freeze({ name: 'connection.close-ok' });

function decodeConnectionBlocked(r: Reader): ConnectionBlocked {
  const reason = r.shortstr();
  return { name: 'connection.blocked', reason };
}

const CONNECTION_UNBLOCKED: ConnectionUnblocked = Object.freeze({ name: 'connection.unblocked' });

function decodeConnectionUpdateSecret(r: Reader): ConnectionUpdateSecret {
  const newSecret = r.longstr();
  const reason = r.shortstr();
  return { name: 'connection.update-secret', newSecret, reason };
}

const CONNECTION_UPDATE_SECRET_OK: ConnectionUpdateSecretOk = Object.freeze({ name: 'connection.update-secret-ok' });

function decodeChannelOpen(r: Reader): ChannelOpen {
  const outOfBand = r.shortstr();
  return { name: 'channel.open', outOfBand };
}

function decodeChannelOpenOk(r: Reader): ChannelOpenOk {
  const channelId = r.longstr();
  return { name: 'channel.open-ok', channelId };
}

function decodeChannelFlow(r: Reader): ChannelFlow {
  const bits0 = r.bits();
  return { name: 'channel.flow', active: (bits0 & 1) !== 0 };
}

function decodeChannelFlowOk(r: Reader): ChannelFlowOk {
  const bits0 = r.bits();
  return { name: 'channel.flow-ok', active: (bits0 & 1) !== 0 };
}

function decodeChannelClose(r: Reader): ChannelClose {
  const replyCode = r.u16();
  const replyText = r.shortstr();
  const classId = r.u16();
  const methodId = r.u16();
  return { name: 'channel.close', replyCode, replyText, classId, methodId };
}

const CHANNEL_CLOSE_OK: ChannelCloseOk = Object.freeze({ name: 'channel.close-ok' });

function decodeAccessRequest(r: Reader): AccessRequest {
  const realm = r.shortstr();
  const bits0 = r.bits();
  return { name: 'access.request', realm, exclusive: (bits0 & 1) !== 0, passive: (bits0 & 2) !== 0, active: (bits0 & 4) !== 0, write: (bits0 & 8) !== 0, read: (bits0 & 16) !== 0 };
}

function decodeAccessRequestOk(r: Reader): AccessRequestOk {
  const ticket = r.u16();
  return { name: 'access.request-ok', ticket };
}

function decodeExchangeDeclare(r: Reader): ExchangeDeclare {
  const ticket = r.u16();
  const exchange = r.shortstr();
  const type = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'exchange.declare', ticket, exchange, type, passive: (bits0 & 1) !== 0, durable: (bits0 & 2) !== 0, autoDelete: (bits0 & 4) !== 0, internal: (bits0 & 8) !== 0, nowait: (bits0 & 16) !== 0, arguments: arguments_ };
}

const EXCHANGE_DECLARE_OK: ExchangeDeclareOk = Object.freeze({ name: 'exchange.declare-ok' });

function decodeExchangeDelete(r: Reader): ExchangeDelete {
  const ticket = r.u16();
  const exchange = r.shortstr();
  const bits0 = r.bits();
  return { name: 'exchange.delete', ticket, exchange, ifUnused: (bits0 & 1) !== 0, nowait: (bits0 & 2) !== 0 };
}

const EXCHANGE_DELETE_OK: ExchangeDeleteOk = Object.freeze({ name: 'exchange.delete-ok' });

function decodeExchangeBind(r: Reader): ExchangeBind {
  const ticket = r.u16();
  const destination = r.shortstr();
  const source = r.shortstr();
  const routingKey = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'exchange.bind', ticket, destination, source, routingKey, nowait: (bits0 & 1) !== 0, arguments: arguments_ };
}

const EXCHANGE_BIND_OK: ExchangeBindOk = Object.freeze({ name: 'exchange.bind-ok' });

function decodeExchangeUnbind(r: Reader): ExchangeUnbind {
  const ticket = r.u16();
  const destination = r.shortstr();
  const source = r.shortstr();
  const routingKey = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'exchange.unbind', ticket, destination, source, routingKey, nowait: (bits0 & 1) !== 0, arguments: arguments_ };
}

const EXCHANGE_UNBIND_OK: ExchangeUnbindOk = Object.freeze({ name: 'exchange.unbind-ok' });

function decodeQueueDeclare(r: Reader): QueueDeclare {
  const ticket = r.u16();
  const queue = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'queue.declare', ticket, queue, passive: (bits0 & 1) !== 0, durable: (bits0 & 2) !== 0, exclusive: (bits0 & 4) !== 0, autoDelete: (bits0 & 8) !== 0, nowait: (bits0 & 16) !== 0, arguments: arguments_ };
}

function decodeQueueDeclareOk(r: Reader): QueueDeclareOk {
  const queue = r.shortstr();
  const messageCount = r.u32();
  const consumerCount = r.u32();
  return { name: 'queue.declare-ok', queue, messageCount, consumerCount };
}

function decodeQueueBind(r: Reader): QueueBind {
  const ticket = r.u16();
  const queue = r.shortstr();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'queue.bind', ticket, queue, exchange, routingKey, nowait: (bits0 & 1) !== 0, arguments: arguments_ };
}

const QUEUE_BIND_OK: QueueBindOk = Object.freeze({ name: 'queue.bind-ok' });

function decodeQueuePurge(r: Reader): QueuePurge {
  const ticket = r.u16();
  const queue = r.shortstr();
  const bits0 = r.bits();
  return { name: 'queue.purge', ticket, queue, nowait: (bits0 & 1) !== 0 };
}

function decodeQueuePurgeOk(r: Reader): QueuePurgeOk {
  const messageCount = r.u32();
  return { name: 'queue.purge-ok', messageCount };
}

function decodeQueueDelete(r: Reader): QueueDelete {
  const ticket = r.u16();
  const queue = r.shortstr();
  const bits0 = r.bits();
  return { name: 'queue.delete', ticket, queue, ifUnused: (bits0 & 1) !== 0, ifEmpty: (bits0 & 2) !== 0, nowait: (bits0 & 4) !== 0 };
}

function decodeQueueDeleteOk(r: Reader): QueueDeleteOk {
  const messageCount = r.u32();
  return { name: 'queue.delete-ok', messageCount };
}

function decodeQueueUnbind(r: Reader): QueueUnbind {
  const ticket = r.u16();
  const queue = r.shortstr();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  const arguments_ = r.table();
  return { name: 'queue.unbind', ticket, queue, exchange, routingKey, arguments: arguments_ };
}

const QUEUE_UNBIND_OK: QueueUnbindOk = Object.freeze({ name: 'queue.unbind-ok' });

function decodeBasicQos(r: Reader): BasicQos {
  const prefetchSize = r.u32();
  const prefetchCount = r.u16();
  const bits0 = r.bits();
  return { name: 'basic.qos', prefetchSize, prefetchCount, global: (bits0 & 1) !== 0 };
}

const BASIC_QOS_OK: BasicQosOk = Object.freeze({ name: 'basic.qos-ok' });

function decodeBasicConsume(r: Reader): BasicConsume {
  const ticket = r.u16();
  const queue = r.shortstr();
  const consumerTag = r.shortstr();
  const bits0 = r.bits();
  const arguments_ = r.table();
  return { name: 'basic.consume', ticket, queue, consumerTag, noLocal: (bits0 & 1) !== 0, noAck: (bits0 & 2) !== 0, exclusive: (bits0 & 4) !== 0, nowait: (bits0 & 8) !== 0, arguments: arguments_ };
}

function decodeBasicConsumeOk(r: Reader): BasicConsumeOk {
  const consumerTag = r.shortstr();
  return { name: 'basic.consume-ok', consumerTag };
}

function decodeBasicCancel(r: Reader): BasicCancel {
  const consumerTag = r.shortstr();
  const bits0 = r.bits();
  return { name: 'basic.cancel', consumerTag, nowait: (bits0 & 1) !== 0 };
}

function decodeBasicCancelOk(r: Reader): BasicCancelOk {
  const consumerTag = r.shortstr();
  return { name: 'basic.cancel-ok', consumerTag };
}

function decodeBasicPublish(r: Reader): BasicPublish {
  const ticket = r.u16();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  const bits0 = r.bits();
  return { name: 'basic.publish', ticket, exchange, routingKey, mandatory: (bits0 & 1) !== 0, immediate: (bits0 & 2) !== 0 };
}

function decodeBasicReturn(r: Reader): BasicReturn {
  const replyCode = r.u16();
  const replyText = r.shortstr();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  return { name: 'basic.return', replyCode, replyText, exchange, routingKey };
}

function decodeBasicDeliver(r: Reader): BasicDeliver {
  const consumerTag = r.shortstr();
  const deliveryTag = r.u64();
  const bits0 = r.bits();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  return { name: 'basic.deliver', consumerTag, deliveryTag, redelivered: (bits0 & 1) !== 0, exchange, routingKey };
}

function decodeBasicGet(r: Reader): BasicGet {
  const ticket = r.u16();
  const queue = r.shortstr();
  const bits0 = r.bits();
  return { name: 'basic.get', ticket, queue, noAck: (bits0 & 1) !== 0 };
}

function decodeBasicGetOk(r: Reader): BasicGetOk {
  const deliveryTag = r.u64();
  const bits0 = r.bits();
  const exchange = r.shortstr();
  const routingKey = r.shortstr();
  const messageCount = r.u32();
  return { name: 'basic.get-ok', deliveryTag, redelivered: (bits0 & 1) !== 0, exchange, routingKey, messageCount };
}

function decodeBasicGetEmpty(r: Reader): BasicGetEmpty {
  const clusterId = r.shortstr();
  return { name: 'basic.get-empty', clusterId };
}

function decodeBasicAck(r: Reader): BasicAck {
  const deliveryTag = r.u64();
  const bits0 = r.bits();
  return { name: 'basic.ack', deliveryTag, multiple: (bits0 & 1) !== 0 };
}

function decodeBasicReject(r: Reader): BasicReject {
  const deliveryTag = r.u64();
  const bits0 = r.bits();
  return { name: 'basic.reject', deliveryTag, requeue: (bits0 & 1) !== 0 };
}

function decodeBasicRecoverAsync(r: Reader): BasicRecoverAsync {
  const bits0 = r.bits();
  return { name: 'basic.recover-async', requeue: (bits0 & 1) !== 0 };
}

function decodeBasicRecover(r: Reader): BasicRecover {
  const bits0 = r.bits();
  return { name: 'basic.recover', requeue: (bits0 & 1) !== 0 };
}

const BASIC_RECOVER_OK: BasicRecoverOk = Object.freeze({ name: 'basic.recover-ok' });

function decodeBasicNack(r: Reader): BasicNack {
  const deliveryTag = r.u64();
  const bits0 = r.bits();
  return { name: 'basic.nack', deliveryTag, multiple: (bits0 & 1) !== 0, requeue: (bits0 & 2) !== 0 };
}

function decodeConfirmSelect(r: Reader): ConfirmSelect {
  const bits0 = r.bits();
  return { name: 'confirm.select', nowait: (bits0 & 1) !== 0 };
}

const CONFIRM_SELECT_OK: ConfirmSelectOk = Object.freeze({ name: 'confirm.select-ok' });

const TX_SELECT: TxSelect = Object.freeze({ name: 'tx.select' });

const TX_SELECT_OK: TxSelectOk = Object.freeze({ name: 'tx.select-ok' });

const TX_COMMIT: TxCommit = Object.freeze({ name: 'tx.commit' });

const TX_COMMIT_OK: TxCommitOk = Object.freeze({ name: 'tx.commit-ok' });

const TX_ROLLBACK: TxRollback = Object.freeze({ name: 'tx.rollback' });

const TX_ROLLBACK_OK: TxRollbackOk = Object.freeze({ name: 'tx.rollback-ok' });

/**
 * Decodes one method frame payload (class id, method id, arguments) in payload[offset, end). Throws
 * DecodeError: 'unknown-method', 'truncated', 'bad-value' (trailing bytes, bad table value) or 'too-deep',
 * with classId and methodId set whenever they could be read.
 */
export function decodeMethod(payload: Buffer, offset: number, end: number): Method {
  if (end - offset < 4) {
    throw new DecodeError('truncated', `method payload of ${end - offset} byte(s) has no class and method id`);
  }
  const classId = (payload[offset]! << 8) | payload[offset + 1]!;
  const methodId = (payload[offset + 2]! << 8) | payload[offset + 3]!;
  const r = new Reader(payload, offset + 4, end);
  let m: Method;
  try {
    switch ((classId << 16) | methodId) {
      case 0x000a000a:
        m = decodeConnectionStart(r);
        break;
      case 0x000a000b:
        m = decodeConnectionStartOk(r);
        break;
      case 0x000a0014:
        m = decodeConnectionSecure(r);
        break;
      case 0x000a0015:
        m = decodeConnectionSecureOk(r);
        break;
      case 0x000a001e:
        m = decodeConnectionTune(r);
        break;
      case 0x000a001f:
        m = decodeConnectionTuneOk(r);
        break;
      case 0x000a0028:
        m = decodeConnectionOpen(r);
        break;
      case 0x000a0029:
        m = decodeConnectionOpenOk(r);
        break;
      case 0x000a0032:
        m = decodeConnectionClose(r);
        break;
      case 0x000a0033:
        m = CONNECTION_CLOSE_OK;
        break;
      case 0x000a003c:
        m = decodeConnectionBlocked(r);
        break;
      case 0x000a003d:
        m = CONNECTION_UNBLOCKED;
        break;
      case 0x000a0046:
        m = decodeConnectionUpdateSecret(r);
        break;
      case 0x000a0047:
        m = CONNECTION_UPDATE_SECRET_OK;
        break;
      case 0x0014000a:
        m = decodeChannelOpen(r);
        break;
      case 0x0014000b:
        m = decodeChannelOpenOk(r);
        break;
      case 0x00140014:
        m = decodeChannelFlow(r);
        break;
      case 0x00140015:
        m = decodeChannelFlowOk(r);
        break;
      case 0x00140028:
        m = decodeChannelClose(r);
        break;
      case 0x00140029:
        m = CHANNEL_CLOSE_OK;
        break;
      case 0x001e000a:
        m = decodeAccessRequest(r);
        break;
      case 0x001e000b:
        m = decodeAccessRequestOk(r);
        break;
      case 0x0028000a:
        m = decodeExchangeDeclare(r);
        break;
      case 0x0028000b:
        m = EXCHANGE_DECLARE_OK;
        break;
      case 0x00280014:
        m = decodeExchangeDelete(r);
        break;
      case 0x00280015:
        m = EXCHANGE_DELETE_OK;
        break;
      case 0x0028001e:
        m = decodeExchangeBind(r);
        break;
      case 0x0028001f:
        m = EXCHANGE_BIND_OK;
        break;
      case 0x00280028:
        m = decodeExchangeUnbind(r);
        break;
      case 0x00280033:
        m = EXCHANGE_UNBIND_OK;
        break;
      case 0x0032000a:
        m = decodeQueueDeclare(r);
        break;
      case 0x0032000b:
        m = decodeQueueDeclareOk(r);
        break;
      case 0x00320014:
        m = decodeQueueBind(r);
        break;
      case 0x00320015:
        m = QUEUE_BIND_OK;
        break;
      case 0x0032001e:
        m = decodeQueuePurge(r);
        break;
      case 0x0032001f:
        m = decodeQueuePurgeOk(r);
        break;
      case 0x00320028:
        m = decodeQueueDelete(r);
        break;
      case 0x00320029:
        m = decodeQueueDeleteOk(r);
        break;
      case 0x00320032:
        m = decodeQueueUnbind(r);
        break;
      case 0x00320033:
        m = QUEUE_UNBIND_OK;
        break;
      case 0x003c000a:
        m = decodeBasicQos(r);
        break;
      case 0x003c000b:
        m = BASIC_QOS_OK;
        break;
      case 0x003c0014:
        m = decodeBasicConsume(r);
        break;
      case 0x003c0015:
        m = decodeBasicConsumeOk(r);
        break;
      case 0x003c001e:
        m = decodeBasicCancel(r);
        break;
      case 0x003c001f:
        m = decodeBasicCancelOk(r);
        break;
      case 0x003c0028:
        m = decodeBasicPublish(r);
        break;
      case 0x003c0032:
        m = decodeBasicReturn(r);
        break;
      case 0x003c003c:
        m = decodeBasicDeliver(r);
        break;
      case 0x003c0046:
        m = decodeBasicGet(r);
        break;
      case 0x003c0047:
        m = decodeBasicGetOk(r);
        break;
      case 0x003c0048:
        m = decodeBasicGetEmpty(r);
        break;
      case 0x003c0050:
        m = decodeBasicAck(r);
        break;
      case 0x003c005a:
        m = decodeBasicReject(r);
        break;
      case 0x003c0064:
        m = decodeBasicRecoverAsync(r);
        break;
      case 0x003c006e:
        m = decodeBasicRecover(r);
        break;
      case 0x003c006f:
        m = BASIC_RECOVER_OK;
        break;
      case 0x003c0078:
        m = decodeBasicNack(r);
        break;
      case 0x0055000a:
        m = decodeConfirmSelect(r);
        break;
      case 0x0055000b:
        m = CONFIRM_SELECT_OK;
        break;
      case 0x005a000a:
        m = TX_SELECT;
        break;
      case 0x005a000b:
        m = TX_SELECT_OK;
        break;
      case 0x005a0014:
        m = TX_COMMIT;
        break;
      case 0x005a0015:
        m = TX_COMMIT_OK;
        break;
      case 0x005a001e:
        m = TX_ROLLBACK;
        break;
      case 0x005a001f:
        m = TX_ROLLBACK_OK;
        break;
      default:
        throw new DecodeError('unknown-method', `unknown method ${classId}/${methodId}`, classId, methodId);
    }
  } catch (err) {
    if (err instanceof DecodeError) {
      err.classId = classId;
      err.methodId = methodId;
    }
    throw err;
  }
  if (r.pos !== end) {
    throw new DecodeError('bad-value', `${m.name}: ${end - r.pos} byte(s) after the last argument`, classId, methodId);
  }
  return m;
}

// ---- Encoding ----

/** connection.start payload: class id, method id, arguments. */
export function encodeConnectionStart(w: Writer, versionMajor: number, versionMinor: number, serverProperties: FieldTable, mechanisms: Buffer, locales: Buffer): void {
  w.u32(0x000a000a);
  w.u8(versionMajor);
  w.u8(versionMinor);
  w.table(serverProperties);
  w.longstr(mechanisms);
  w.longstr(locales);
}

/** A whole connection.start method frame, frame-end included. */
export function encodeConnectionStartFrame(w: Writer, channel: number, versionMajor: number, versionMinor: number, serverProperties: FieldTable, mechanisms: Buffer, locales: Buffer): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionStart(w, versionMajor, versionMinor, serverProperties, mechanisms, locales);
  w.endFrame(start);
}

/** connection.start-ok payload: class id, method id, arguments. */
export function encodeConnectionStartOk(w: Writer, clientProperties: FieldTable, mechanism: string, response: Buffer, locale: string): void {
  w.u32(0x000a000b);
  w.table(clientProperties);
  w.shortstr(mechanism);
  w.longstr(response);
  w.shortstr(locale);
}

/** A whole connection.start-ok method frame, frame-end included. */
export function encodeConnectionStartOkFrame(w: Writer, channel: number, clientProperties: FieldTable, mechanism: string, response: Buffer, locale: string): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionStartOk(w, clientProperties, mechanism, response, locale);
  w.endFrame(start);
}

/** connection.secure payload: class id, method id, arguments. */
export function encodeConnectionSecure(w: Writer, challenge: Buffer): void {
  w.u32(0x000a0014);
  w.longstr(challenge);
}

/** A whole connection.secure method frame, frame-end included. */
export function encodeConnectionSecureFrame(w: Writer, channel: number, challenge: Buffer): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionSecure(w, challenge);
  w.endFrame(start);
}

/** connection.secure-ok payload: class id, method id, arguments. */
export function encodeConnectionSecureOk(w: Writer, response: Buffer): void {
  w.u32(0x000a0015);
  w.longstr(response);
}

/** A whole connection.secure-ok method frame, frame-end included. */
export function encodeConnectionSecureOkFrame(w: Writer, channel: number, response: Buffer): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionSecureOk(w, response);
  w.endFrame(start);
}

/** connection.tune payload: class id, method id, arguments. */
export function encodeConnectionTune(w: Writer, channelMax: number, frameMax: number, heartbeat: number): void {
  w.u32(0x000a001e);
  w.u16(channelMax);
  w.u32(frameMax);
  w.u16(heartbeat);
}

/** A whole connection.tune method frame, frame-end included. */
export function encodeConnectionTuneFrame(w: Writer, channel: number, channelMax: number, frameMax: number, heartbeat: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionTune(w, channelMax, frameMax, heartbeat);
  w.endFrame(start);
}

/** connection.tune-ok payload: class id, method id, arguments. */
export function encodeConnectionTuneOk(w: Writer, channelMax: number, frameMax: number, heartbeat: number): void {
  w.u32(0x000a001f);
  w.u16(channelMax);
  w.u32(frameMax);
  w.u16(heartbeat);
}

/** A whole connection.tune-ok method frame, frame-end included. */
export function encodeConnectionTuneOkFrame(w: Writer, channel: number, channelMax: number, frameMax: number, heartbeat: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionTuneOk(w, channelMax, frameMax, heartbeat);
  w.endFrame(start);
}

/** connection.open payload: class id, method id, arguments. */
export function encodeConnectionOpen(w: Writer, virtualHost: string, capabilities: string, insist: boolean): void {
  w.u32(0x000a0028);
  w.shortstr(virtualHost);
  w.shortstr(capabilities);
  w.u8((insist ? 1 : 0));
}

/** A whole connection.open method frame, frame-end included. */
export function encodeConnectionOpenFrame(w: Writer, channel: number, virtualHost: string, capabilities: string, insist: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionOpen(w, virtualHost, capabilities, insist);
  w.endFrame(start);
}

/** connection.open-ok payload: class id, method id, arguments. */
export function encodeConnectionOpenOk(w: Writer, knownHosts: string): void {
  w.u32(0x000a0029);
  w.shortstr(knownHosts);
}

/** A whole connection.open-ok method frame, frame-end included. */
export function encodeConnectionOpenOkFrame(w: Writer, channel: number, knownHosts: string): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionOpenOk(w, knownHosts);
  w.endFrame(start);
}

/** connection.close payload: class id, method id, arguments. */
export function encodeConnectionClose(w: Writer, replyCode: number, replyText: string, classId: number, methodId: number): void {
  w.u32(0x000a0032);
  w.u16(replyCode);
  w.shortstr(replyText);
  w.u16(classId);
  w.u16(methodId);
}

/** A whole connection.close method frame, frame-end included. */
export function encodeConnectionCloseFrame(w: Writer, channel: number, replyCode: number, replyText: string, classId: number, methodId: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionClose(w, replyCode, replyText, classId, methodId);
  w.endFrame(start);
}

/** connection.close-ok payload: class id, method id, arguments. */
export function encodeConnectionCloseOk(w: Writer): void {
  w.u32(0x000a0033);
}

/** A whole connection.close-ok method frame, frame-end included. */
export function encodeConnectionCloseOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionCloseOk(w);
  w.endFrame(start);
}

/** connection.blocked payload: class id, method id, arguments. */
export function encodeConnectionBlocked(w: Writer, reason: string): void {
  w.u32(0x000a003c);
  w.shortstr(reason);
}

/** A whole connection.blocked method frame, frame-end included. */
export function encodeConnectionBlockedFrame(w: Writer, channel: number, reason: string): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionBlocked(w, reason);
  w.endFrame(start);
}

/** connection.unblocked payload: class id, method id, arguments. */
export function encodeConnectionUnblocked(w: Writer): void {
  w.u32(0x000a003d);
}

/** A whole connection.unblocked method frame, frame-end included. */
export function encodeConnectionUnblockedFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionUnblocked(w);
  w.endFrame(start);
}

/** connection.update-secret payload: class id, method id, arguments. */
export function encodeConnectionUpdateSecret(w: Writer, newSecret: Buffer, reason: string): void {
  w.u32(0x000a0046);
  w.longstr(newSecret);
  w.shortstr(reason);
}

/** A whole connection.update-secret method frame, frame-end included. */
export function encodeConnectionUpdateSecretFrame(w: Writer, channel: number, newSecret: Buffer, reason: string): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionUpdateSecret(w, newSecret, reason);
  w.endFrame(start);
}

/** connection.update-secret-ok payload: class id, method id, arguments. */
export function encodeConnectionUpdateSecretOk(w: Writer): void {
  w.u32(0x000a0047);
}

/** A whole connection.update-secret-ok method frame, frame-end included. */
export function encodeConnectionUpdateSecretOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeConnectionUpdateSecretOk(w);
  w.endFrame(start);
}

/** channel.open payload: class id, method id, arguments. */
export function encodeChannelOpen(w: Writer, outOfBand: string): void {
  w.u32(0x0014000a);
  w.shortstr(outOfBand);
}

/** A whole channel.open method frame, frame-end included. */
export function encodeChannelOpenFrame(w: Writer, channel: number, outOfBand: string): void {
  const start = w.beginFrame(1, channel);
  encodeChannelOpen(w, outOfBand);
  w.endFrame(start);
}

/** channel.open-ok payload: class id, method id, arguments. */
export function encodeChannelOpenOk(w: Writer, channelId: Buffer): void {
  w.u32(0x0014000b);
  w.longstr(channelId);
}

/** A whole channel.open-ok method frame, frame-end included. */
export function encodeChannelOpenOkFrame(w: Writer, channel: number, channelId: Buffer): void {
  const start = w.beginFrame(1, channel);
  encodeChannelOpenOk(w, channelId);
  w.endFrame(start);
}

/** channel.flow payload: class id, method id, arguments. */
export function encodeChannelFlow(w: Writer, active: boolean): void {
  w.u32(0x00140014);
  w.u8((active ? 1 : 0));
}

/** A whole channel.flow method frame, frame-end included. */
export function encodeChannelFlowFrame(w: Writer, channel: number, active: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeChannelFlow(w, active);
  w.endFrame(start);
}

/** channel.flow-ok payload: class id, method id, arguments. */
export function encodeChannelFlowOk(w: Writer, active: boolean): void {
  w.u32(0x00140015);
  w.u8((active ? 1 : 0));
}

/** A whole channel.flow-ok method frame, frame-end included. */
export function encodeChannelFlowOkFrame(w: Writer, channel: number, active: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeChannelFlowOk(w, active);
  w.endFrame(start);
}

/** channel.close payload: class id, method id, arguments. */
export function encodeChannelClose(w: Writer, replyCode: number, replyText: string, classId: number, methodId: number): void {
  w.u32(0x00140028);
  w.u16(replyCode);
  w.shortstr(replyText);
  w.u16(classId);
  w.u16(methodId);
}

/** A whole channel.close method frame, frame-end included. */
export function encodeChannelCloseFrame(w: Writer, channel: number, replyCode: number, replyText: string, classId: number, methodId: number): void {
  const start = w.beginFrame(1, channel);
  encodeChannelClose(w, replyCode, replyText, classId, methodId);
  w.endFrame(start);
}

/** channel.close-ok payload: class id, method id, arguments. */
export function encodeChannelCloseOk(w: Writer): void {
  w.u32(0x00140029);
}

/** A whole channel.close-ok method frame, frame-end included. */
export function encodeChannelCloseOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeChannelCloseOk(w);
  w.endFrame(start);
}

/** access.request payload: class id, method id, arguments. */
export function encodeAccessRequest(w: Writer, realm: string, exclusive: boolean, passive: boolean, active: boolean, write: boolean, read: boolean): void {
  w.u32(0x001e000a);
  w.shortstr(realm);
  w.u8((exclusive ? 1 : 0) | (passive ? 2 : 0) | (active ? 4 : 0) | (write ? 8 : 0) | (read ? 16 : 0));
}

/** A whole access.request method frame, frame-end included. */
export function encodeAccessRequestFrame(w: Writer, channel: number, realm: string, exclusive: boolean, passive: boolean, active: boolean, write: boolean, read: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeAccessRequest(w, realm, exclusive, passive, active, write, read);
  w.endFrame(start);
}

/** access.request-ok payload: class id, method id, arguments. */
export function encodeAccessRequestOk(w: Writer, ticket: number): void {
  w.u32(0x001e000b);
  w.u16(ticket);
}

/** A whole access.request-ok method frame, frame-end included. */
export function encodeAccessRequestOkFrame(w: Writer, channel: number, ticket: number): void {
  const start = w.beginFrame(1, channel);
  encodeAccessRequestOk(w, ticket);
  w.endFrame(start);
}

/** exchange.declare payload: class id, method id, arguments. */
export function encodeExchangeDeclare(w: Writer, ticket: number, exchange: string, type: string, passive: boolean, durable: boolean, autoDelete: boolean, internal: boolean, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x0028000a);
  w.u16(ticket);
  w.shortstr(exchange);
  w.shortstr(type);
  w.u8((passive ? 1 : 0) | (durable ? 2 : 0) | (autoDelete ? 4 : 0) | (internal ? 8 : 0) | (nowait ? 16 : 0));
  w.table(arguments_);
}

/** A whole exchange.declare method frame, frame-end included. */
export function encodeExchangeDeclareFrame(w: Writer, channel: number, ticket: number, exchange: string, type: string, passive: boolean, durable: boolean, autoDelete: boolean, internal: boolean, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeDeclare(w, ticket, exchange, type, passive, durable, autoDelete, internal, nowait, arguments_);
  w.endFrame(start);
}

/** exchange.declare-ok payload: class id, method id, arguments. */
export function encodeExchangeDeclareOk(w: Writer): void {
  w.u32(0x0028000b);
}

/** A whole exchange.declare-ok method frame, frame-end included. */
export function encodeExchangeDeclareOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeDeclareOk(w);
  w.endFrame(start);
}

/** exchange.delete payload: class id, method id, arguments. */
export function encodeExchangeDelete(w: Writer, ticket: number, exchange: string, ifUnused: boolean, nowait: boolean): void {
  w.u32(0x00280014);
  w.u16(ticket);
  w.shortstr(exchange);
  w.u8((ifUnused ? 1 : 0) | (nowait ? 2 : 0));
}

/** A whole exchange.delete method frame, frame-end included. */
export function encodeExchangeDeleteFrame(w: Writer, channel: number, ticket: number, exchange: string, ifUnused: boolean, nowait: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeDelete(w, ticket, exchange, ifUnused, nowait);
  w.endFrame(start);
}

/** exchange.delete-ok payload: class id, method id, arguments. */
export function encodeExchangeDeleteOk(w: Writer): void {
  w.u32(0x00280015);
}

/** A whole exchange.delete-ok method frame, frame-end included. */
export function encodeExchangeDeleteOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeDeleteOk(w);
  w.endFrame(start);
}

/** exchange.bind payload: class id, method id, arguments. */
export function encodeExchangeBind(w: Writer, ticket: number, destination: string, source: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x0028001e);
  w.u16(ticket);
  w.shortstr(destination);
  w.shortstr(source);
  w.shortstr(routingKey);
  w.u8((nowait ? 1 : 0));
  w.table(arguments_);
}

/** A whole exchange.bind method frame, frame-end included. */
export function encodeExchangeBindFrame(w: Writer, channel: number, ticket: number, destination: string, source: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeBind(w, ticket, destination, source, routingKey, nowait, arguments_);
  w.endFrame(start);
}

/** exchange.bind-ok payload: class id, method id, arguments. */
export function encodeExchangeBindOk(w: Writer): void {
  w.u32(0x0028001f);
}

/** A whole exchange.bind-ok method frame, frame-end included. */
export function encodeExchangeBindOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeBindOk(w);
  w.endFrame(start);
}

/** exchange.unbind payload: class id, method id, arguments. */
export function encodeExchangeUnbind(w: Writer, ticket: number, destination: string, source: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x00280028);
  w.u16(ticket);
  w.shortstr(destination);
  w.shortstr(source);
  w.shortstr(routingKey);
  w.u8((nowait ? 1 : 0));
  w.table(arguments_);
}

/** A whole exchange.unbind method frame, frame-end included. */
export function encodeExchangeUnbindFrame(w: Writer, channel: number, ticket: number, destination: string, source: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeUnbind(w, ticket, destination, source, routingKey, nowait, arguments_);
  w.endFrame(start);
}

/** exchange.unbind-ok payload: class id, method id, arguments. */
export function encodeExchangeUnbindOk(w: Writer): void {
  w.u32(0x00280033);
}

/** A whole exchange.unbind-ok method frame, frame-end included. */
export function encodeExchangeUnbindOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeExchangeUnbindOk(w);
  w.endFrame(start);
}

/** queue.declare payload: class id, method id, arguments. */
export function encodeQueueDeclare(w: Writer, ticket: number, queue: string, passive: boolean, durable: boolean, exclusive: boolean, autoDelete: boolean, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x0032000a);
  w.u16(ticket);
  w.shortstr(queue);
  w.u8((passive ? 1 : 0) | (durable ? 2 : 0) | (exclusive ? 4 : 0) | (autoDelete ? 8 : 0) | (nowait ? 16 : 0));
  w.table(arguments_);
}

/** A whole queue.declare method frame, frame-end included. */
export function encodeQueueDeclareFrame(w: Writer, channel: number, ticket: number, queue: string, passive: boolean, durable: boolean, exclusive: boolean, autoDelete: boolean, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeQueueDeclare(w, ticket, queue, passive, durable, exclusive, autoDelete, nowait, arguments_);
  w.endFrame(start);
}

/** queue.declare-ok payload: class id, method id, arguments. */
export function encodeQueueDeclareOk(w: Writer, queue: string, messageCount: number, consumerCount: number): void {
  w.u32(0x0032000b);
  w.shortstr(queue);
  w.u32(messageCount);
  w.u32(consumerCount);
}

/** A whole queue.declare-ok method frame, frame-end included. */
export function encodeQueueDeclareOkFrame(w: Writer, channel: number, queue: string, messageCount: number, consumerCount: number): void {
  const start = w.beginFrame(1, channel);
  encodeQueueDeclareOk(w, queue, messageCount, consumerCount);
  w.endFrame(start);
}

/** queue.bind payload: class id, method id, arguments. */
export function encodeQueueBind(w: Writer, ticket: number, queue: string, exchange: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x00320014);
  w.u16(ticket);
  w.shortstr(queue);
  w.shortstr(exchange);
  w.shortstr(routingKey);
  w.u8((nowait ? 1 : 0));
  w.table(arguments_);
}

/** A whole queue.bind method frame, frame-end included. */
export function encodeQueueBindFrame(w: Writer, channel: number, ticket: number, queue: string, exchange: string, routingKey: string, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeQueueBind(w, ticket, queue, exchange, routingKey, nowait, arguments_);
  w.endFrame(start);
}

/** queue.bind-ok payload: class id, method id, arguments. */
export function encodeQueueBindOk(w: Writer): void {
  w.u32(0x00320015);
}

/** A whole queue.bind-ok method frame, frame-end included. */
export function encodeQueueBindOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeQueueBindOk(w);
  w.endFrame(start);
}

/** queue.purge payload: class id, method id, arguments. */
export function encodeQueuePurge(w: Writer, ticket: number, queue: string, nowait: boolean): void {
  w.u32(0x0032001e);
  w.u16(ticket);
  w.shortstr(queue);
  w.u8((nowait ? 1 : 0));
}

/** A whole queue.purge method frame, frame-end included. */
export function encodeQueuePurgeFrame(w: Writer, channel: number, ticket: number, queue: string, nowait: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeQueuePurge(w, ticket, queue, nowait);
  w.endFrame(start);
}

/** queue.purge-ok payload: class id, method id, arguments. */
export function encodeQueuePurgeOk(w: Writer, messageCount: number): void {
  w.u32(0x0032001f);
  w.u32(messageCount);
}

/** A whole queue.purge-ok method frame, frame-end included. */
export function encodeQueuePurgeOkFrame(w: Writer, channel: number, messageCount: number): void {
  const start = w.beginFrame(1, channel);
  encodeQueuePurgeOk(w, messageCount);
  w.endFrame(start);
}

/** queue.delete payload: class id, method id, arguments. */
export function encodeQueueDelete(w: Writer, ticket: number, queue: string, ifUnused: boolean, ifEmpty: boolean, nowait: boolean): void {
  w.u32(0x00320028);
  w.u16(ticket);
  w.shortstr(queue);
  w.u8((ifUnused ? 1 : 0) | (ifEmpty ? 2 : 0) | (nowait ? 4 : 0));
}

/** A whole queue.delete method frame, frame-end included. */
export function encodeQueueDeleteFrame(w: Writer, channel: number, ticket: number, queue: string, ifUnused: boolean, ifEmpty: boolean, nowait: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeQueueDelete(w, ticket, queue, ifUnused, ifEmpty, nowait);
  w.endFrame(start);
}

/** queue.delete-ok payload: class id, method id, arguments. */
export function encodeQueueDeleteOk(w: Writer, messageCount: number): void {
  w.u32(0x00320029);
  w.u32(messageCount);
}

/** A whole queue.delete-ok method frame, frame-end included. */
export function encodeQueueDeleteOkFrame(w: Writer, channel: number, messageCount: number): void {
  const start = w.beginFrame(1, channel);
  encodeQueueDeleteOk(w, messageCount);
  w.endFrame(start);
}

/** queue.unbind payload: class id, method id, arguments. */
export function encodeQueueUnbind(w: Writer, ticket: number, queue: string, exchange: string, routingKey: string, arguments_: FieldTable): void {
  w.u32(0x00320032);
  w.u16(ticket);
  w.shortstr(queue);
  w.shortstr(exchange);
  w.shortstr(routingKey);
  w.table(arguments_);
}

/** A whole queue.unbind method frame, frame-end included. */
export function encodeQueueUnbindFrame(w: Writer, channel: number, ticket: number, queue: string, exchange: string, routingKey: string, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeQueueUnbind(w, ticket, queue, exchange, routingKey, arguments_);
  w.endFrame(start);
}

/** queue.unbind-ok payload: class id, method id, arguments. */
export function encodeQueueUnbindOk(w: Writer): void {
  w.u32(0x00320033);
}

/** A whole queue.unbind-ok method frame, frame-end included. */
export function encodeQueueUnbindOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeQueueUnbindOk(w);
  w.endFrame(start);
}

/** basic.qos payload: class id, method id, arguments. */
export function encodeBasicQos(w: Writer, prefetchSize: number, prefetchCount: number, global: boolean): void {
  w.u32(0x003c000a);
  w.u32(prefetchSize);
  w.u16(prefetchCount);
  w.u8((global ? 1 : 0));
}

/** A whole basic.qos method frame, frame-end included. */
export function encodeBasicQosFrame(w: Writer, channel: number, prefetchSize: number, prefetchCount: number, global: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicQos(w, prefetchSize, prefetchCount, global);
  w.endFrame(start);
}

/** basic.qos-ok payload: class id, method id, arguments. */
export function encodeBasicQosOk(w: Writer): void {
  w.u32(0x003c000b);
}

/** A whole basic.qos-ok method frame, frame-end included. */
export function encodeBasicQosOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeBasicQosOk(w);
  w.endFrame(start);
}

/** basic.consume payload: class id, method id, arguments. */
export function encodeBasicConsume(w: Writer, ticket: number, queue: string, consumerTag: string, noLocal: boolean, noAck: boolean, exclusive: boolean, nowait: boolean, arguments_: FieldTable): void {
  w.u32(0x003c0014);
  w.u16(ticket);
  w.shortstr(queue);
  w.shortstr(consumerTag);
  w.u8((noLocal ? 1 : 0) | (noAck ? 2 : 0) | (exclusive ? 4 : 0) | (nowait ? 8 : 0));
  w.table(arguments_);
}

/** A whole basic.consume method frame, frame-end included. */
export function encodeBasicConsumeFrame(w: Writer, channel: number, ticket: number, queue: string, consumerTag: string, noLocal: boolean, noAck: boolean, exclusive: boolean, nowait: boolean, arguments_: FieldTable): void {
  const start = w.beginFrame(1, channel);
  encodeBasicConsume(w, ticket, queue, consumerTag, noLocal, noAck, exclusive, nowait, arguments_);
  w.endFrame(start);
}

/** basic.consume-ok payload: class id, method id, arguments. */
export function encodeBasicConsumeOk(w: Writer, consumerTag: string): void {
  w.u32(0x003c0015);
  w.shortstr(consumerTag);
}

/** A whole basic.consume-ok method frame, frame-end included. */
export function encodeBasicConsumeOkFrame(w: Writer, channel: number, consumerTag: string): void {
  const start = w.beginFrame(1, channel);
  encodeBasicConsumeOk(w, consumerTag);
  w.endFrame(start);
}

/** basic.cancel payload: class id, method id, arguments. */
export function encodeBasicCancel(w: Writer, consumerTag: string, nowait: boolean): void {
  w.u32(0x003c001e);
  w.shortstr(consumerTag);
  w.u8((nowait ? 1 : 0));
}

/** A whole basic.cancel method frame, frame-end included. */
export function encodeBasicCancelFrame(w: Writer, channel: number, consumerTag: string, nowait: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicCancel(w, consumerTag, nowait);
  w.endFrame(start);
}

/** basic.cancel-ok payload: class id, method id, arguments. */
export function encodeBasicCancelOk(w: Writer, consumerTag: string): void {
  w.u32(0x003c001f);
  w.shortstr(consumerTag);
}

/** A whole basic.cancel-ok method frame, frame-end included. */
export function encodeBasicCancelOkFrame(w: Writer, channel: number, consumerTag: string): void {
  const start = w.beginFrame(1, channel);
  encodeBasicCancelOk(w, consumerTag);
  w.endFrame(start);
}

/** basic.publish payload: class id, method id, arguments. */
export function encodeBasicPublish(w: Writer, ticket: number, exchange: string, routingKey: string, mandatory: boolean, immediate: boolean): void {
  w.u32(0x003c0028);
  w.u16(ticket);
  w.shortstr(exchange);
  w.shortstr(routingKey);
  w.u8((mandatory ? 1 : 0) | (immediate ? 2 : 0));
}

/** A whole basic.publish method frame, frame-end included. */
export function encodeBasicPublishFrame(w: Writer, channel: number, ticket: number, exchange: string, routingKey: string, mandatory: boolean, immediate: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicPublish(w, ticket, exchange, routingKey, mandatory, immediate);
  w.endFrame(start);
}

/** basic.return payload: class id, method id, arguments. */
export function encodeBasicReturn(w: Writer, replyCode: number, replyText: string, exchange: string, routingKey: string): void {
  w.u32(0x003c0032);
  w.u16(replyCode);
  w.shortstr(replyText);
  w.shortstr(exchange);
  w.shortstr(routingKey);
}

/** A whole basic.return method frame, frame-end included. */
export function encodeBasicReturnFrame(w: Writer, channel: number, replyCode: number, replyText: string, exchange: string, routingKey: string): void {
  const start = w.beginFrame(1, channel);
  encodeBasicReturn(w, replyCode, replyText, exchange, routingKey);
  w.endFrame(start);
}

/** basic.deliver payload: class id, method id, arguments. */
export function encodeBasicDeliver(w: Writer, consumerTag: string, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string): void {
  w.u32(0x003c003c);
  w.shortstr(consumerTag);
  w.u64(deliveryTag);
  w.u8((redelivered ? 1 : 0));
  w.shortstr(exchange);
  w.shortstr(routingKey);
}

/** A whole basic.deliver method frame, frame-end included. */
export function encodeBasicDeliverFrame(w: Writer, channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string): void {
  const start = w.beginFrame(1, channel);
  encodeBasicDeliver(w, consumerTag, deliveryTag, redelivered, exchange, routingKey);
  w.endFrame(start);
}

/** basic.get payload: class id, method id, arguments. */
export function encodeBasicGet(w: Writer, ticket: number, queue: string, noAck: boolean): void {
  w.u32(0x003c0046);
  w.u16(ticket);
  w.shortstr(queue);
  w.u8((noAck ? 1 : 0));
}

/** A whole basic.get method frame, frame-end included. */
export function encodeBasicGetFrame(w: Writer, channel: number, ticket: number, queue: string, noAck: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicGet(w, ticket, queue, noAck);
  w.endFrame(start);
}

/** basic.get-ok payload: class id, method id, arguments. */
export function encodeBasicGetOk(w: Writer, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string, messageCount: number): void {
  w.u32(0x003c0047);
  w.u64(deliveryTag);
  w.u8((redelivered ? 1 : 0));
  w.shortstr(exchange);
  w.shortstr(routingKey);
  w.u32(messageCount);
}

/** A whole basic.get-ok method frame, frame-end included. */
export function encodeBasicGetOkFrame(w: Writer, channel: number, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string, messageCount: number): void {
  const start = w.beginFrame(1, channel);
  encodeBasicGetOk(w, deliveryTag, redelivered, exchange, routingKey, messageCount);
  w.endFrame(start);
}

/** basic.get-empty payload: class id, method id, arguments. */
export function encodeBasicGetEmpty(w: Writer, clusterId: string): void {
  w.u32(0x003c0048);
  w.shortstr(clusterId);
}

/** A whole basic.get-empty method frame, frame-end included. */
export function encodeBasicGetEmptyFrame(w: Writer, channel: number, clusterId: string): void {
  const start = w.beginFrame(1, channel);
  encodeBasicGetEmpty(w, clusterId);
  w.endFrame(start);
}

/** basic.ack payload: class id, method id, arguments. */
export function encodeBasicAck(w: Writer, deliveryTag: number, multiple: boolean): void {
  w.u32(0x003c0050);
  w.u64(deliveryTag);
  w.u8((multiple ? 1 : 0));
}

/** A whole basic.ack method frame, frame-end included. */
export function encodeBasicAckFrame(w: Writer, channel: number, deliveryTag: number, multiple: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicAck(w, deliveryTag, multiple);
  w.endFrame(start);
}

/** basic.reject payload: class id, method id, arguments. */
export function encodeBasicReject(w: Writer, deliveryTag: number, requeue: boolean): void {
  w.u32(0x003c005a);
  w.u64(deliveryTag);
  w.u8((requeue ? 1 : 0));
}

/** A whole basic.reject method frame, frame-end included. */
export function encodeBasicRejectFrame(w: Writer, channel: number, deliveryTag: number, requeue: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicReject(w, deliveryTag, requeue);
  w.endFrame(start);
}

/** basic.recover-async payload: class id, method id, arguments. */
export function encodeBasicRecoverAsync(w: Writer, requeue: boolean): void {
  w.u32(0x003c0064);
  w.u8((requeue ? 1 : 0));
}

/** A whole basic.recover-async method frame, frame-end included. */
export function encodeBasicRecoverAsyncFrame(w: Writer, channel: number, requeue: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicRecoverAsync(w, requeue);
  w.endFrame(start);
}

/** basic.recover payload: class id, method id, arguments. */
export function encodeBasicRecover(w: Writer, requeue: boolean): void {
  w.u32(0x003c006e);
  w.u8((requeue ? 1 : 0));
}

/** A whole basic.recover method frame, frame-end included. */
export function encodeBasicRecoverFrame(w: Writer, channel: number, requeue: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicRecover(w, requeue);
  w.endFrame(start);
}

/** basic.recover-ok payload: class id, method id, arguments. */
export function encodeBasicRecoverOk(w: Writer): void {
  w.u32(0x003c006f);
}

/** A whole basic.recover-ok method frame, frame-end included. */
export function encodeBasicRecoverOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeBasicRecoverOk(w);
  w.endFrame(start);
}

/** basic.nack payload: class id, method id, arguments. */
export function encodeBasicNack(w: Writer, deliveryTag: number, multiple: boolean, requeue: boolean): void {
  w.u32(0x003c0078);
  w.u64(deliveryTag);
  w.u8((multiple ? 1 : 0) | (requeue ? 2 : 0));
}

/** A whole basic.nack method frame, frame-end included. */
export function encodeBasicNackFrame(w: Writer, channel: number, deliveryTag: number, multiple: boolean, requeue: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeBasicNack(w, deliveryTag, multiple, requeue);
  w.endFrame(start);
}

/** confirm.select payload: class id, method id, arguments. */
export function encodeConfirmSelect(w: Writer, nowait: boolean): void {
  w.u32(0x0055000a);
  w.u8((nowait ? 1 : 0));
}

/** A whole confirm.select method frame, frame-end included. */
export function encodeConfirmSelectFrame(w: Writer, channel: number, nowait: boolean): void {
  const start = w.beginFrame(1, channel);
  encodeConfirmSelect(w, nowait);
  w.endFrame(start);
}

/** confirm.select-ok payload: class id, method id, arguments. */
export function encodeConfirmSelectOk(w: Writer): void {
  w.u32(0x0055000b);
}

/** A whole confirm.select-ok method frame, frame-end included. */
export function encodeConfirmSelectOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeConfirmSelectOk(w);
  w.endFrame(start);
}

/** tx.select payload: class id, method id, arguments. */
export function encodeTxSelect(w: Writer): void {
  w.u32(0x005a000a);
}

/** A whole tx.select method frame, frame-end included. */
export function encodeTxSelectFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxSelect(w);
  w.endFrame(start);
}

/** tx.select-ok payload: class id, method id, arguments. */
export function encodeTxSelectOk(w: Writer): void {
  w.u32(0x005a000b);
}

/** A whole tx.select-ok method frame, frame-end included. */
export function encodeTxSelectOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxSelectOk(w);
  w.endFrame(start);
}

/** tx.commit payload: class id, method id, arguments. */
export function encodeTxCommit(w: Writer): void {
  w.u32(0x005a0014);
}

/** A whole tx.commit method frame, frame-end included. */
export function encodeTxCommitFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxCommit(w);
  w.endFrame(start);
}

/** tx.commit-ok payload: class id, method id, arguments. */
export function encodeTxCommitOk(w: Writer): void {
  w.u32(0x005a0015);
}

/** A whole tx.commit-ok method frame, frame-end included. */
export function encodeTxCommitOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxCommitOk(w);
  w.endFrame(start);
}

/** tx.rollback payload: class id, method id, arguments. */
export function encodeTxRollback(w: Writer): void {
  w.u32(0x005a001e);
}

/** A whole tx.rollback method frame, frame-end included. */
export function encodeTxRollbackFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxRollback(w);
  w.endFrame(start);
}

/** tx.rollback-ok payload: class id, method id, arguments. */
export function encodeTxRollbackOk(w: Writer): void {
  w.u32(0x005a001f);
}

/** A whole tx.rollback-ok method frame, frame-end included. */
export function encodeTxRollbackOkFrame(w: Writer, channel: number): void {
  const start = w.beginFrame(1, channel);
  encodeTxRollbackOk(w);
  w.endFrame(start);
}

/** The method payload only (class id, method id, arguments). */
export function encodeMethod(w: Writer, m: Method): void {
  switch (m.name) {
    case 'connection.start':
      encodeConnectionStart(w, m.versionMajor, m.versionMinor, m.serverProperties, m.mechanisms, m.locales);
      return;
    case 'connection.start-ok':
      encodeConnectionStartOk(w, m.clientProperties, m.mechanism, m.response, m.locale);
      return;
    case 'connection.secure':
      encodeConnectionSecure(w, m.challenge);
      return;
    case 'connection.secure-ok':
      encodeConnectionSecureOk(w, m.response);
      return;
    case 'connection.tune':
      encodeConnectionTune(w, m.channelMax, m.frameMax, m.heartbeat);
      return;
    case 'connection.tune-ok':
      encodeConnectionTuneOk(w, m.channelMax, m.frameMax, m.heartbeat);
      return;
    case 'connection.open':
      encodeConnectionOpen(w, m.virtualHost, m.capabilities, m.insist);
      return;
    case 'connection.open-ok':
      encodeConnectionOpenOk(w, m.knownHosts);
      return;
    case 'connection.close':
      encodeConnectionClose(w, m.replyCode, m.replyText, m.classId, m.methodId);
      return;
    case 'connection.close-ok':
      encodeConnectionCloseOk(w);
      return;
    case 'connection.blocked':
      encodeConnectionBlocked(w, m.reason);
      return;
    case 'connection.unblocked':
      encodeConnectionUnblocked(w);
      return;
    case 'connection.update-secret':
      encodeConnectionUpdateSecret(w, m.newSecret, m.reason);
      return;
    case 'connection.update-secret-ok':
      encodeConnectionUpdateSecretOk(w);
      return;
    case 'channel.open':
      encodeChannelOpen(w, m.outOfBand);
      return;
    case 'channel.open-ok':
      encodeChannelOpenOk(w, m.channelId);
      return;
    case 'channel.flow':
      encodeChannelFlow(w, m.active);
      return;
    case 'channel.flow-ok':
      encodeChannelFlowOk(w, m.active);
      return;
    case 'channel.close':
      encodeChannelClose(w, m.replyCode, m.replyText, m.classId, m.methodId);
      return;
    case 'channel.close-ok':
      encodeChannelCloseOk(w);
      return;
    case 'access.request':
      encodeAccessRequest(w, m.realm, m.exclusive, m.passive, m.active, m.write, m.read);
      return;
    case 'access.request-ok':
      encodeAccessRequestOk(w, m.ticket);
      return;
    case 'exchange.declare':
      encodeExchangeDeclare(w, m.ticket, m.exchange, m.type, m.passive, m.durable, m.autoDelete, m.internal, m.nowait, m.arguments);
      return;
    case 'exchange.declare-ok':
      encodeExchangeDeclareOk(w);
      return;
    case 'exchange.delete':
      encodeExchangeDelete(w, m.ticket, m.exchange, m.ifUnused, m.nowait);
      return;
    case 'exchange.delete-ok':
      encodeExchangeDeleteOk(w);
      return;
    case 'exchange.bind':
      encodeExchangeBind(w, m.ticket, m.destination, m.source, m.routingKey, m.nowait, m.arguments);
      return;
    case 'exchange.bind-ok':
      encodeExchangeBindOk(w);
      return;
    case 'exchange.unbind':
      encodeExchangeUnbind(w, m.ticket, m.destination, m.source, m.routingKey, m.nowait, m.arguments);
      return;
    case 'exchange.unbind-ok':
      encodeExchangeUnbindOk(w);
      return;
    case 'queue.declare':
      encodeQueueDeclare(w, m.ticket, m.queue, m.passive, m.durable, m.exclusive, m.autoDelete, m.nowait, m.arguments);
      return;
    case 'queue.declare-ok':
      encodeQueueDeclareOk(w, m.queue, m.messageCount, m.consumerCount);
      return;
    case 'queue.bind':
      encodeQueueBind(w, m.ticket, m.queue, m.exchange, m.routingKey, m.nowait, m.arguments);
      return;
    case 'queue.bind-ok':
      encodeQueueBindOk(w);
      return;
    case 'queue.purge':
      encodeQueuePurge(w, m.ticket, m.queue, m.nowait);
      return;
    case 'queue.purge-ok':
      encodeQueuePurgeOk(w, m.messageCount);
      return;
    case 'queue.delete':
      encodeQueueDelete(w, m.ticket, m.queue, m.ifUnused, m.ifEmpty, m.nowait);
      return;
    case 'queue.delete-ok':
      encodeQueueDeleteOk(w, m.messageCount);
      return;
    case 'queue.unbind':
      encodeQueueUnbind(w, m.ticket, m.queue, m.exchange, m.routingKey, m.arguments);
      return;
    case 'queue.unbind-ok':
      encodeQueueUnbindOk(w);
      return;
    case 'basic.qos':
      encodeBasicQos(w, m.prefetchSize, m.prefetchCount, m.global);
      return;
    case 'basic.qos-ok':
      encodeBasicQosOk(w);
      return;
    case 'basic.consume':
      encodeBasicConsume(w, m.ticket, m.queue, m.consumerTag, m.noLocal, m.noAck, m.exclusive, m.nowait, m.arguments);
      return;
    case 'basic.consume-ok':
      encodeBasicConsumeOk(w, m.consumerTag);
      return;
    case 'basic.cancel':
      encodeBasicCancel(w, m.consumerTag, m.nowait);
      return;
    case 'basic.cancel-ok':
      encodeBasicCancelOk(w, m.consumerTag);
      return;
    case 'basic.publish':
      encodeBasicPublish(w, m.ticket, m.exchange, m.routingKey, m.mandatory, m.immediate);
      return;
    case 'basic.return':
      encodeBasicReturn(w, m.replyCode, m.replyText, m.exchange, m.routingKey);
      return;
    case 'basic.deliver':
      encodeBasicDeliver(w, m.consumerTag, m.deliveryTag, m.redelivered, m.exchange, m.routingKey);
      return;
    case 'basic.get':
      encodeBasicGet(w, m.ticket, m.queue, m.noAck);
      return;
    case 'basic.get-ok':
      encodeBasicGetOk(w, m.deliveryTag, m.redelivered, m.exchange, m.routingKey, m.messageCount);
      return;
    case 'basic.get-empty':
      encodeBasicGetEmpty(w, m.clusterId);
      return;
    case 'basic.ack':
      encodeBasicAck(w, m.deliveryTag, m.multiple);
      return;
    case 'basic.reject':
      encodeBasicReject(w, m.deliveryTag, m.requeue);
      return;
    case 'basic.recover-async':
      encodeBasicRecoverAsync(w, m.requeue);
      return;
    case 'basic.recover':
      encodeBasicRecover(w, m.requeue);
      return;
    case 'basic.recover-ok':
      encodeBasicRecoverOk(w);
      return;
    case 'basic.nack':
      encodeBasicNack(w, m.deliveryTag, m.multiple, m.requeue);
      return;
    case 'confirm.select':
      encodeConfirmSelect(w, m.nowait);
      return;
    case 'confirm.select-ok':
      encodeConfirmSelectOk(w);
      return;
    case 'tx.select':
      encodeTxSelect(w);
      return;
    case 'tx.select-ok':
      encodeTxSelectOk(w);
      return;
    case 'tx.commit':
      encodeTxCommit(w);
      return;
    case 'tx.commit-ok':
      encodeTxCommitOk(w);
      return;
    case 'tx.rollback':
      encodeTxRollback(w);
      return;
    case 'tx.rollback-ok':
      encodeTxRollbackOk(w);
      return;
  }
}

/** A whole method frame, frame-end included. */
export function encodeMethodFrame(w: Writer, channel: number, m: Method): void {
  const start = w.beginFrame(1, channel);
  encodeMethod(w, m);
  w.endFrame(start);
}
