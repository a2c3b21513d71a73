import { describe, expect, it } from 'vitest';
import { BrokerStats } from '../../../../src/core/stats/broker-stats.js';
import { declareQueue, manualVhost, publish } from '../manual-time.js';

/**
 * The broker's ticker samples counters in slices: with many queues one pass spreads over several
 * ticks (a whole pass over 100,000 queues froze every client for 180 ms), and rates stay right.
 */
describe('BrokerStats sampling in slices', () => {
  const QUEUES = 10_000;

  function setUp() {
    const { clock, vhost } = manualVhost();
    for (let i = 0; i < QUEUES; i++) declareQueue(vhost, `q${i}`);
    const stats = new BrokerStats(new Map([['/', vhost]]));
    return { clock, vhost, stats };
  }

  it('spreads a pass over ticks; the last queue and the totals get their rate when the pass reaches them', () => {
    const { clock, vhost, stats } = setUp();
    const last = `q${QUEUES - 1}`;
    stats.sample(clock.now()); // the baseline: every object sampled once, at once
    clock.advance(5_000);
    for (let i = 0; i < 10; i++) publish(vhost, '', last, 'x');
    stats.tick(clock.now(), 5_000); // the first slice of a new pass
    expect(stats.queue('/', last)?.publish_details.rate).toBe(0); // not reached yet
    expect(stats.totals().deliver_get).toBe(0);
    let ticks = 1;
    while (stats.queue('/', last)?.publish_details.rate === 0 && ticks < 100) {
      stats.tick(clock.now(), 5_000);
      ticks++;
    }
    expect(ticks).toBeGreaterThan(1);
    expect(ticks).toBeLessThan(10);
    expect(stats.queue('/', last)?.publish_details.rate).toBe(2); // 10 over 5 s
    expect(stats.queue('/', last)?.publish).toBe(10);
  });

  it('sample() completes a pass under way', () => {
    const { clock, vhost, stats } = setUp();
    stats.sample(clock.now());
    clock.advance(1_000);
    publish(vhost, '', `q${QUEUES - 1}`, 'x');
    stats.tick(clock.now(), 1_000);
    stats.sample(clock.now());
    expect(stats.queue('/', `q${QUEUES - 1}`)?.publish_details.rate).toBe(1);
  });
});
