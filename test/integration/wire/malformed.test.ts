import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../../src/protocol/constants.js';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { RawClient, rawFrame, rawMethodFrame, type HandshakeOptions } from '../../helpers/raw-client.js';

/**
 * Malformed input from a raw socket: each case ends in connection.close with the reply code (and the
 * class and method ids) RabbitMQ 3.10 sends for the same bytes, the socket closes once the client
 * answers close-ok, and another connection on the same broker keeps working. Where Warren answers
 * differently the case says so and why.
 */

let broker: Broker;
let close: () => Promise<void>;
let watcher: amqp.ChannelModel;
let watchChannel: amqp.Channel;
let roundTrips = 0;

beforeAll(async () => {
  ({ broker, close } = await openBroker());
  watcher = await amqp.connect(broker.url);
  watchChannel = await watcher.createChannel();
  await watchChannel.assertQueue('wire-watch', { exclusive: true });
});

afterAll(async () => {
  await watcher.close();
  await close();
});

// After every bad peer: a publish/get round trip on a healthy connection.
afterEach(async () => {
  const text = `still working ${++roundTrips}`;
  watchChannel.sendToQueue('wire-watch', Buffer.from(text));
  let got: false | amqp.GetMessage = false;
  for (let i = 0; i < 200 && got === false; i++) {
    got = await watchChannel.get('wire-watch', { noAck: true });
    if (got === false) await new Promise((r) => setTimeout(r, 5));
  }
  expect(got === false ? 'nothing' : got.content.toString()).toBe(text);
});

const PUBLISH = { name: 'basic.publish', ticket: 0, exchange: '', routingKey: 'nowhere', mandatory: false, immediate: false } as const;
const QOS = { name: 'basic.qos', prefetchSize: 0, prefetchCount: 1, global: false } as const;

interface Case {
  readonly name: string;
  readonly handshake?: HandshakeOptions;
  readonly send: (c: RawClient) => Promise<void> | void;
  readonly code: number;
  readonly text: RegExp;
  readonly classId: number;
  readonly methodId: number;
}

