// An x-schema exchange's schema on its page: the schema (as given and as resolved, per routing-key pattern), the counts
// of valid, invalid and unparseable messages, and the last invalid messages (newest first) with why and their first bytes.
import { h, num } from '../dom.js';
import { facts, table } from '../ui.js';

const pretty = (v) => h('pre', { class: 'schema', text: JSON.stringify(v, null, 2) });

/** The section's content for GET /api/exchanges/{vhost}/{name}/schema. */
export function schemaView(s) {
  const st = s.schema_stats;
  const named = (source) => (s.registered.includes(source) ? `registered schema ${source}` : 'inline');
  return h('div', { 'data-testid': 'schema' },
    facts([
      ['Schema', s.source === null ? 'none (x-schema-by-key only)' : named(s.source)],
      ['Checked content types', s.content_types.join(', ')],
      ['Limits', `${num(s.max_bytes)} bytes, depth ${s.max_depth}`],
      ['Messages', `${num(st.valid)} valid, ${num(st.invalid)} invalid, ${num(st.unparseable)} unparseable, ${num(st.dropped)} dropped`],
    ]),
    s.schema === null ? null : pretty(s.schema),
    s.by_key.length === 0 ? null : table({ caption: 'Schemas by routing key', rows: s.by_key, columns: [
      { key: 'pattern', label: 'Pattern', render: (k) => k.pattern },
      { key: 'source', label: 'Schema', render: (k) => named(k.source) },
      { key: 'schema', label: 'JSON Schema', render: (k) => pretty(k.schema) },
    ] }),
    table({ caption: 'Last invalid messages', rows: [...s.invalid_messages].reverse(), empty: 'No invalid message yet.', columns: [
      { key: 'time', label: 'Time', render: (m) => new Date(m.timestamp).toISOString().replace('T', ' ').slice(0, 23) },
      { key: 'key', label: 'Routing key', render: (m) => m.routing_key },
      { key: 'reason', label: 'Reason', render: (m) => m.reason },
      { key: 'outcome', label: 'Outcome', render: (m) => m.outcome },
      { key: 'body', label: 'Body', render: (m) => h('code', { text: m.payload + (m.payload_bytes > new TextEncoder().encode(m.payload).length ? '…' : '') }) },
    ] }),
  );
}
