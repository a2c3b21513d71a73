import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { encodeMethodFrame } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { silentLogger } from '../../../src/util/logger.js';
import { RawClient } from '../../helpers/raw-client.js';

const declare = (queue: string) =>
  ({ name: 'queue.declare', ticket: 0, queue, passive: false, durable: true, exclusive: false, autoDelete: false, nowait: false, arguments: {} }) as const;

/** Holds every fdatasync's completion until released: a disk that has stopped answering. */
function stallFsyncs(): { readonly release: () => void } {
  const original = fs.fdatasync;
  const pending: (() => void)[] = [];
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    pending.push(() => original(fd, cb));
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
  return {
    release: () => {
      fs.fdatasync = original;
      syncBuiltinESMExports();
      for (const p of pending.splice(0)) p();
    },
  };
}

async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let release: (() => void) | undefined;
afterEach(() => release?.());

describe('replies held for the disk', () => {
  it('stop reading a pipelining client at 8,192 replies waiting, and send them all once synced', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-held-cap-'));
    const DECLARES = 12_000;
    const CAP = 8192;
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    try {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      const w = new Writer(1 << 20);
      for (let i = 0; i < DECLARES; i++) encodeMethodFrame(w, 1, declare(`held-${i}`));
      const stall = stallFsyncs();
      release = stall.release;
      raw.send(w.take());
      const declared = (): number => broker.readModel.queues('/').length;
      await until(() => declared() >= CAP, `${CAP} queues declared`);
      // Input is held at the frame that made it 8,192 (measured: exactly 8,192; without the cap 10,240
      // by the time the socket's buffers filled): allow one dispatch slice (64) beyond.
      await new Promise((r) => setTimeout(r, 500));
      expect(declared()).toBeLessThanOrEqual(CAP + 64);
      expect(raw.count('queue.declare-ok')).toBe(0); // nothing acknowledged before it is on disk
      stall.release();
      release = undefined;
      await raw.waitFor(() => raw.count('queue.declare-ok') >= DECLARES, 'every declare-ok', 120_000);
      expect(declared()).toBe(DECLARES);
      await raw.close();
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
