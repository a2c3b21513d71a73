// Overview: message rates (a chart of /api/overview's message_stats rates, one sample per refresh), queued messages,
// object totals, and the node's memory, disk and alarms from /api/nodes (monitoring and administrator users).
import { api, ApiError } from '../api.js';
import { bytes, duration, h, num, rateOf, replace } from '../dom.js';
import { lineChart } from '../chart.js';
import { cards, facts, section } from '../ui.js';

const WINDOW_MS = 5 * 60 * 1000;
const SERIES = [
  { key: 'publish', label: 'Published', cls: 's1' },
  { key: 'deliver_get', label: 'Delivered', cls: 's2' },
  { key: 'ack', label: 'Acknowledged', cls: 's3' },
  { key: 'confirm', label: 'Confirmed', cls: 's4' },
  { key: 'redeliver', label: 'Redelivered', cls: 's5' },
];

// Kept while the tab is open, so coming back to the overview keeps the chart's history.
const samples = [];

export const title = () => 'Overview';

export function mount(root, ctx) {
  const monitor = ctx.user.tags.includes('monitoring') || ctx.user.tags.includes('administrator');
  const chart = h('div');
  const queued = h('div');
  const objects = h('div');
  const node = h('div');
  root.append(h('h1', { text: 'Overview' }), section('Message rates', chart), section('Queued messages', queued), section('Totals', objects), section('Node', node));
  return async () => {
    const [o, nodes] = await Promise.all([
      api('GET', '/api/overview'),
      monitor ? api('GET', '/api/nodes').catch((e) => (e instanceof ApiError && e.status === 401 ? e : Promise.reject(e))) : undefined,
    ]);
    const now = Date.now();
    samples.push({ t: now, values: Object.fromEntries(SERIES.map((x) => [x.key, rateOf(o.message_stats, x.key) ?? 0])) });
    while (samples.length > 0 && samples[0].t < now - WINDOW_MS) samples.shift();
    replace(chart, lineChart({ title: 'Message rates', samples, series: SERIES, windowMs: WINDOW_MS }));
    const q = o.queue_totals ?? {};
    replace(queued, cards([
      ['Ready', num(q.messages_ready), 'ready'],
      ['Unacknowledged', num(q.messages_unacknowledged), 'unacked'],
      ['Total', num(q.messages), 'messages'],
    ]));
    const t = o.object_totals ?? {};
    replace(objects, cards([
      ['Connections', num(t.connections), 'connections'],
      ['Channels', num(t.channels), 'channels'],
      ['Queues', num(t.queues), 'queues'],
      ['Exchanges', num(t.exchanges), 'exchanges'],
      ['Consumers', num(t.consumers), 'consumers'],
    ]));
    if (nodes === undefined || nodes instanceof ApiError) {
      replace(node, h('p', { class: 'muted', text: `Node details need the monitoring or administrator tag${nodes ? ` (${nodes.reason})` : ''}.` }));
      return;
    }
    replace(node, nodes.map((n) => {
      const alarms = [n.mem_alarm ? 'memory' : null, n.disk_free_alarm ? 'disk' : null].filter((a) => a !== null);
      return h('div', { class: 'node' },
        h('p', { class: alarms.length > 0 ? 'alarm on' : 'alarm off', 'data-testid': 'alarms', role: alarms.length > 0 ? 'alert' : undefined,
          text: alarms.length > 0 ? `Alarm: ${alarms.join(' and ')} — publishers are blocked` : 'No alarms' }),
        facts([
          ['Node', n.name],
          ['Version', `${o.product_name ?? ''} ${o.product_version ?? ''}`.trim()],
          ['Uptime', duration(n.uptime)],
          ['Memory used', n.mem_limit ? `${bytes(n.mem_used)} of ${bytes(n.mem_limit)} limit` : bytes(n.mem_used)],
          ['Disk free', n.disk_free !== undefined ? `${bytes(n.disk_free)}${n.disk_free_limit ? ` (limit ${bytes(n.disk_free_limit)})` : ''}` : undefined],
          ['Processors', num(n.processors)],
        ]));
    }));
  };
}
