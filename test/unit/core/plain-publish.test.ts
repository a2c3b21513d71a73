import { describe, expect, it } from 'vitest';
import { plainMessage, publishPlain, PublishRequestError } from '../../../src/core/plain-publish.js';
import { decodeBase64 } from '../../../src/core/plain-properties.js';
import { declareExchange, declareQueue, getAll, manualVhost, OWNER, str } from './manual-time.js';

const request = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ routing_key: 'k', payload: 'p', payload_encoding: 'string', properties: {}, ...extra });

function reasonOf(fn: () => unknown): string | number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PublishRequestError);
    return (err as PublishRequestError).reason;
  }
  throw new Error('did not throw');
}

describe('plainMessage: a management-API publish body as a Message', () => {
  it('maps every property to its AMQP field, headers by RabbitMQ\'s JSON rules', () => {
    const { message, routingKeys } = plainMessage('x', request({
      properties: {
        content_type: 'application/json',
        headers: { i: 7, neg: -(2 ** 31), wide: 2 ** 31, d: 0.25, t: false, a: [1, 'two'], o: { k: 'v' } },
        delivery_mode: 2,
        priority: 9,
        timestamp: 1_700_000_000,
        expiration: '250',
        unknown_key: 'ignored',
        message_id: null,
      },
    }));
    expect(routingKeys).toEqual(['k']);
    expect(message.persistent).toBe(true);
    expect(message.priority).toBe(9);
    expect(message.ttl).toBe(250);
    const p = message.properties;
    expect(p).toMatchObject({ contentType: 'application/json', deliveryMode: 2, priority: 9, timestamp: 1_700_000_000, expiration: '250' });
    expect(p.messageId).toBeUndefined();
    expect(p.headers).toEqual({
      i: { type: 'int32', value: 7 },
      neg: { type: 'int32', value: -(2 ** 31) },
      wide: { type: 'int64', value: 2 ** 31 },
      d: { type: 'double', value: 0.25 },
      t: { type: 'bool', value: false },
      a: { type: 'array', value: [{ type: 'int32', value: 1 }, { type: 'string', value: 'two' }] },
      o: { type: 'table', value: { k: { type: 'string', value: 'v' } } },
    });
  });

  it('checks in RabbitMQ\'s order: missing keys, payload type, properties (by field order), then the encoding', () => {
    expect(reasonOf(() => plainMessage('x', { payload: 1 }))).toBe('[{key_missing,routing_key},{key_missing,properties},{key_missing,payload_encoding}]');
    expect(reasonOf(() => plainMessage('x', request({ payload: 1, payload_encoding: 'hex' })))).toBe('payload_not_string');
    expect(reasonOf(() => plainMessage('x', request({ payload_encoding: 'hex', properties: { priority: 1.5 } })))).toBe('{not_int,priority}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { type: 3, content_type: 4 } })))).toBe('{not_string,content_type}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { delivery_mode: 256 } })))).toBe('{out_of_range,delivery_mode}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { timestamp: -1 } })))).toBe('{out_of_range,timestamp}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { app_id: 'a'.repeat(256) } })))).toBe('{string_too_long,app_id}');
    expect(reasonOf(() => plainMessage('x', request({ properties: [] })))).toBe('{not_table,properties}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { headers: 'h' } })))).toBe('{not_table,headers}');
    expect(reasonOf(() => plainMessage('x', request({ payload_encoding: 'hex' })))).toBe('{unsupported_encoding,"hex"}');
    expect(reasonOf(() => plainMessage('x', request({ properties: { expiration: '1.5' } })))).toBe("PRECONDITION_FAILED - invalid expiration '1.5': no_integer");
    expect(reasonOf(() => plainMessage('x', request({ properties: { expiration: '' } })))).toBe("PRECONDITION_FAILED - invalid expiration '': no_integer");
    expect(reasonOf(() => plainMessage('x', request({ properties: { reply_to: 'amq.rabbitmq.reply-to' } })))).toBe('PRECONDITION_FAILED - fast reply consumer does not exist');
    expect(reasonOf(() => plainMessage('x', request({ payload: 'xx' }), { maxMessageSize: 1 }))).toBe('PRECONDITION_FAILED - message size 2 is larger than configured max size 1');
    expect(plainMessage('x', request({ properties: { expiration: '0' } })).message.ttl).toBe(0);
  });

  it('base64 as Erlang reads it: padded, standard alphabet, whitespace ignored', () => {
    expect(decodeBase64('')?.length).toBe(0);
    expect(decodeBase64('AP8=')).toEqual(Buffer.from([0, 255]));
    expect(decodeBase64('AP8B/g==')).toEqual(Buffer.from([0, 255, 1, 254]));
    expect(decodeBase64('AP8B\n/g==')).toEqual(Buffer.from([0, 255, 1, 254]));
    for (const bad of ['AP8', 'AP8B/g', 'AP_-', 'A===', '=AP8', 'AP8=AP8=']) expect(decodeBase64(bad), bad).toBeUndefined();
  });
});

describe('publishPlain: through the vhost\'s one publish path', () => {
  it('routes by the key and by CC and BCC; BCC does not reach the queue; routed: false when nothing matched', () => {
    const { vhost } = manualVhost();
    declareExchange(vhost, 'x', 'direct');
    for (const name of ['main', 'cc', 'bcc']) {
      declareQueue(vhost, name);
      vhost.bindQueue(name, 'x', name, {}, OWNER);
    }
    const result = publishPlain(vhost, 'x', request({ routing_key: 'main', properties: { headers: { CC: ['cc'], BCC: ['bcc'], keep: 'me' } } }));
    expect(result).toEqual({ routed: true });
    for (const name of ['main', 'cc', 'bcc']) {
      const q = vhost.queues.get(name)!;
      const e = q.get(true)!;
      expect(Object.keys(e.message.properties.headers ?? {}).sort(), name).toEqual(['CC', 'keep']);
    }
    expect(publishPlain(vhost, 'x', request({ routing_key: 'nobody' }))).toEqual({ routed: false });
    expect(vhost.getExchange('x').counters).toMatchObject({ publish_in: 2, publish_out: 3, return_unroutable: 1 });
    expect(reasonOf(() => publishPlain(vhost, 'x', request({ properties: { headers: { CC: 'cc' } } })))).toBe(
      'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}',
    );
  });

  it('a delayed exchange holding the message counts as routed; an internal exchange is refused with 403; amq.default is the default exchange', () => {
    const { clock, vhost } = manualVhost();
    declareExchange(vhost, 'later', 'x-delayed-message', { 'x-delayed-type': str('direct') });
    const q = declareQueue(vhost, 'q');
    vhost.bindQueue('q', 'later', 'k', {}, OWNER);
    expect(publishPlain(vhost, 'later', request({ payload: 'delayed', properties: { headers: { 'x-delay': 100 } } }))).toEqual({ routed: true });
    expect(q.messageCount).toBe(0);
    clock.advance(100);
    expect(getAll(q)).toEqual(['delayed']);
    vhost.declareExchange({ name: 'inner', type: 'fanout', passive: false, durable: false, autoDelete: false, internal: true, arguments: {} });
    try {
      publishPlain(vhost, 'inner', request());
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ status: 400, error: 403, reason: "ACCESS_REFUSED - cannot publish to internal exchange 'inner' in vhost '/'" });
    }
    expect(publishPlain(vhost, 'amq.default', request({ routing_key: 'q', payload: 'direct' }))).toEqual({ routed: true });
    expect(getAll(q)).toEqual(['direct']);
  });
});
