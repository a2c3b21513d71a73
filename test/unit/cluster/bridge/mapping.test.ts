import { describe, expect, it } from 'vitest';
import { validSubject } from '../../../../src/cluster/bridge/bridge-value.js';
import { natsHeadersOf, propertiesOf } from '../../../../src/cluster/bridge/header-map.js';
import { routingKeyFor, subjectFor } from '../../../../src/cluster/bridge/subject-map.js';

describe('nats-bridge subject mapping', () => {
  it('fills templates with the whole key or its words', () => {
    expect(subjectFor('{routing_key}', 'a.b.c', 'replace')).toBe('a.b.c');
    expect(subjectFor('x.{2}.{1}', 'a.b.c', 'replace')).toBe('x.b.a');
    expect(routingKeyFor('sensors.{2}', 'plant.boiler.temp')).toBe('sensors.boiler');
    expect(routingKeyFor('{subject}', 'a'.repeat(256))).toBeUndefined();
  });

  it('repairs or rejects keys that make no subject', () => {
    for (const [key, repaired] of [['', '_'], ['a..b', 'a._.b'], ['.a.', '_.a._'], ['a b', 'a_b'], ['a.*', 'a._'], ['a.>', 'a._'], ['x>y', 'x_y']] as const) {
      expect(subjectFor('{routing_key}', key, 'replace')).toBe(repaired);
      expect(validSubject(repaired, false)).toBe(true);
      expect(subjectFor('{routing_key}', key, 'reject')).toBeUndefined();
    }
    expect(subjectFor('x.{3}', 'a.b', 'replace')).toBe('x._'); // a missing word is an empty token
  });

  it('takes wildcard subjects to subscribe to, and only valid ones', () => {
    expect(['a.*.c', 'a.>', '>', '*'].every((s) => validSubject(s, true))).toBe(true);
    expect(['', 'a..b', 'a.>.b', 'a b', 'a*', 'a.b>'].some((s) => validSubject(s, true))).toBe(false);
  });
});

describe('nats-bridge header mapping', () => {
  it('round-trips the properties and string headers', () => {
    const props = {
      contentType: 'application/json', contentEncoding: 'gzip', messageId: 'm', correlationId: 'c', replyTo: 'r', expiration: '100',
      type: 't', userId: 'guest', appId: 'app', deliveryMode: 2, priority: 9, timestamp: 1700000000,
      headers: { s: { type: 'string', value: 'v' } },
    } as const;
    expect(propertiesOf(natsHeadersOf(props), 1)).toEqual(props);
  });

  it('carries numbers, booleans, arrays and tables as text, and leaves out what NATS headers cannot hold', () => {
    const pairs = natsHeadersOf({
      headers: {
        n: { type: 'int32', value: 5 }, b: { type: 'bool', value: true }, a: { type: 'array', value: [{ type: 'string', value: 'x' }] },
        bytes: { type: 'bytes', value: Buffer.from('x') }, 'bad name': { type: 'string', value: 'v' }, crlf: { type: 'string', value: 'a\r\nb' },
        'AMQP-Priority': { type: 'string', value: '1' },
      },
    });
    expect(pairs).toEqual([['n', '5'], ['b', 'true'], ['a', '["x"]']]);
  });

  it('ignores property headers with values AMQP cannot take', () => {
    const p = propertiesOf([['AMQP-Priority', '300'], ['AMQP-Delivery-Mode', '3'], ['AMQP-Timestamp', 'soon'], ['x', '1'], ['x', '2']], 2);
    expect(p).toEqual({ deliveryMode: 2, headers: { x: { type: 'array', value: [{ type: 'string', value: '1' }, { type: 'string', value: '2' }] } } });
  });
});
