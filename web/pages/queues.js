// Queues: every queue the user may see, sortable by any column and filtered by name and vhost, with depths and rates.
import { api, enc } from '../api.js';
import { h, num, rate, rateOf, replace, uid } from '../dom.js';
import { link, nextSort, table } from '../ui.js';

export const title = () => 'Queues';

export const queueHref = (q) => `#/queues/${enc(q.vhost)}/${enc(q.name)}`;

const features = (q) => [q.durable ? 'D' : null, q.auto_delete ? 'AD' : null, q.exclusive ? 'Excl' : null, q.arguments?.['x-max-priority'] !== undefined ? 'Pri' : null,
  q.arguments?.['x-dead-letter-exchange'] !== undefined ? 'DLX' : null, q.arguments?.['x-message-ttl'] !== undefined ? 'TTL' : null].filter((f) => f !== null).join(' ');

const COLUMNS = [
  { key: 'vhost', label: 'Vhost', sort: (q) => q.vhost, render: (q) => q.vhost },
  { key: 'name', label: 'Name', sort: (q) => q.name, render: (q) => link(queueHref(q), q.name) },
  { key: 'type', label: 'Type', sort: (q) => q.type ?? 'classic', render: (q) => q.type ?? 'classic' },
  { key: 'features', label: 'Features', render: (q) => h('span', { title: q.policy ? `policy ${q.policy}` : undefined, text: [features(q), q.policy ? `Policy: ${q.policy}` : null].filter(Boolean).join(' ') }) },
  { key: 'state', label: 'State', sort: (q) => q.state ?? '', render: (q) => q.state ?? '' },
  { key: 'ready', label: 'Ready', numeric: true, sort: (q) => q.messages_ready ?? 0, render: (q) => num(q.messages_ready) },
  { key: 'unacked', label: 'Unacked', numeric: true, sort: (q) => q.messages_unacknowledged ?? 0, render: (q) => num(q.messages_unacknowledged) },
  { key: 'messages', label: 'Total', numeric: true, sort: (q) => q.messages ?? 0, render: (q) => num(q.messages) },
  { key: 'consumers', label: 'Consumers', numeric: true, sort: (q) => q.consumers ?? 0, render: (q) => num(q.consumers) },
  { key: 'in', label: 'Incoming', numeric: true, sort: (q) => rateOf(q.message_stats, 'publish') ?? 0, render: (q) => rate(rateOf(q.message_stats, 'publish') ?? 0) },
  { key: 'out', label: 'Deliver / get', numeric: true, sort: (q) => rateOf(q.message_stats, 'deliver_get') ?? 0, render: (q) => rate(rateOf(q.message_stats, 'deliver_get') ?? 0) },
  { key: 'ack', label: 'Ack', numeric: true, sort: (q) => rateOf(q.message_stats, 'ack') ?? 0, render: (q) => rate(rateOf(q.message_stats, 'ack') ?? 0) },
];

export function mount(root, _ctx) {
  const view = { sort: { key: 'name', dir: 'asc' }, filter: '', vhost: '' };
  let rows = [];
  const box = h('div', { class: 'table-box' });
  const count = h('p', { class: 'muted', role: 'status' });
  const filterId = uid('filter');
  const vhostId = uid('vhost');
  const vhostSelect = h('select', { id: vhostId, oninput: () => { view.vhost = vhostSelect.value; render(); } }, h('option', { value: '', text: 'All vhosts' }));
  const render = () => {
    const needle = view.filter.toLowerCase();
    const shown = rows.filter((q) => (view.vhost === '' || q.vhost === view.vhost) && q.name.toLowerCase().includes(needle));
    count.textContent = `${shown.length} of ${rows.length} queues`;
    replace(box, table({ caption: 'Queues', columns: COLUMNS, rows: shown, state: view.sort, onSort: (k) => { view.sort = nextSort(view.sort, k); render(); }, empty: 'No queues match.', rowKey: (q) => `${q.vhost}/${q.name}` }));
  };
  root.append(
    h('h1', { text: 'Queues' }),
    h('div', { class: 'toolbar', role: 'search' },
      h('label', { for: filterId, text: 'Filter by name' }),
      h('input', { id: filterId, type: 'search', placeholder: 'part of a name', oninput: (e) => { view.filter = e.target.value; render(); } }),
      h('label', { for: vhostId, text: 'Vhost' }), vhostSelect),
    count, box);
  return async () => {
    rows = await api('GET', '/api/queues');
    const vhosts = [...new Set(rows.map((q) => q.vhost))].sort();
    const have = [...vhostSelect.options].slice(1).map((o) => o.value);
    if (have.join('\n') !== vhosts.join('\n')) {
      replace(vhostSelect, h('option', { value: '', text: 'All vhosts' }), vhosts.map((v) => h('option', { value: v, selected: v === view.vhost, text: v })));
    }
    render();
  };
}
