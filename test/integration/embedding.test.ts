import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';

// The package as users import it: `import { startBroker } from 'warren'` resolves through
// package.json "exports" to the compiled dist/ (built by `npm install`'s prepare step).
describe("import { startBroker } from 'warren'", () => {
  it('starts a broker on an ephemeral port, serves a client, and closes', async () => {
    const { startBroker } = await import('warren');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-embed-'));
    const broker = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
    try {
      expect(broker.url).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/);
      expect(broker.port).toBeGreaterThan(0);
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      ch.sendToQueue(queue, Buffer.from('embedded'));
      await ch.checkQueue(queue);
      const m = await ch.get(queue, { noAck: true });
      expect(m && m.content.toString()).toBe('embedded');
      await conn.close();
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
