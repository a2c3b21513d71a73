import { describe, expect, it } from 'vitest';
import { ClosingConnections } from '../../../src/amqp/closing-connections.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A closed connection whose release takes `ms` of CPU (its channels, requeues, exclusive queues). */
function busy(id: number, ms: number, log: number[]) {
  return {
    id,
    release(): void {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // spin: the release's own work
      }
      log.push(id);
    },
  };
}

describe('ClosingConnections', () => {
  it('releases closed connections in time-bounded slices, oldest first, other work running between slices', async () => {
    const released: number[] = [];
    const forgotten: number[] = [];
    const closing = new ClosingConnections<ReturnType<typeof busy>>((c) => forgotten.push(c.id), () => undefined);
    for (let i = 0; i < 100; i++) closing.add(busy(i, 1, released));
    expect(released).toEqual([]); // nothing in the handler that saw the sockets close
    await turn();
    // One 4 ms slice of 1 ms releases: a few, not all 100.
    expect(released.length).toBeGreaterThan(0);
    expect(released.length).toBeLessThan(20);
    while (closing.size > 0) await turn();
    expect(released).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(forgotten).toEqual(released);
  });

  it('a release that throws is reported and the connection still forgotten; the rest go on', async () => {
    const released: number[] = [];
    const forgotten: number[] = [];
    const failures: unknown[] = [];
    const closing = new ClosingConnections<{ id: number; release(): void }>(
      (c) => forgotten.push(c.id),
      (_c, err) => failures.push(err),
    );
    closing.add(busy(1, 0, released));
    closing.add({ id: 2, release: () => { throw new Error('bug'); } });
    closing.add(busy(3, 0, released));
    while (closing.size > 0) await turn();
    expect(released).toEqual([1, 3]);
    expect(forgotten).toEqual([1, 2, 3]);
    expect(failures).toEqual([new Error('bug')]);
  });

  it('flush releases everything at once (shutdown)', () => {
    const released: number[] = [];
    const closing = new ClosingConnections<ReturnType<typeof busy>>(() => undefined, () => undefined);
    for (let i = 0; i < 10; i++) closing.add(busy(i, 1, released));
    closing.flush();
    expect(released).toHaveLength(10);
  });
});
