import { describe, expect, it } from 'vitest';
import { effectiveQueueArgs, mergeDefinitions } from '../../../../src/core/policy/effective.js';
import { parseQueueArgs } from '../../../../src/core/queue/arguments.js';
import type { FieldTable } from '../../../../src/protocol/field-table.js';

const table = (o: Record<string, number | string>): FieldTable =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? { type: 'int32', value: v } : { type: 'string', value: v }])) as FieldTable;

const effective = (args: Record<string, number | string>, definition: Record<string, number | string>) => {
  const t = table(args);
  return effectiveQueueArgs(parseQueueArgs(t, 'q', '/'), t, definition);
};

describe('policy + arguments, as classic queues combine them', () => {
  it('numeric limits take the lesser of argument and policy', () => {
    const a = effective({ 'x-max-length': 5, 'x-message-ttl': 1000 }, { 'max-length': 10, 'message-ttl': 500, expires: 60000, 'max-length-bytes': 7 });
    expect([a.maxLength, a.messageTtl, a.expires, a.maxLengthBytes]).toEqual([5, 500, 60000, 7]);
  });

  it('dead-letter-exchange, dead-letter-routing-key and overflow: the argument wins, each key on its own', () => {
    const a = effective({ 'x-dead-letter-exchange': 'arg-dlx', 'x-overflow': 'reject-publish' }, { 'dead-letter-exchange': 'pol-dlx', 'dead-letter-routing-key': 'pol-rk', overflow: 'reject-publish-dlx' });
    expect([a.deadLetterExchange, a.deadLetterRoutingKey, a.overflow]).toEqual(['arg-dlx', 'pol-rk', 'reject-publish']);
    const b = effective({}, { overflow: 'reject-publish' });
    expect(b.overflow).toBe('reject-publish');
  });
});

describe('policy + operator policy (effective_policy_definition)', () => {
  it('the lesser for the numeric keys, the operator value for overflow, every key of either, sorted', () => {
    const merged = mergeDefinitions(
      { 'max-length': 100, 'message-ttl': 10, 'dead-letter-exchange': 'd', overflow: 'drop-head' },
      { 'max-length': 20, 'message-ttl': 50, expires: 5, overflow: 'reject-publish' },
    );
    expect(merged).toEqual({ 'dead-letter-exchange': 'd', expires: 5, 'max-length': 20, 'message-ttl': 10, overflow: 'reject-publish' });
    expect(Object.keys(merged)).toEqual(['dead-letter-exchange', 'expires', 'max-length', 'message-ttl', 'overflow']);
  });
});
