/**
 * Helpers for the topology suites: a shared broker per file, connections closed after each test,
 * and the server's refusals (channel.close / connection.close) read back as code and text, which
 * the tests compare with what RabbitMQ 3.10 answers in the same scenario.
 *
 * TOPOLOGY_REFERENCE_URL=amqp://guest:guest@127.0.0.1:5673 runs the suites against that broker
 * instead (a freshly started RabbitMQ: /work/shared/tools/rabbitmq.sh), to check the expectations
 * themselves. Warren-only tests are skipped there with `onWarrenOnly`.
 */
import { AMQPClient, type AMQPBaseClient, type AMQPChannel } from '@cloudamqp/amqp-client';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openBroker } from '../../helpers/broker.js';

const REFERENCE_URL = process.env['TOPOLOGY_REFERENCE_URL'];

/** For tests that look inside Warren (no equivalent on a reference broker). */
export const onWarrenOnly = REFERENCE_URL === undefined;

export interface Refusal {
  readonly code: number;
  readonly text: string;
  readonly classId?: number | undefined;
  readonly methodId?: number | undefined;
}

/** RabbitMQ's text for every exclusive-access refusal (405). */
export const lockedText = (queue: string): string =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;

/**
 * One broker for the file (started in beforeAll) and connection factories whose connections are
 * closed after each test, whatever the test did to them.
 */
export function sharedBroker(): {
  readonly url: () => string;
  readonly connect: () => Promise<amqp.ChannelModel>;
  readonly connectClient: () => Promise<AMQPBaseClient>;
} {
  let brokerUrl = REFERENCE_URL;
  let close: (() => Promise<void>) | undefined;
  const open: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    if (REFERENCE_URL !== undefined) return;
    const opened = await openBroker();
    brokerUrl = opened.broker.url;
    close = opened.close;
  });
  afterEach(async () => {
    const closers = open.splice(0);
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
  });
  afterAll(async () => close?.());
  const url = (): string => {
    if (brokerUrl === undefined) throw new Error('broker not started');
    return brokerUrl;
  };
  return {
    url,
    connect: async () => {
      const conn = await amqp.connect(url());
      conn.on('error', () => undefined); // refusals are asserted where they happen
      open.push(() => conn.close());
      return conn;
    },
    connectClient: async () => {
      const conn = await new AMQPClient(url()).connect();
      conn.onerror = () => undefined;
      open.push(() => conn.close());
      return conn;
    },
  };
}

/** A channel whose 'error' events are handled (amqplib would otherwise rethrow them). */
export async function channel(conn: amqp.ChannelModel): Promise<amqp.Channel> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

export async function confirmChannel(conn: amqp.ChannelModel): Promise<amqp.ConfirmChannel> {
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => undefined);
  return ch;
}

/**
 * Runs op on a fresh channel and resolves with the channel error the server answered with. Fails
 * when op succeeds. For a method without a reply (basic.publish), op should end with a round trip.
 */
export async function refused(conn: amqp.ChannelModel, op: (ch: amqp.Channel) => Promise<unknown>): Promise<Refusal> {
  const ch = await channel(conn);
  try {
    await op(ch);
  } catch (err) {
    return fromAmqplib(err);
  }
  throw new Error('expected the server to refuse the operation, but it succeeded');
}

/**
 * Runs op on a fresh connection and resolves with the connection.close the server sent, after the
 * connection is gone. Fails when the connection survives.
 */
export async function connectionRefused(url: string, op: (ch: amqp.Channel) => Promise<unknown>): Promise<Refusal> {
  const conn = await amqp.connect(url);
  const closed = new Promise<Refusal>((resolve) => {
    let error: Refusal | undefined;
    conn.on('error', (err: unknown) => (error = fromAmqplib(err)));
    conn.on('close', () => resolve(error ?? { code: 0, text: 'closed without an error' }));
  });
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  await op(ch).catch(() => undefined);
  return closed;
}

function fromAmqplib(err: unknown): Refusal {
  const e = err as { code?: unknown; message?: unknown; classId?: unknown; methodId?: unknown };
  const message = String(e.message);
  const match = /with message "(.*)"$/s.exec(message);
  return {
    code: typeof e.code === 'number' ? e.code : 0,
    text: match?.[1] ?? message,
    classId: typeof e.classId === 'number' ? e.classId : undefined,
    methodId: typeof e.methodId === 'number' ? e.methodId : undefined,
  };
}

/** @cloudamqp/amqp-client writes "channel N closed: TEXT (CODE)"; resolves with code and text. */
export async function clientRefused(conn: AMQPBaseClient, op: (ch: AMQPChannel) => Promise<unknown>): Promise<Refusal> {
  const ch = await conn.channel();
  try {
    await op(ch);
  } catch (err) {
    const match = /closed: (.*) \((\d+)\)$/s.exec(String((err as Error).message));
    if (match === null) throw err;
    return { code: Number(match[2]), text: match[1] ?? '' };
  }
  throw new Error('expected the server to refuse the operation, but it succeeded');
}

/** Every message in the queue, in order, taken with basic.get (no ack needed). */
export async function drain(ch: amqp.Channel, queue: string): Promise<amqp.GetMessage[]> {
  const out: amqp.GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m);
  }
}

export async function drainBodies(ch: amqp.Channel, queue: string): Promise<string[]> {
  return (await drain(ch, queue)).map((m) => m.content.toString());
}

/** Whether a queue exists, asked on a throwaway channel (a passive declare closes it if not). */
export async function queueExists(conn: amqp.ChannelModel, queue: string): Promise<boolean> {
  const ch = await channel(conn);
  try {
    await ch.checkQueue(queue);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

export async function exchangeExists(conn: amqp.ChannelModel, exchange: string): Promise<boolean> {
  const ch = await channel(conn);
  try {
    await ch.checkExchange(exchange);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Polls an asynchronous condition (a broker round trip) until it holds. For effects the protocol
 * does not order with any reply, such as the cleanup after a connection closed.
 */
export async function until(cond: () => Promise<boolean>, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 10));
  }
}
