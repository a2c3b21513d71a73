import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/broker.js';
import { startWarrenProcess } from '../../helpers/process.js';

const INJECTOR = fileURLToPath(new URL('./process-faults.inject.mjs', import.meta.url));

describe('the CLI process survives an exception that reaches the process level', () => {
  it('logs an uncaught exception and an unhandled rejection as fatal with their stacks, counts them, and keeps serving', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-faults-'));
    const proc = await startWarrenProcess(['--data-dir', dataDir], 20_000, ['--import', INJECTOR]);
    try {
      proc.child.kill('SIGUSR2');
      const fatal = (event: string): Record<string, unknown> | undefined => proc.logs.find((l) => l['event'] === event);
      await eventually(() => fatal('process.uncaughtException') !== undefined && fatal('process.unhandledRejection') !== undefined, 10_000, 'no fatal lines');
      const uncaught = fatal('process.uncaughtException')!;
      expect(uncaught['level']).toBe(60);
      expect(String((uncaught['err'] as { stack: string }).stack)).toContain('injected uncaught exception');
      const rejection = fatal('process.unhandledRejection')!;
      expect(String((rejection['err'] as { stack: string }).stack)).toContain('injected unhandled rejection');
      expect([uncaught['internalErrors'], rejection['internalErrors']].sort()).toEqual([1, 2]);

      expect(proc.child.exitCode).toBeNull();
      const conn = await amqp.connect(proc.url);
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      ch.sendToQueue(queue, Buffer.from('alive'));
      await conn.close();
      expect(await proc.kill('SIGTERM')).toBe(0);
    } finally {
      await proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
