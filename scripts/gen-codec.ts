/** Writes src/protocol/methods.generated.ts from the spec JSON. Run: npm run gen:codec */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMethodsSource } from './codec-generator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const specPath = join(root, 'fixtures/spec/amqp-rabbitmq-0.9.1.json');
const outPath = join(root, 'src/protocol/methods.generated.ts');

const source = generateMethodsSource(JSON.parse(readFileSync(specPath, 'utf8')) as unknown);
writeFileSync(outPath, source);
process.stdout.write(`wrote ${outPath} (${source.split('\n').length} lines)\n`);
