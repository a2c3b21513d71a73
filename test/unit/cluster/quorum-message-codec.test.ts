import { describe, expect, it } from 'vitest';
import { Message } from '../../../src/core/message.js';
import { decodeQuorumMessage, encodeQuorumMessage } from '../../../src/cluster/quorum/message-codec.js';
import { consumerName, queueSubject, streamName } from '../../../src/cluster/quorum/names.js';

describe('quorum message codec', () => {
  it('round-trips exchange, routing key, property bytes and body, names in UTF-8 up to 255 bytes', () => {
    const props = Buffer.from([0x10, 0x00, 0x02]); // flags: delivery-mode, value 2
    const m = new Message('ex.é', 'k'.repeat(255), props, Buffer.from('body bytes'));
    const back = decodeQuorumMessage(encodeQuorumMessage(m));
    expect([back.exchange, back.routingKey, back.body.toString()]).toEqual(['ex.é', 'k'.repeat(255), 'body bytes']);
    expect(Buffer.compare(back.rawProperties, props)).toBe(0);
    expect(back.persistent).toBe(true);
  });

  it('an empty body and empty names survive; bytes cut short are refused', () => {
    const m = new Message('', '', Buffer.from([0x00, 0x00]), Buffer.alloc(0));
    const data = encodeQuorumMessage(m);
    const back = decodeQuorumMessage(data);
    expect([back.exchange, back.routingKey, back.body.length]).toEqual(['', '', 0]);
    expect(() => decodeQuorumMessage(data.subarray(0, 4))).toThrow(RangeError);
  });

  it('names: one stream per vhost, one subject and consumer per queue, valid NATS tokens', () => {
    expect(streamName('/')).toMatch(/^WARREN_Q_[A-Za-z0-9]{20}$/);
    expect(streamName('/')).not.toBe(streamName('other'));
    expect(queueSubject('/', 'a.b c')).toMatch(/^warren\.q\.v[\w-]+\.v[\w-]+$/);
    expect(consumerName('a.b c')).toMatch(/^q_[A-Za-z0-9]{24}$/);
  });
});
