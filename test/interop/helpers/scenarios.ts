/**
 * The one scenario list every client in the compatibility matrix is driven through. The Python
 * scripts in fixtures/interop/ use the same ids, names and resource names (see common.py there),
 * so a cell of the README table means the same thing for every client.
 */
export const SCENARIOS = [
  { id: 1, name: 'connect and authenticate' },
  { id: 2, name: 'declare topic exchange, queue with DLX and max-priority, bind' },
  { id: 3, name: 'publish with confirms and mandatory (unroutable comes back)' },
  { id: 4, name: 'consume with manual ack and prefetch' },
  { id: 5, name: 'nack to the dead-letter queue with x-death' },
  { id: 6, name: 'basic.get' },
  { id: 7, name: 'headers exchange route (x-match all)' },
  { id: 8, name: 'transaction commit and rollback' },
  { id: 9, name: 'delete everything' },
  { id: 10, name: 'close cleanly' },
] as const;

export type ScenarioId = (typeof SCENARIOS)[number]['id'];

export function scenarioTitle(id: ScenarioId): string {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(`no scenario ${id}`);
  return `${s.id}. ${s.name}`;
}

/** Resource names for one client, so clients never share a queue even if run against one broker. */
export function resourceNames(client: string) {
  const p = `interop.${client}`;
  return {
    topic: `${p}.topic`,
    dlx: `${p}.dlx`,
    work: `${p}.work`,
    dead: `${p}.dead`,
    headers: `${p}.headers`,
    headersQueue: `${p}.hq`,
    txQueue: `${p}.tx`,
    /** Binding pattern of the work queue on the topic exchange. */
    pattern: 'orders.#',
  } as const;
}

/** Numbers shared by every client's scenarios. */
export const SCENARIO_CONSTANTS = {
  maxPriority: 10,
  /** Published in this order; a priority queue hands them out highest first. */
  priorities: [1, 9, 5],
  prefetch: 2,
  /** Unroutable mandatory publishes come back with 312 NO_ROUTE (AMQP 0-9-1, basic.return). */
  noRoute: { code: 312, text: 'NO_ROUTE' },
  /** The headers binding: x-match all over two headers. */
  headersBinding: { 'x-match': 'all', format: 'pdf', type: 'report' },
} as const;

/** The x-death entry RabbitMQ writes for a message rejected with requeue=false. */
export function expectedXDeath(client: string, routingKey: string) {
  const n = resourceNames(client);
  return { count: 1, reason: 'rejected', queue: n.work, exchange: n.topic, 'routing-keys': [routingKey] };
}
