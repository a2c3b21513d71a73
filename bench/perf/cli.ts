/**
 * `npm run perf -- [options]`: a PerfTest-style load generator for any AMQP 0-9-1 broker.
 * Exit code 0: the run passed its checks; 1: loss, duplicates, reordering or an error; 2: bad options.
 */
import { OptionError, parseOptions, usage } from './options.js';
import { summaryJson, summaryText } from './report.js';
import { runPerf } from './runner.js';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    process.stderr.write(`${err.message}\n\n${usage()}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage());
    return 0;
  }
  const result = await runPerf(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? summaryJson(result) : summaryText(result));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`perf: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
