import { BrokerProcess, crashSignature, internalErrorSignature } from './broker-process.js';
import { generateCase, reproducerOf, saveReproducer, type FuzzCase } from './cases.js';
import { roundTrip } from './health.js';
import { judge, playSession, type Outcome } from './play.js';

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  readonly concurrency: number;
  /** Where reproducers go; undefined saves none. */
  readonly saveDir?: string;
  /** Run dist/src/cli.js instead of src/cli.ts through tsx. */
  readonly dist?: boolean;
  /** A health round trip after every this many cases. */
  readonly healthEvery?: number;
  readonly healthTimeoutMs?: number;
  /** Replay each suspect of a crash alone to find the one that does it (costs a restart per crash). */
  readonly isolateCrashes?: boolean;
  /** Stop after this many crashes plus hangs (CI: the first one fails the run anyway). */
  readonly maxFailures?: number;
  /** Stop starting cases after this many seconds (the report covers the cases run). */
  readonly maxSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface Finding {
  count: number;
  firstIndex: number;
  file?: string;
  /** The first occurrence's stack (crash stderr, or the logged internal error). */
  detail?: string;
}

export interface FuzzReport {
  cases: number;
  elapsedMs: number;
  casesPerSecond: number;
  restarts: number;
  /** Crash signature (error + first frames in src/) -> how often. */
  crashes: Map<string, Finding>;
  /** Hangs: the health round trip failed while the broker process was still running. */
  hangs: Map<string, Finding>;
  /** 541s by the internal error's signature, and other improper answers. */
  findings: Map<string, Finding>;
  /** Informational: how the cases ended. */
  outcomes: Map<string, number>;
}

function bump(map: Map<string, Finding>, key: string, index: number): Finding {
  let f = map.get(key);
  if (f === undefined) {
    f = { count: 0, firstIndex: index };
    map.set(key, f);
  }
  f.count++;
  return f;
}

