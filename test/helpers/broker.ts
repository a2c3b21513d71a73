import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker, type BrokerOptions } from '../../src/index.js';
import { silentLogger } from '../../src/util/logger.js';

/** Starts a broker on an ephemeral port with its own data dir; always closes it and removes the dir. */
export async function withBroker<T>(fn: (broker: Broker) => Promise<T>, options: BrokerOptions = {}): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-test-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), ...options });
  try {
    return await fn(broker);
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** For suites that share one broker: call in beforeAll, close in afterAll. */
export async function openBroker(options: BrokerOptions = {}): Promise<{ broker: Broker; close: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-test-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), ...options });
  return {
    broker,
    close: async () => {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when cond() holds, polling on a short interval; fails after timeoutMs with the message. */
export async function eventually(cond: () => boolean, timeoutMs = 5000, message = 'condition not met in time'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(message);
    await new Promise((r) => setTimeout(r, 10));
  }
}
