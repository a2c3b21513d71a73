import { describe, expect, it } from 'vitest';
import { QueueCounters } from '../../../../src/core/stats/counters.js';
import { QUEUE_STATS, queueStatsOf, snapshotOf, takeSample, withDeliverGet } from '../../../../src/core/stats/snapshot.js';

describe('queueStatsOf', () => {
  it('is the generic snapshot with deliver_get, field for field and in the same order', () => {
    const c = new QueueCounters();
    QUEUE_STATS.forEach((name, i) => (c[name] = 10 + i));
    takeSample(c, QUEUE_STATS, c.sample, 1000, 0);
    QUEUE_STATS.forEach((name, i) => (c[name] += 7 * (i + 1))); // a distinct rate per counter
    takeSample(c, QUEUE_STATS, c.sample, 3000, 1000);
    const fast = queueStatsOf(c);
    const generic = withDeliverGet(snapshotOf(c, QUEUE_STATS, c.sample));
    expect(fast).toEqual(generic);
    expect(Object.keys(fast)).toEqual(Object.keys(generic));
    expect(JSON.stringify(fast)).toBe(JSON.stringify(generic));
    expect(fast.ack_details.rate).toBe(3.5 * 7);
  });
});

describe('QueueCounters.addTo', () => {
  it('adds every counter of QUEUE_STATS (written out field by field, so a new one must be added there too)', () => {
    const from = new QueueCounters();
    const into = new QueueCounters();
    QUEUE_STATS.forEach((name, i) => {
      from[name] = 1 + i;
      into[name] = 100;
    });
    from.addTo(into);
    for (const [i, name] of QUEUE_STATS.entries()) expect(into[name], name).toBe(101 + i);
  });
});
