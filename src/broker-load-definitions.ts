import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DefinitionsError, type BrokerDefinitions } from './broker-definitions.js';
import type { Logger } from './util/logger.js';

/**
 * --load-definitions at start: the file, or every *.json file of the directory in name order (as
 * RabbitMQ's local-filesystem source), imported without overwriting anything that exists. A file
 * that cannot be read or imported stops the start, naming the file and the reason.
 */
export async function loadDefinitionsAtBoot(definitions: BrokerDefinitions, path: string, logger: Logger): Promise<void> {
  let files: string[];
  try {
    files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f)) : [path];
  } catch (err) {
    throw new Error(`loadDefinitions (--load-definitions): cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`loadDefinitions (--load-definitions): cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    try {
      const summary = await definitions.import(text, undefined, { overwrite: false });
      logger.info({ event: 'definitions.loaded', file, ...summary }, `definitions loaded from ${file}`);
    } catch (err) {
      if (err instanceof DefinitionsError) throw new Error(`loadDefinitions (--load-definitions): ${file} was not imported: ${err.reason}`);
      throw err;
    }
  }
}
