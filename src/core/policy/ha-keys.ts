import type { PlainValue } from '../snapshots.js';
import { erlangTerm } from './erlang-term.js';

/** The classic mirroring keys (accepted and ignored: one process mirrors nothing). */
export const HA_KEYS = ['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure'] as const;

/**
 * RabbitMQ 3.10's checks of the mirroring keys together (rabbit_mirror_queue_misc:validate_policy and
 * the rabbit_mirror_queue_mode_* modules), with their texts; undefined when they pass.
 */
export function haProblem(d: Readonly<Record<string, PlainValue>>): string | undefined {
  const [mode, params, syncMode, batch, onShutdown, onFailure] = HA_KEYS.map((k) => d[k]);
  if ([mode, params, syncMode, batch, onShutdown, onFailure].every((v) => v === undefined)) return undefined;
  if (mode === undefined) return 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown';
  const p = params === undefined ? 'none' : erlangTerm(params);
  if (mode === 'all') {
    if (params !== undefined) return 'ha-mode="all" does not take parameters';
  } else if (mode === 'exactly') {
    if (!(typeof params === 'number' && Number.isSafeInteger(params) && params > 0)) return `ha-mode="exactly" takes an integer, ${p} given`;
  } else if (mode === 'nodes') {
    if (!Array.isArray(params)) return `ha-mode="nodes" takes a list, ${p} given`;
    if (params.length === 0) return 'ha-mode="nodes" list must be non-empty';
    const bad = (params as readonly PlainValue[]).filter((n) => typeof n !== 'string');
    if (bad.length > 0) return `ha-mode="nodes" takes a list of strings, ${erlangTerm(bad)} was not a string`;
  } else {
    return `${erlangTerm(mode)} is not a valid ha-mode value`;
  }
  if (syncMode !== undefined && syncMode !== 'automatic' && syncMode !== 'manual') return `ha-sync-mode must be "manual" or "automatic", got ${erlangTerm(syncMode)}`;
  if (batch !== undefined && !(typeof batch === 'number' && Number.isSafeInteger(batch) && batch > 0)) return `ha-sync-batch-size takes an integer greater than 0, ${erlangTerm(batch)} given`;
  const promote = (key: string, v: PlainValue | undefined): string | undefined =>
    v === undefined || v === 'always' || v === 'when-synced' ? undefined : `${key} must be "always" or "when-synced", got ${erlangTerm(v)}`;
  return promote('ha-promote-on-shutdown', onShutdown) ?? promote('ha-promote-on-failure', onFailure);
}
