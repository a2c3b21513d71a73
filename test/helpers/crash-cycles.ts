import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { startWarrenProcess } from './process.js';

export interface CrashReport {
  cycles: number;
  published: number;
  confirmed: number;
  consumed: number;
  repeats: number;
  repeatsWithoutRedelivered: number;
  lost: number[];
  invented: number[];
  corrupt: number;
}

const QUEUE = 'crash-test';

function encode(n: number): Buffer {
  const payload = `${n}:${'x'.repeat(n % 200)}`;
  const sum = createHash('sha1').update(payload).digest('hex').slice(0, 12);
  return Buffer.from(`${sum}|${payload}`);
}

function decode(b: Buffer): number | undefined {
  const s = b.toString();
  const bar = s.indexOf('|');
  if (bar < 0) return undefined;
  const payload = s.slice(bar + 1);
  if (createHash('sha1').update(payload).digest('hex').slice(0, 12) !== s.slice(0, bar)) return undefined;
  return Number(payload.slice(0, payload.indexOf(':')));
}

/**
 * Publishes numbered persistent messages in confirm mode while the broker is killed with SIGKILL
 * at random moments; after each restart consumes everything and checks that every confirmed
 * message came back (repeats allowed, flagged redelivered), none corrupt, none invented.
 */
export async function runCrashCycles(dataDir: string, cycles: number, log: (line: string) => void = () => undefined): Promise<CrashReport> {
  const report: CrashReport = { cycles, published: 0, confirmed: 0, consumed: 0, repeats: 0, repeatsWithoutRedelivered: 0, lost: [], invented: [], corrupt: 0 };
  const confirmedUnseen = new Set<number>();
  const seen = new Set<number>();
  let next = 0;
  for (let cycle = 1; cycle <= cycles + 1; cycle++) {
    const cycleStart = Date.now();
    const proc = await startWarrenProcess(['--data-dir', dataDir]);
    const conn = await amqp.connect(proc.url, { noDelay: true });
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    await ch.assertQueue(QUEUE, { durable: true });
    // Drain what survived, acking as we go.
    const { messageCount } = await ch.checkQueue(QUEUE);
    if (messageCount > 0) {
      await ch.prefetch(1000);
      await new Promise<void>((resolve) => {
        let got = 0;
        void ch.consume(QUEUE, (m) => {
          if (m === null) return;
          report.consumed++;
          const n = decode(m.content);
          if (n === undefined) report.corrupt++;
          else if (n >= next) report.invented.push(n);
          else if (seen.has(n)) {
            report.repeats++;
            if (!m.fields.redelivered) report.repeatsWithoutRedelivered++;
          } else {
            seen.add(n);
            confirmedUnseen.delete(n);
          }
          ch.ack(m);
          if (++got === messageCount) resolve();
        }, { consumerTag: 'drain' });
      });
      await ch.cancel('drain');
    }
    await ch.checkQueue(QUEUE);
    for (const n of confirmedUnseen) report.lost.push(n);
    confirmedUnseen.clear();
    if (cycle > cycles) {
      await conn.close();
      await proc.kill('SIGTERM');
      break;
    }
    // Publish until the broker dies under us.
    const killAfter = 30 + Math.floor(Math.random() * 400);
    const killer = setTimeout(() => void proc.kill('SIGKILL'), killAfter);
    let alive = true;
    let onClose: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (onClose = resolve));
    conn.on('close', () => {
      alive = false;
      onClose();
    });
    while (alive) {
      const n = next++;
      report.published++;
      const ok = ch.sendToQueue(QUEUE, encode(n), { persistent: true }, (err) => {
        if (err === null || err === undefined) {
          report.confirmed++;
          if (!seen.has(n)) confirmedUnseen.add(n);
        }
      });
      if (!ok) await Promise.race([new Promise<void>((r) => ch.once('drain', () => r())), closed]);
      if (n % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    clearTimeout(killer);
    await proc.kill('SIGKILL');
    log(`cycle ${cycle} (${Date.now() - cycleStart} ms): published ${report.published}, confirmed ${report.confirmed}, consumed ${report.consumed}`);
  }
  return report;
}
