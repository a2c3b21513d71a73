import type { Exchange } from '../exchange/exchange.js';
import type { Queue } from '../queue/queue.js';
import { effectiveAlternateExchange, effectiveQueueArgs } from './effective.js';
import type { EntityKind, VhostPolicies } from './vhost-policies.js';
export { VhostPolicies } from './vhost-policies.js';

/** A queue's type for apply-to and the unsupported keys: its x-queue-type argument (Warren's queues are one implementation). */
export function queueKind(q: Queue): EntityKind {
  const t = q.options.arguments['x-queue-type'];
  return t?.type === 'string' && t.value === 'quorum' ? 'quorum' : 'classic';
}

/** Puts in force what the vhost's policies say for this queue; false when that did not change. */
export function applyQueuePolicy(policies: VhostPolicies, q: Queue): boolean {
  const applied = policies.resolve(queueKind(q), q.name, q.policy);
  if (applied === q.policy) return false;
  q.policy = applied;
  q.reconfigure(effectiveQueueArgs(q.options.args, q.options.arguments, applied.definition));
  return true;
}

export function applyExchangePolicy(policies: VhostPolicies, x: Exchange): boolean {
  const applied = policies.resolve('exchange', x.name, x.policy);
  if (applied === x.policy) return false;
  x.policy = applied;
  x.alternateExchange = effectiveAlternateExchange(x.declaredAlternateExchange, applied.definition);
  return true;
}

/** After a policy was set or deleted: every queue and exchange of the vhost; returns how many changed. */
export function reapplyPolicies(policies: VhostPolicies, queues: Iterable<Queue>, exchanges: Iterable<Exchange>): number {
  let changed = 0;
  for (const q of queues) if (applyQueuePolicy(policies, q)) changed++;
  for (const x of exchanges) if (applyExchangePolicy(policies, x)) changed++;
  return changed;
}