const cases: readonly Case[] = [
  {
    name: 'an unknown frame type',
    send: (c) => c.send(rawFrame(5, 0, Buffer.from([1, 2, 3]))),
    code: 501, // RabbitMQ: FRAME_ERROR - type 5 ...: unknown_frame
    text: /^FRAME_ERROR - /,
    classId: 0,
    methodId: 0,
  },
  {
    name: 'a frame bigger than the negotiated frame_max',
    // The server offers 128 KiB; the client negotiates 4 KiB, so 5,000 bytes must already be refused.
    handshake: { frameMax: 4096 },
    send: async (c) => {
      await c.openChannel(1);
      c.send(rawFrame(FrameType.Body, 1, Buffer.alloc(5000)));
    },
    code: 501, // RabbitMQ: FRAME_ERROR - ... {frame_too_large, ...}
    text: /^FRAME_ERROR - .*frame_max 4096/,
    classId: 0,
    methodId: 0,
  },
  {
    name: 'a frame that does not end in 0xCE',
    send: (c) => c.send(rawFrame(FrameType.Method, 1, Buffer.from([0, 20, 0, 10, 0]), 0x00)),
    code: 501, // RabbitMQ: FRAME_ERROR - ... {invalid_frame_end_marker, 0}
    text: /^FRAME_ERROR - /,
    classId: 0,
    methodId: 0,
  },
  {
    name: 'a body frame before any header',
    send: async (c) => {
      await c.openChannel(1);
      c.sendBody(1, Buffer.from('orphan'));
    },
    code: 505, // RabbitMQ: UNEXPECTED_FRAME - expected method frame, got non method frame instead
    text: /^UNEXPECTED_FRAME - /,
    classId: 0,
    methodId: 0,
  },
  {
    name: 'a content header on channel 0',
    send: (c) => c.sendHeader(0, 5),
    code: 505, // RabbitMQ: UNEXPECTED_FRAME - type 2, ...
    text: /^UNEXPECTED_FRAME - /,
    classId: 0,
    methodId: 0,
  },
  {
    name: 'a content body on a channel never opened',
    send: (c) => c.sendBody(3, Buffer.from('x')),
    code: 505, // RabbitMQ: UNEXPECTED_FRAME (a fresh channel expects a method)
    text: /^UNEXPECTED_FRAME - /,
    classId: 0,
    methodId: 0,
  },
  {
    // RabbitMQ 3.10 has no answer here: the reader crashes on {unknown_method_id, ...} and the socket
    // drops without connection.close. Warren says what was wrong.
    name: 'a method of an unknown class',
    send: async (c) => {
      await c.openChannel(1);
      c.send(rawMethodFrame(1, 999, 10));
    },
    code: 503,
    text: /^COMMAND_INVALID - unknown method 999\/10/,
    classId: 999,
    methodId: 10,
  },
  {
    name: 'a method on a channel never opened',
    send: (c) => c.sendMethod(5, QOS),
    code: 504, // RabbitMQ: CHANNEL_ERROR - expected 'channel.open' (60/10)
    text: /^CHANNEL_ERROR - expected 'channel.open'/,
    classId: 60,
    methodId: 10,
  },
  {
    // RabbitMQ 3.10 only counts channels (530 once channel_max are open) and opens channel 11 here.
    // The spec says usable channel numbers are 1..channel-max, so Warren refuses the number itself.
    name: 'a channel number above channel_max',
    handshake: { channelMax: 10 },
    send: (c) => c.sendMethod(11, { name: 'channel.open', outOfBand: '' }),
    code: 504,
    text: /^CHANNEL_ERROR - channel number 11 is above the negotiated channel_max 10/,
    classId: 20,
    methodId: 10,
  },
  {
    name: 'a second channel.open on the same channel',
    send: async (c) => {
      await c.openChannel(1);
      c.sendMethod(1, { name: 'channel.open', outOfBand: '' });
    },
    code: 504, // RabbitMQ: CHANNEL_ERROR - second 'channel.open' seen (20/10)
    text: /^CHANNEL_ERROR - second 'channel.open' seen/,
    classId: 20,
    methodId: 10,
  },
  {
    name: 'a method while a content header is expected',
    send: async (c) => {
      await c.openChannel(1);
      c.sendMethod(1, PUBLISH);
      c.sendMethod(1, QOS);
    },
    code: 505, // RabbitMQ: UNEXPECTED_FRAME - expected content header for class 60, ... (60/40: the publish)
    text: /^UNEXPECTED_FRAME - /,
    classId: 60,
    methodId: 40,
  },
  {
    name: 'a method while content body is expected',
    send: async (c) => {
      await c.openChannel(1);
      c.sendMethod(1, PUBLISH);
      c.sendHeader(1, 10);
      c.sendMethod(1, QOS);
    },
    code: 505, // RabbitMQ: UNEXPECTED_FRAME - expected content body, ... (60/40)
    text: /^UNEXPECTED_FRAME - /,
    classId: 60,
    methodId: 40,
  },
  {
    name: 'a body where the content header is expected',
    send: async (c) => {
      await c.openChannel(1);
      c.sendMethod(1, PUBLISH);
      c.sendBody(1, Buffer.from('x'));
    },
    code: 505, // RabbitMQ: UNEXPECTED_FRAME (60/40)
    text: /^UNEXPECTED_FRAME - /,
    classId: 60,
    methodId: 40,
  },
  {
    name: 'a content header of another class',
    send: async (c) => {
      await c.openChannel(1);
      c.sendMethod(1, PUBLISH);
      c.sendHeader(1, 1, {}, 50);
    },
    code: 505, // RabbitMQ: UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 (60/40)
    text: /^UNEXPECTED_FRAME - /,
    classId: 60,
    methodId: 40,
  },
  {
    name: 'a connection method on channel 0 after the handshake',
    send: (c) => c.sendMethod(0, { name: 'connection.tune-ok', channelMax: 0, frameMax: 131072, heartbeat: 0 }),
    code: 504, // RabbitMQ: CHANNEL_ERROR - unexpected method in connection state running (10/31)
    text: /^CHANNEL_ERROR - /,
    classId: 10,
    methodId: 31,
  },
  {
    // RabbitMQ says 505 UNEXPECTED_FRAME; spec 4.2.7 says a heartbeat on another channel is a frame error.
    name: 'a heartbeat on channel 1',
    send: async (c) => {
      await c.openChannel(1);
      c.sendHeartbeat(1);
    },
    code: 501,
    text: /^FRAME_ERROR - /,
    classId: 0,
    methodId: 0,
  },
  {
    // RabbitMQ says 501 FRAME_ERROR "cannot decode"; Warren says 502 SYNTAX_ERROR (the spec's code for
    // illegal field values) with the method's ids, as RabbitMQ does.
    name: 'a method whose arguments are cut short',
    send: async (c) => {
      await c.openChannel(1);
      c.send(rawMethodFrame(1, 50, 10, Buffer.from([0])));
    },
    code: 502,
    text: /^SYNTAX_ERROR - /,
    classId: 50,
    methodId: 10,
  },
];

describe('malformed input over a raw socket', () => {
  it.each([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['an AMQP 0-10 header', Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 10])],
    ['an AMQP 0-9-2 header', Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 2])],
  ])('a bad protocol header (%s) is answered with AMQP 0 0 9 1 and the socket closes', async (_, bytes) => {
    const c = await RawClient.connect(broker.port);
    c.send(bytes);
    await c.waitSocketClose();
    expect(c.received()).toEqual(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s closes the connection with the right code', async (_, t) => {
    const c = await RawClient.open(broker.port, t.handshake);
    try {
      await t.send(c);
      const closeMethod = await c.waitConnectionClose();
      expect({ code: closeMethod.replyCode, classId: closeMethod.classId, methodId: closeMethod.methodId }).toEqual({
        code: t.code,
        classId: t.classId,
        methodId: t.methodId,
      });
      expect(closeMethod.replyText).toMatch(t.text);
      // The raw client answered close-ok: the broker closes the socket promptly (not after a timeout).
      const sentAt = Date.now();
      const closedAt = await c.waitSocketClose(2000);
      expect(closedAt - sentAt).toBeLessThan(2000);
    } finally {
      c.destroy();
    }
  });

  it('a bad peer does not disturb other channels of other connections', async () => {
    // One well-behaved raw connection with a channel open sits beside a peer that sends garbage.
    const good = await RawClient.open(broker.port);
    await good.openChannel(7);
    const bad = await RawClient.open(broker.port);
    bad.send(rawFrame(9, 0, Buffer.alloc(3)));
    await bad.waitConnectionClose();
    await bad.waitSocketClose();
    good.sendMethod(7, { name: 'queue.declare', ticket: 0, queue: '', passive: false, durable: false, exclusive: true, autoDelete: true, nowait: false, arguments: {} });
    const ok = await good.waitMethod('queue.declare-ok', 7);
    expect(ok.queue).toMatch(/^amq\.gen-/);
    await good.close();
  });
});
