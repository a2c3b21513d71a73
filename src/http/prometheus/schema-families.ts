import { escapeLabel, type TextWriter } from './exposition.js';
import type { PrometheusBroker } from './prometheus-broker.js';

/**
 * Warren's schema-checked exchanges (issue 16) on Prometheus: what each x-schema exchange's check found.
 * /metrics sums over exchanges (verdict label only), /metrics/per-object and the detailed family
 * exchange_schema_metrics give one series per exchange (vhost, exchange, verdict). No RabbitMQ
 * counterpart: the names are under warren_.
 */
export const SCHEMA_DETAILED_FAMILY = 'exchange_schema_metrics';

const MESSAGES = 'warren_exchange_schema_messages_total';
const MESSAGES_HELP = 'Messages checked by an x-schema exchange, by verdict: valid, invalid (schema, size or depth) or unparseable (not JSON)';
const DROPPED = 'warren_exchange_schema_dropped_total';
const DROPPED_HELP = 'Messages that failed an x-schema exchange check and were dropped (neither nacked, returned nor sent to an x-invalid-exchange)';

interface Row {
  readonly labels: string;
  readonly valid: number;
  readonly invalid: number;
  readonly unparseable: number;
  readonly dropped: number;
}

/** perObject: one series per exchange (vhosts, when given, limits them); else the sums. */
export async function writeSchemaFamilies(w: TextWriter, api: PrometheusBroker, perObject: boolean, vhosts?: ReadonlySet<string>): Promise<void> {
  const rows: Row[] = [];
  const sum = { labels: '', valid: 0, invalid: 0, unparseable: 0, dropped: 0 };
  api.readModel.eachSchemaStats((vhost, exchange, s) => {
    if (vhosts !== undefined && !vhosts.has(vhost)) return;
    if (perObject) rows.push({ labels: `vhost="${escapeLabel(vhost)}",exchange="${escapeLabel(exchange)}"`, ...s });
    sum.valid += s.valid;
    sum.invalid += s.invalid;
    sum.unparseable += s.unparseable;
    sum.dropped += s.dropped;
  });
  if (!perObject) rows.push(sum);
  w.family(MESSAGES, 'counter', MESSAGES_HELP);
  for (const r of rows) {
    const sep = r.labels === '' ? '' : ',';
    w.sample(MESSAGES, `${r.labels}${sep}verdict="valid"`, r.valid);
    w.sample(MESSAGES, `${r.labels}${sep}verdict="invalid"`, r.invalid);
    w.sample(MESSAGES, `${r.labels}${sep}verdict="unparseable"`, r.unparseable);
    if (w.full) await w.flush();
  }
  w.family(DROPPED, 'counter', DROPPED_HELP);
  for (const r of rows) {
    w.sample(DROPPED, r.labels, r.dropped);
    if (w.full) await w.flush();
  }
}
