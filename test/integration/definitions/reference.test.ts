import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { assertReferenceTopology } from '../../helpers/definitions-reference.js';

/**
 * Against a live RabbitMQ with the management plugin (CI has none; the committed fixture stands in):
 *   RABBITMQ_PORT=6872 RABBITMQ_MGMT=1 RABBITMQ_MGMT_PORT=16872 /work/shared/tools/rabbitmq.sh start
 *   DEFINITIONS_REFERENCE_URL=http://127.0.0.1:16872 npx vitest run test/integration/definitions/reference.test.ts
 * builds the reference topology there (fixtures/definitions/make-rabbitmq-export.sh, on a fresh node),
 * takes its export and imports it unchanged.
 */
const reference = process.env['DEFINITIONS_REFERENCE_URL'];
const script = fileURLToPath(new URL('../../../fixtures/definitions/make-rabbitmq-export.sh', import.meta.url));

describe.skipIf(reference === undefined)('definitions exported by a live RabbitMQ', () => {
  it('import unchanged: users log in, permissions refuse, bindings route', async () => {
    const exported = execFileSync(script, [reference as string], { encoding: 'utf8' });
    await withBroker(async (b) => {
      await b.definitions.import(exported);
      await assertReferenceTopology(b);
    });
  }, 60_000);
});
