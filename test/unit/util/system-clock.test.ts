import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../../src/util/system-clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('SystemClock', () => {
  it('reads the wall clock once per turn: every read in one synchronous run agrees, the next turn reads it afresh', async () => {
    const clock = new SystemClock();
    const first = clock.now();
    const spinUntil = Date.now() + 5;
    while (Date.now() < spinUntil) {
      // busy: the wall clock moves on, the turn's time does not
    }
    expect(clock.now()).toBe(first);
    await Promise.resolve();
    expect(clock.now()).toBeGreaterThanOrEqual(first + 5);
  });

  it('fires a timer no earlier than its deadline, with now() at or past it', async () => {
    const clock = new SystemClock();
    const at = clock.now() + 30;
    const seen = await new Promise<number>((resolve) => clock.timer(() => resolve(clock.now())).arm(at));
    expect(seen).toBeGreaterThanOrEqual(at);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
  });

  it('keeps a deadline beyond setTimeout\'s 2^31-1 ms ceiling, with one host timer for all timers', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_000_000 });
    const clock = new SystemClock();
    const fired: string[] = [];
    const far = 3_000_000_000;
    clock.timer(() => fired.push('far')).arm(1_000_000 + far);
    clock.timer(() => fired.push('near')).arm(1_000_000 + 10);
    clock.timer(() => fired.push('mid')).arm(1_000_000 + 20);
    expect(vi.getTimerCount()).toBe(1);
    const cancelled = clock.timer(() => fired.push('x'));
    cancelled.arm(1_000_000 + 5);
    cancelled.cancel();
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['near']);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['near', 'mid']);
    vi.advanceTimersToNextTimer(); // the host timer waits the most setTimeout can, comes back early, re-arms
    expect(Date.now()).toBe(1_000_020 + 2 ** 31 - 1);
    expect(fired).toEqual(['near', 'mid']);
    vi.advanceTimersToNextTimer();
    expect(Date.now()).toBe(1_000_000 + far);
    expect(fired).toEqual(['near', 'mid', 'far']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a timer that throws is reported; the others due with it still fire', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const errors: unknown[] = [];
    const clock = new SystemClock((err) => errors.push(err));
    const fired: string[] = [];
    clock.timer(() => {
      throw new Error('boom');
    }).arm(10);
    clock.timer(() => fired.push('after')).arm(10);
    clock.timer(() => fired.push('later')).arm(20);
    vi.advanceTimersByTime(20);
    expect((errors[0] as Error).message).toBe('boom');
    expect(fired).toEqual(['after', 'later']);
  });

  it('never holds the process open: a process with a timer armed an hour ahead exits at once', () => {
    const script = `
      import { SystemClock } from './src/util/system-clock.ts';
      const clock = new SystemClock();
      clock.timer(() => console.log('fired')).arm(clock.now() + 3_600_000);
      console.log('armed');`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('armed');
    expect(run.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