/**
 * Runs mutated sessions against a broker child process, `concurrency` at a time. A crash (the process
 * exits) pauses the run: the cases in flight and just finished are the suspects; each is replayed alone on
 * a fresh broker to find the one that crashes it, saved with the stack, and the run goes on with a new
 * broker. A failed health round trip with the process still up is a hang, handled the same way.
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => undefined);
  const healthEvery = opts.healthEvery ?? 250;
  const report: FuzzReport = { cases: 0, elapsedMs: 0, casesPerSecond: 0, restarts: 0, crashes: new Map(), hangs: new Map(), findings: new Map(), outcomes: new Map() };
  let broker = await BrokerProcess.start({ dist: opts.dist });
  // A warm spare: a crash costs a swap, not a start-up of several seconds on a loaded machine.
  let spare = BrokerProcess.start({ dist: opts.dist });
  const started = Date.now();
  let next = 0;
  let gate: Promise<void> | undefined;
  const inFlight = new Set<FuzzCase>();
  const recent: FuzzCase[] = [];
  const recentMax = opts.concurrency * 2 + 8;
  let sinceHealth = 0;

  const restart = async (): Promise<void> => {
    const old = broker;
    broker = await spare;
    spare = BrokerProcess.start({ dist: opts.dist });
    await old.stop();
    report.restarts++;
  };

  /** Replays one case alone; resolves with the crash stderr, a hang description, or undefined. */
  const replayAlone = async (c: FuzzCase): Promise<{ crash?: string; hang?: string }> => {
    await playSession(c.steps, { port: broker.port, splitPoints: c.splitPoints });
    await new Promise((r) => setTimeout(r, 150)); // timers the case started
    if (!broker.alive) return { crash: broker.stderr };
    const health = await roundTrip(broker.port, opts.healthTimeoutMs ?? 5000);
    if (!broker.alive) return { crash: broker.stderr };
    return health === undefined ? {} : { hang: health };
  };

  const handleFailure = async (kind: 'crash' | 'hang', detail: string, suspects: FuzzCase[]): Promise<void> => {
    const signature = kind === 'crash' ? crashSignature(detail) : `hang: ${detail.replace(/\d+/g, 'N').slice(0, 120)}`;
    const map = kind === 'crash' ? report.crashes : report.hangs;
    const firstSeen = !map.has(signature);
    const f = bump(map, signature, suspects[0]?.index ?? -1);
    f.detail ??= detail.slice(0, 4000);
    log(`${kind} #${f.count}: ${signature}`);
    await restart();
    if (!firstSeen || opts.saveDir === undefined) return;
    // Find the suspect that does it alone (newest first: the crash usually follows its cause closely).
    let culprit: FuzzCase | undefined;
    let culpritDetail = detail;
    if (opts.isolateCrashes !== false) {
      for (const c of [...suspects].reverse()) {
        const r = await replayAlone(c);
        const got = kind === 'crash' ? r.crash : r.hang;
        if (r.crash !== undefined || r.hang !== undefined) await restart();
        if (got !== undefined) {
          culprit = c;
          culpritDetail = got;
          break;
        }
      }
    }
    const chosen = culprit ?? suspects[suspects.length - 1];
    if (chosen === undefined) return;
    f.file = saveReproducer(opts.saveDir, reproducerOf(chosen, kind, signature, culpritDetail, culprit !== undefined));
    log(`  saved ${f.file}${culprit === undefined ? ' (did not reproduce alone: the newest suspect)' : ''}`);
  };

  const suspects = (): FuzzCase[] => [...recent, ...inFlight];

  const checkHealth = async (): Promise<void> => {
    const health = await roundTrip(broker.port, opts.healthTimeoutMs ?? 5000);
    if (!broker.alive) return; // reported as a crash by whoever sees it first
    if (health !== undefined) await handleFailure('hang', health, suspects());
  };

  const pause = async (fn: () => Promise<void>): Promise<void> => {
    if (gate !== undefined) return gate;
    gate = (async () => {
      // Let the cases in flight end (against a dead broker they end at once).
      while (inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
      await fn();
    })();
    try {
      await gate;
    } finally {
      gate = undefined;
    }
  };

  /** The broker's log line for a connection's internal error; pino writes it a moment after the close. */
  const internalErrorLog = async (o: Outcome, port: number): Promise<Record<string, unknown> | undefined> => {
    for (let waited = 0; waited <= 200; waited += 20) {
      if (broker.port !== port) return undefined;
      const entry = broker.errorLogs.find((e) => String(e['connection'] ?? '').endsWith(`:${o.localPort}`));
      if (entry !== undefined) return entry;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };

  const record = async (c: FuzzCase, o: Outcome, port: number): Promise<void> => {
    const key =
      o.connectError !== undefined ? 'no connection'
      : o.connectionCloses.length > 0 ? `connection.close ${o.connectionCloses[0]}`
      : o.channelCloses.length > 0 ? `channel.close ${o.channelCloses[0]}`
      : o.sawCloseOk ? 'closed by the client'
      : o.serverClosed ? ((o.methods.get('connection.open-ok') ?? 0) > 0 ? 'dropped after open' : 'dropped in handshake')
      : 'open at end';
    report.outcomes.set(key, (report.outcomes.get(key) ?? 0) + 1);
    let found = judge(o);
    let detail = '';
    const has541 = found.some((f) => f.startsWith('541'));
    // The broker logs an internal error under the connection's address (our local port). When there
    // is one, it is the root cause of whatever the client saw (a 541, corrupt bytes, a dropped socket,
    // or nothing at all), so it alone names the finding.
    const entry =
      has541 || found.length > 0 ? await internalErrorLog(o, port)
      : broker.errorLogs.find((e) => String(e['connection'] ?? '').endsWith(`:${o.localPort}`));
    if (entry !== undefined) {
      found = [`${has541 ? '541' : 'internal error without a clean 541'} ${internalErrorSignature(entry)}`];
      detail = JSON.stringify(entry['err'] ?? entry);
    }
    for (const signature of found) {
      const f = bump(report.findings, signature, c.index);
      if (f.count === 1) {
        f.detail = detail;
        log(`finding: ${signature} (case ${c.index}, ${c.seedName}: ${c.mutations.join(', ')})`);
        if (opts.saveDir !== undefined) f.file = saveReproducer(opts.saveDir, reproducerOf(c, 'finding', signature, detail, false));
      }
    }
    // Error logs are only needed until their case is recorded.
    if (broker.errorLogs.length > 1000) broker.errorLogs.splice(0, broker.errorLogs.length - 200);
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      while (gate !== undefined) await gate.catch(() => undefined);
      if (next >= opts.cases) return;
      if (count(report.crashes) + count(report.hangs) >= (opts.maxFailures ?? Infinity)) return;
      if (opts.maxSeconds !== undefined && Date.now() - started > opts.maxSeconds * 1000) return;
      const c = generateCase(opts.seed, next++);
      const port = broker.port;
      inFlight.add(c);
      const o = await playSession(c.steps, { port, splitPoints: c.splitPoints, awaitCapMs: 50 });
      inFlight.delete(c);
      recent.push(c);
      if (recent.length > recentMax) recent.shift();
      report.cases++;
      if (o.serverClosed && o.connectionCloses.length === 0 && !o.sawCloseOk) {
        // A dropped socket may be the broker dying: its exit event comes a moment after the close.
        for (let waited = 0; waited < 200 && broker.alive; waited += 20) await new Promise((r) => setTimeout(r, 20));
      }
      if (!broker.alive || o.connectError !== undefined) {
        if (!broker.alive) {
          await pause(async () => {
            await new Promise((r) => setTimeout(r, 50)); // the rest of stderr
            await handleFailure('crash', broker.stderr, suspects());
            recent.length = 0;
          });
        }
        continue;
      }
      await record(c, o, port);
      if (++sinceHealth >= healthEvery) {
        sinceHealth = 0;
        await pause(async () => {
          await checkHealth();
          if (!broker.alive) {
            await handleFailure('crash', broker.stderr, suspects());
          }
          recent.length = 0;
        });
      }
      if (report.cases % 1000 === 0) {
        const s = (Date.now() - started) / 1000;
        log(`${report.cases} cases, ${(report.cases / s).toFixed(0)}/s, crashes ${count(report.crashes)}, hangs ${count(report.hangs)}, findings ${count(report.findings)}`);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: opts.concurrency }, () => worker()));
    // Consequences of the last cases (timers), then one last check.
    await new Promise((r) => setTimeout(r, 200));
    await pause(async () => {
      if (broker.alive) await checkHealth();
      if (!broker.alive) await handleFailure('crash', broker.stderr, suspects());
    });
  } finally {
    await broker.stop();
    await (await spare).stop();
  }
  report.elapsedMs = Date.now() - started;
  report.casesPerSecond = report.cases / (report.elapsedMs / 1000);
  return report;
}

function count(map: Map<string, Finding>): number {
  let n = 0;
  for (const f of map.values()) n += f.count;
  return n;
}

export function formatReport(r: FuzzReport): string {
  const lines = [
    `${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.casesPerSecond.toFixed(0)} cases/s; broker restarts: ${r.restarts}`,
    `crashes: ${count(r.crashes)} (${r.crashes.size} signatures)`,
    ...[...r.crashes].map(([sig, f]) => `  ${f.count}x ${sig}${f.file === undefined ? '' : `\n     -> ${f.file}`}`),
    `hangs: ${count(r.hangs)}`,
    ...[...r.hangs].map(([sig, f]) => `  ${f.count}x ${sig}${f.file === undefined ? '' : `\n     -> ${f.file}`}`),
    `findings (541s, improper codes, corrupt output, silent drops): ${count(r.findings)}`,
    ...[...r.findings].sort((a, b) => b[1].count - a[1].count).map(([sig, f]) => `  ${f.count}x ${sig}${f.file === undefined ? '' : `\n     -> ${f.file}`}`),
    `outcomes: ${[...r.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ')}`,
  ];
  return lines.join('\n');
}
