import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { openBroker } from '../../helpers/broker.js';
import { createNetns, type Netns } from '../../helpers/netns.js';

/**
 * guest may only log in from loopback. A client in a private network namespace reaches the broker over
 * a veth pair from a non-loopback address: guest is refused with 403, a user without loopbackOnly gets in.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// A plain Node script (no tsx, so it starts fast) run inside the namespace: connects with amqplib,
// declares a queue, and prints the outcome as one JSON line.
const CLIENT_SCRIPT = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const amqp = require('amqplib');
try {
  const conn = await amqp.connect(process.argv[2]);
  const ch = await conn.createChannel();
  const q = await ch.assertQueue('', { exclusive: true });
  await conn.close();
  console.log(JSON.stringify({ ok: true, queue: q.queue }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, message: err.message }));
}
`;

interface Outcome {
  readonly ok: boolean;
  readonly queue?: string;
  readonly message?: string;
}

let netns: Netns | undefined;
let skipReason = '';
let broker: Broker;
let closeBroker: (() => Promise<void>) | undefined;
let scriptDir: string;
const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const text of chunk.toString('utf8').split('\n')) if (text !== '') logLines.push(JSON.parse(text) as Record<string, unknown>);
    done();
  },
});

beforeAll(async () => {
  const made = await createNetns();
  if ('skip' in made) {
    skipReason = made.skip;
    return;
  }
  netns = made;
  scriptDir = mkdtempSync(join(tmpdir(), 'warren-netns-'));
  writeFileSync(join(scriptDir, 'client.mjs'), CLIENT_SCRIPT);
  const opened = await openBroker({
    bind: [netns.hostAddress],
    logger: createLogger('info', logSink),
    users: [
      { name: 'guest', password: 'guest', loopbackOnly: true },
      { name: 'app', password: 'pw' },
    ],
  });
  broker = opened.broker;
  closeBroker = opened.close;
});

afterAll(async () => {
  await closeBroker?.();
  await netns?.destroy();
  if (scriptDir !== undefined) rmSync(scriptDir, { recursive: true, force: true });
});

async function connectFromNamespace(user: string, password: string): Promise<Outcome> {
  const ns = netns as Netns;
  const url = `amqp://${user}:${password}@${ns.hostAddress}:${broker.port}`;
  const run = await ns.exec([process.execPath, join(scriptDir, 'client.mjs'), url]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.trim()) as Outcome;
}

describe('loopback-only users', () => {
  it('guest from a non-loopback address is refused with 403 ACCESS_REFUSED', async (ctx) => {
    if (netns === undefined) ctx.skip(`skipped: ${skipReason}`);
    const outcome = await connectFromNamespace('guest', 'guest');
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toBe(
      `Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - user 'guest' can only connect via localhost"`,
    );
    // The log says why (the client is told too, as RabbitMQ tells it).
    expect(logLines.find((l) => l['event'] === 'connection.login-refused')).toMatchObject({ user: 'guest', why: 'loopback-only' });
  });

  it('a user without loopbackOnly connects from the same address', async (ctx) => {
    if (netns === undefined) ctx.skip(`skipped: ${skipReason}`);
    const outcome = await connectFromNamespace('app', 'pw');
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.queue).toMatch(/^amq\.gen-/);
  });

  it('the refusal is for the address, not the password: guest with a wrong password gets the login text', async (ctx) => {
    if (netns === undefined) ctx.skip(`skipped: ${skipReason}`);
    const outcome = await connectFromNamespace('guest', 'wrong');
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('403 (ACCESS-REFUSED)');
    expect(outcome.message).toContain('Login was refused using authentication mechanism PLAIN');
  });
});
