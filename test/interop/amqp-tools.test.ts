import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/index.js';
import { eventually, openBroker } from '../helpers/broker.js';
import { hasCommands, run, warnMissing, type ProcessResult } from './helpers/external.js';
import { resourceNames, SCENARIO_CONSTANTS as C, scenarioTitle as title } from './helpers/scenarios.js';
import { withCredentials } from './helpers/wait.js';

const TOOLS = ['amqp-declare-queue', 'amqp-publish', 'amqp-consume', 'amqp-get', 'amqp-delete-queue'] as const;
const installed = hasCommands(TOOLS);
if (!installed) warnMissing('amqp-tools (rabbitmq-c)', 'amqp-tools');

const n = resourceNames('amqp-tools');

/**
 * rabbitmq-c's command-line tools: one connection per command, each closed with connection.close.
 * They have no options for exchanges, queue or binding arguments, confirms, mandatory, nack or
 * transactions, so those scenarios are n/a.
 */
describe.skipIf(!installed)('amqp-tools: scenarios', () => {
  let broker: Broker;
  let closeBroker: () => Promise<void>;
  let dir: string;
  const tool = (name: (typeof TOOLS)[number], ...args: string[]): Promise<ProcessResult> =>
    run(name, ['--url', broker.url, ...args], { timeoutMs: 20_000 });
  const depth = (queue: string): number | undefined => broker.readModel.queue('/', queue)?.messagesReady;
  const ok = (r: ProcessResult): void => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };

  beforeAll(async () => {
    ({ broker, close: closeBroker } = await openBroker());
    dir = mkdtempSync(join(tmpdir(), 'warren-amqp-tools-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeBroker();
  });

  it(title(1), async () => {
    const refused = await run('amqp-declare-queue', ['--url', withCredentials(broker.url, 'guest', 'wrong'), '-q', n.work]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ACCESS_REFUSED|login|403/i);
    const r = await tool('amqp-declare-queue', '-d', '-q', n.work);
    ok(r);
    expect(r.stdout.trim()).toBe(n.work);
    expect(broker.readModel.queue('/', n.work)?.durable).toBe(true);
  });

  it.skip(`${title(2)}: n/a (amqp-tools have no API for exchange.declare or queue arguments)`, () => undefined);
  it.skip(`${title(3)}: n/a (amqp-publish has no option for confirms or mandatory)`, () => undefined);

  it(title(4), async () => {
    for (const body of ['c0', 'c1', 'c2']) ok(await tool('amqp-publish', '-r', n.work, '-b', body));
    expect(depth(n.work)).toBe(3);
    // The command run per message records it and holds the first one until the test says go.
    const out = join(dir, 'consumed');
    const go = join(dir, 'go');
    const started = join(dir, 'started');
    const script = `cat >> ${out}; echo >> ${out}; [ -f ${go} ] && exit 0; touch ${started}; while [ ! -f ${go} ]; do sleep 0.02; done`;
    // '--': popt would otherwise take sh's -c for amqp-consume's --count.
    const consumer = tool('amqp-consume', '-q', n.work, '-c', '3', '-p', String(C.prefetch), '--', 'sh', '-c', script);
    await eventually(() => existsSync(started), 10_000, 'amqp-consume ran no command');
    expect(depth(n.work)).toBe(1); // prefetch 2: one delivery in the command, one buffered, one in the queue
    writeFileSync(go, '');
    ok(await consumer);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toEqual(['c0', 'c1', 'c2']);
    expect(depth(n.work)).toBe(0); // acked: nothing came back when the consumer's connection closed
  });

  it.skip(`${title(5)}: n/a (amqp-tools have no API for basic.nack or basic.reject)`, () => undefined);

  it(title(6), async () => {
    ok(await tool('amqp-publish', '-r', n.work, '-b', 'got'));
    const r = await tool('amqp-get', '-q', n.work);
    ok(r);
    expect(r.stdout).toBe('got');
    expect(depth(n.work)).toBe(0);
    const empty = await tool('amqp-get', '-q', n.work);
    expect(empty.code).not.toBe(0); // get-empty
    expect(empty.stdout).toBe('');
  });

  it.skip(`${title(7)}: n/a (amqp-tools have no API for exchange.declare or binding arguments)`, () => undefined);
  it.skip(`${title(8)}: n/a (amqp-tools have no API for tx.select/commit/rollback)`, () => undefined);

  it(title(9), async () => {
    ok(await tool('amqp-delete-queue', '-q', n.work));
    expect(broker.readModel.queue('/', n.work)).toBeUndefined();
    const gone = await tool('amqp-get', '-q', n.work);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/NOT_FOUND|404/);
  });

  it(title(10), async () => {
    // Every command above closed its connection with connection.close; none is left open.
    ok(await tool('amqp-declare-queue', '-q', n.txQueue));
    ok(await tool('amqp-delete-queue', '-q', n.txQueue));
    await eventually(() => broker.connectionCount() === 0);
  });
});
