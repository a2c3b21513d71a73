import { describe, expect, it } from 'vitest';
import { OptionError, OPTIONS, parseOptions, usage } from '../../../bench/perf/options.js';

describe('perf options', () => {
  it('has PerfTest defaults', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({
      url: 'amqp://guest:guest@127.0.0.1:5672',
      producers: 1,
      consumers: 1,
      size: 16,
      confirm: 0,
      qos: 0,
      autoAck: false,
      exchange: 'perf-direct',
      type: 'direct',
      time: 10,
      workers: 'auto',
    });
  });

  it('reads short and long forms, attached and separate values', () => {
    const o = parseOptions(['-x', '2', '-y3', '--size=1024', '-c', '1000', '-q', '1_000', '-a', '--persistent', '-t', 'topic', '-k', 'a.b', '-u', 'q1', '-z', '1.5', '-r', '5000']);
    expect(o).toMatchObject({ producers: 2, consumers: 3, size: 1024, confirm: 1000, qos: 1000, autoAck: true, persistent: true });
    expect(o).toMatchObject({ type: 'topic', exchange: 'perf-topic', routingKey: 'a.b', queue: 'q1', time: 1.5, rate: 5000 });
  });

  it('reads JSON queue arguments and worker counts', () => {
    const o = parseOptions(['--queue-args', '{"x-max-length":10,"x-queue-mode":"lazy"}', '--workers', '0']);
    expect(o.queueArgs).toEqual({ 'x-max-length': 10, 'x-queue-mode': 'lazy' });
    expect(o.workers).toBe(0);
    expect(() => parseOptions(['--queue-args', '[1]'])).toThrow(/JSON object/);
    expect(() => parseOptions(['--queue-args', '{oops'])).toThrow(/JSON object/);
  });

  it('rejects an unknown option with the list of known ones', () => {
    let err: unknown;
    try {
      parseOptions(['--producer', '2']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OptionError);
    const message = (err as Error).message;
    expect(message).toMatch(/^unknown option --producer; known options: /);
    for (const o of OPTIONS) expect(message).toContain(`--${o.long}`);
    expect(message).toContain('-x/--producers');
    expect(() => parseOptions(['-w'])).toThrow(/unknown option -w/);
  });

  it('rejects bad values and contradictory combinations', () => {
    expect(() => parseOptions(['-x'])).toThrow(/needs a value/);
    expect(() => parseOptions(['-x', '-1'])).toThrow(/non-negative integer/);
    expect(() => parseOptions(['-s', '8'])).toThrow(/at least 16/);
    expect(() => parseOptions(['-t', 'headers'])).toThrow(/direct, fanout or topic/);
    expect(() => parseOptions(['--bindings', '10'])).toThrow(/needs -t topic/);
    expect(() => parseOptions(['-t', 'topic', '--random-keys'])).toThrow(/needs --bindings/);
    expect(() => parseOptions(['--drain'])).toThrow(/needs -u/);
    expect(() => parseOptions(['-a=1'])).toThrow(/takes no value|unknown option/);
    expect(() => parseOptions(['--autoack=yes'])).toThrow(/takes no value/);
    expect(() => parseOptions(['--queues', '4', '-y', '2'])).toThrow(/without a consumer/);
    expect(() => parseOptions(['-z', '0'])).toThrow(/positive number/);
  });

  it('derives consumers from --queues and from fill/drain modes', () => {
    expect(parseOptions(['-t', 'fanout', '--queues', '10']).consumers).toBe(10);
    expect(parseOptions(['--fill', '1000']).consumers).toBe(0);
    expect(parseOptions(['--fill', '1000', '--drain']).consumers).toBe(1);
    const drainOnly = parseOptions(['--drain', '-u', 'backlog']);
    expect(drainOnly.producers).toBe(0);
    expect(drainOnly.consumers).toBe(1);
    expect(parseOptions(['-e', '']).exchange).toBe('');
  });

  it('lists every option in the usage text', () => {
    const text = usage();
    for (const o of OPTIONS) expect(text).toContain(`--${o.long}`);
  });
});
