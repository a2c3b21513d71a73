import type { Config } from './config/load.js';
import { brokerPrincipal } from './core/principal.js';
import type { VirtualHost } from './core/vhost.js';
import type { BridgeRow, RuntimeParameterRow, RuntimeParametersOps } from './http/parameters-ops.js';
import type { Persistence } from './persistence.js';
import { parameterKey, type ParameterDef, type ParameterState } from './store/parameter-records.js';
import type { Logger } from './util/logger.js';

type BridgeModule = typeof import('./cluster/bridge/bridge.js');
type ValueModule = typeof import('./cluster/bridge/bridge-value.js');
type Running = InstanceType<BridgeModule['NatsBridge']>;

export const NATS_BRIDGE = 'nats-bridge';

export interface BrokerParameters extends RuntimeParametersOps {
  /** The definitions import: every reason a value would be refused for, before anything is applied. */
  check(rows: readonly RuntimeParameterRow[]): Promise<string[]>;
  /** Stops every bridge (the broker is closing); their queues stay. */
  close(): Promise<void>;
}

export interface BridgeDeps {
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  readonly persistence: Persistence;
  readonly config: Config;
  readonly logger: Logger;
}

/**
 * Runtime parameters of component nats-bridge (README, "NATS bridge"): recorded in the definitions
 * log, and each run as a bridge between an exchange and NATS subjects. The NATS client and the
 * bridge code (src/cluster/bridge) are loaded by dynamic import when the first value is checked or a
 * recorded one starts: without a nats-bridge parameter nothing of NATS is loaded.
 */
export function brokerParameters(recorded: ParameterState, deps: BridgeDeps): BrokerParameters {
  const { vhosts, persistence, config, logger } = deps;
  const params = recorded; // the recovered map, kept in step with what is written
  const running = new Map<string, Running>();
  let modules: Promise<[ValueModule, BridgeModule]> | undefined;
  const load = (): Promise<[ValueModule, BridgeModule]> => (modules ??= Promise.all([import('./cluster/bridge/bridge-value.js'), import('./cluster/bridge/bridge.js')]));
  const host = (vhost: string) => ({
    vhost: () => vhosts.get(vhost),
    maxMessageSize: config.maxMessageSize,
    propertyLimits: { maxEntries: config.maxHeaderTableEntries, maxDepth: config.maxHeaderTableDepth, maxSize: config.maxPropertiesSize },
    logger,
  });
  /** A deleted vhost took its parameters with it (the log dropped them): forget them here too. */
  const live = (): ParameterDef[] => {
    for (const [k, p] of params) {
      if (vhosts.has(p.vhost)) continue;
      params.delete(k);
      const r = running.get(k);
      running.delete(k);
      void r?.stop(false);
    }
    return [...params.values()];
  };
  const startOne = async (p: ParameterDef): Promise<void> => {
    const [value, bridge] = await load();
    const key = parameterKey(p.vhost, p.component, p.name);
    const before = running.get(key);
    running.delete(key);
    await before?.stop(false);
    if (params.get(key) !== p) return; // replaced or cleared meanwhile
    let spec;
    try {
      spec = value.parseBridgeValue(p.vhost, p.name, p.value);
    } catch (err) {
      return void logger.warn({ event: 'nats-bridge.unreadable', vhost: p.vhost, name: p.name, err }, `nats-bridge '${p.name}' in vhost '${p.vhost}' is not started: ${(err as Error).message}`);
    }
    if (before !== undefined) retire(before.spec, spec);
    running.set(key, new bridge.NatsBridge(spec, host(p.vhost)));
  };
  /** A replaced to-nats value: its old binding goes, and its queue too when the new value has none like it (other durability, or from-nats). */
  const retire = (old: Running['spec'], next: Running['spec']): void => {
    const vhost = vhosts.get(old.vhost);
    if (old.direction !== 'to-nats' || vhost === undefined) return;
    const owner = brokerPrincipal(old.vhost);
    if (next.direction !== 'to-nats' || next.queueDurable !== old.queueDurable) vhost.deleteQueue(old.queue, owner, false, false);
    else if (next.exchange !== old.exchange || next.bindingKey !== old.bindingKey) vhost.unbindQueue(old.queue, old.exchange, old.bindingKey, {}, owner);
  };
  const synced = (): Promise<void> =>
    new Promise((resolve) => {
      if (!persistence.whenDefinitionsSynced(persistence.definitionsMark(), () => resolve())) resolve();
    });
  const reasonFor = async (component: string, vhost: string, name: string, value: unknown): Promise<string | undefined> => {
    if (component !== NATS_BRIDGE) return `component ${component} not found`;
    if (name === '') return 'a nats-bridge needs a name';
    const [v] = await load();
    try {
      v.parseBridgeValue(vhost, name, value);
      return undefined;
    } catch (err) {
      if (err instanceof v.BridgeValueError) return err.message;
      throw err;
    }
  };
  const rowOf = (p: ParameterDef): RuntimeParameterRow => ({ value: p.value, vhost: p.vhost, component: p.component, name: p.name });
  for (const p of live()) if (p.component === NATS_BRIDGE) void startOne(p);

  return {
    components: [NATS_BRIDGE],
    list: (component, vhost) => live().filter((p) => (component === undefined || p.component === component) && (vhost === undefined || p.vhost === vhost)).map(rowOf),
    set: async (component, vhost, name, value) => {
      const refused = await reasonFor(component, vhost, name, value);
      if (refused !== undefined) return { refused };
      const key = parameterKey(vhost, component, name);
      const created = !params.has(key);
      const def: ParameterDef = { vhost, component, name, value };
      params.set(key, def);
      persistence.parameterSet(def);
      await synced();
      await startOne(def);
      return { created };
    },
    clear: async (component, vhost, name) => {
      const key = parameterKey(vhost, component, name);
      if (!params.has(key)) return false;
      params.delete(key);
      persistence.parameterCleared(vhost, component, name);
      const r = running.get(key);
      running.delete(key);
      await r?.stop(true);
      await synced();
      return true;
    },
    bridges: (vhost) =>
      live()
        .filter((p) => p.component === NATS_BRIDGE && (vhost === undefined || p.vhost === vhost))
        .map((p): BridgeRow => {
          const r = running.get(parameterKey(p.vhost, p.component, p.name));
          const s = r?.status();
          const direction = (p.value as { direction?: unknown }).direction === 'from-nats' ? 'from-nats' : 'to-nats';
          const row: BridgeRow = { name: p.name, vhost: p.vhost, type: 'dynamic', direction, state: s?.state ?? 'starting', forwarded: s?.forwarded ?? 0, dropped: s?.dropped ?? 0 };
          return { ...row, ...(s?.reason === undefined ? {} : { reason: s.reason }), ...(s?.lastError === undefined ? {} : { last_error: s.lastError }) };
        }),
    check: async (rows) => {
      const out: string[] = [];
      for (const r of rows) {
        const why = await reasonFor(r.component, r.vhost, r.name, r.value);
        if (why !== undefined) out.push(`parameter '${r.name}' (${r.component}) in vhost '${r.vhost}': ${why}`);
      }
      return out;
    },
    close: async () => {
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((r) => r.stop(false)));
    },
  };
}
