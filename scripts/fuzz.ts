import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BrokerProcess, crashSignature } from '../test/fuzz/broker-process.js';
import type { Reproducer } from '../test/fuzz/cases.js';
import { formatReport, runFuzz } from '../test/fuzz/fuzzer.js';
import { roundTrip } from '../test/fuzz/health.js';
import { judge, playSession } from '../test/fuzz/play.js';
import { deserializeSteps } from '../test/fuzz/session.js';

const HELP = `npm run fuzz -- [options]

Sends mutated AMQP sessions to a Warren child process and reports crashes, hangs and 541s.

  --cases N         cases to run (default 1000000)
  --seed S          the run's seed (default: random, printed)
  --concurrency C   cases at a time (default 8)
  --max-seconds T   stop after T seconds and report what ran
  --out DIR         where reproducers go (default .scratch/fuzz)
  --dist            run dist/src/cli.js (npm run build first) instead of src/cli.ts through tsx
  --no-isolate      do not replay crash suspects one by one
  --replay FILE     replay one saved reproducer against a fresh broker and report what happened
`;

async function replay(file: string, dist: boolean): Promise<number> {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Reproducer;
  console.log(`replaying ${file}: ${r.kind} ${r.signature} (seed ${r.seed}, case ${r.index}, ${r.seedName}: ${r.mutations.join(', ')})`);
  const broker = await BrokerProcess.start({ dist });
  try {
    const outcome = await playSession(deserializeSteps(r.steps), { port: broker.port, splitPoints: r.splitPoints });
    await new Promise((res) => setTimeout(res, 200));
    if (!broker.alive) {
      console.log(`broker crashed: ${crashSignature(broker.stderr)}\n${broker.stderr}`);
      return 1;
    }
    const health = await roundTrip(broker.port);
    const findings = judge(outcome);
    console.log(`server sent: ${JSON.stringify([...outcome.methods])}`);
    console.log(`connection.close: [${outcome.connectionCloses.join(', ')}] channel.close: [${outcome.channelCloses.join(', ')}] texts: ${JSON.stringify(outcome.closeTexts)}`);
    console.log(`findings: ${findings.length === 0 ? 'none' : findings.join('; ')}; health: ${health ?? 'ok'}`);
    for (const e of broker.errorLogs) console.log(JSON.stringify(e));
    return findings.length > 0 || health !== undefined ? 1 : 0;
  } finally {
    await broker.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'max-seconds': { type: 'string' },
      out: { type: 'string', default: '.scratch/fuzz' },
      dist: { type: 'boolean', default: false },
      'no-isolate': { type: 'boolean', default: false },
      replay: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.replay !== undefined) return replay(values.replay, values.dist);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const cases = Number(values.cases);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(seed) || !Number.isInteger(cases) || !Number.isInteger(concurrency) || cases < 0 || concurrency < 1) {
    process.stderr.write(`bad --seed, --cases or --concurrency\n${HELP}`);
    return 2;
  }
  console.log(`fuzz: ${cases} cases, seed ${seed}, concurrency ${concurrency}, reproducers in ${values.out}`);
  const report = await runFuzz({
    cases,
    seed,
    concurrency,
    saveDir: values.out,
    dist: values.dist,
    isolateCrashes: !values['no-isolate'],
    ...(values['max-seconds'] === undefined ? {} : { maxSeconds: Number(values['max-seconds']) }),
    log: (line) => console.log(line),
  });
  console.log(`\nseed ${seed}\n${formatReport(report)}`);
  return report.crashes.size > 0 || report.hangs.size > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
