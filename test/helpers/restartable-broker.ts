import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startBroker, type Broker, type BrokerOptions } from '../../src/index.js';
import { silentLogger } from '../../src/util/logger.js';

/**
 * An embedded broker on a fresh data directory per test, which a test may stop and start again on
 * the same directory (what survives a restart); closed and removed after each test.
 */
export function restartableBroker(
  prefix: string,
  defaults: BrokerOptions = {},
): { readonly restart: (options?: BrokerOptions) => Promise<Broker>; readonly dataDir: () => string } {
  let dataDir = '';
  let broker: Broker | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    restart: async (options = {}) => {
      await broker?.close();
      broker = undefined;
      broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), ...defaults, ...options });
      return broker;
    },
    dataDir: () => dataDir,
  };
}
