import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../../bench/perf/options.js';
import { runPerf } from '../../../bench/perf/runner.js';
import { withBroker } from '../../helpers/broker.js';

/** Runs the tool against a fresh embedded Warren. */
function perf(args: string[]): ReturnType<typeof runPerf> {
  return withBroker((broker) => runPerf(parseOptions(['--url', broker.url, '--quiet', ...args])));
}

describe('perf tool against an embedded Warren', () => {
  it('a 2 s confirm + manual-ack run moves messages with no loss and no reordering', async () => {
    const r = await perf(['-z', '2', '-s', '64', '-c', '200', '-q', '200', '--workers', '0']);
    expect(r.broker).toMatch(/^Warren /);
    expect(r.rates.published).toBeGreaterThan(0);
    expect(r.rates.received).toBeGreaterThan(0);
    expect(r.published).toBeGreaterThan(0);
    expect(r.confirmed + r.nacked).toBe(r.published);
    expect(r.received).toBe(r.expected);
    expect(r.expected).toBe(r.published);
    expect([r.loss, r.duplicates, r.reorders, r.gaps]).toEqual([0, 0, 0, 0]);
    expect(r.latencyMs?.count).toBeGreaterThan(0);
    expect(r.latencyMs!.p50).toBeLessThanOrEqual(r.latencyMs!.p99);
    expect(r.cpu.toolSeconds).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
  });

  it('runs producers and consumers on worker threads, fanning out to several queues', async () => {
    const r = await perf(['-z', '1.5', '-t', 'fanout', '--queues', '3', '-a', '-r', '20000', '--workers', '2']);
    expect(r.threads).toBe(2);
    expect(r.published).toBeGreaterThan(0);
    expect(r.expected).toBe(r.published * 3);
    expect(r.received).toBe(r.expected);
    expect(r.cpu.threads.map((t) => t.role)).toEqual(['main: control, reporting', 'worker 1: producers x1', 'worker 2: consumers x3']);
    expect(r.ok).toBe(true);
  });

  it('routes random keys over topic bindings: every message reaches its queue once', async () => {
    const r = await perf(['-z', '1', '-t', 'topic', '--bindings', '500', '--random-keys', '-a', '--workers', '0']);
    expect(r.published).toBeGreaterThan(0);
    expect(r.received).toBe(r.published);
    expect(r.ok).toBe(true);
  });

  it('reports messages the broker dropped (x-max-length) as loss, and fails', async () => {
    const r = await perf(['-z', '1', '-q', '1', '--queue-args', '{"x-max-length":10}', '--drain-timeout', '1', '--workers', '0']);
    expect(r.published).toBeGreaterThan(r.received);
    expect(r.loss).toBe(r.published - r.received);
    expect(r.loss).toBeGreaterThan(0);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/message\(s\) lost: expected \d+ deliveries, received \d+/);
  });

  it('fills a queue with no consumer, then drains it, timing both', async () => {
    const r = await perf(['--fill', '20000', '--drain', '-c', '500', '-s', '100', '--workers', '0']);
    expect(r.mode).toBe('fill');
    expect(r.fill?.messages).toBe(20000);
    expect(r.fill!.rate).toBeGreaterThan(0);
    expect(r.drain?.messages).toBe(20000);
    expect(r.drain!.rate).toBeGreaterThan(0);
    expect(r.received).toBe(20000);
    expect([r.loss, r.reorders]).toEqual([0, 0]);
    expect(r.ok).toBe(true);
  });
});
