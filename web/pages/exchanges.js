// Exchanges: every exchange the user may see, with type, features and rates; sortable and filtered by name.
import { api, enc } from '../api.js';
import { h, rate, rateOf, replace, uid } from '../dom.js';
import { link, nextSort, table } from '../ui.js';

export const title = () => 'Exchanges';

/** The default exchange's name in paths is amq.default, as in RabbitMQ's API. */
export const exchangeHref = (vhost, name) => `#/exchanges/${enc(vhost)}/${enc(name === '' ? 'amq.default' : name)}`;
export const exchangeLabel = (name) => (name === '' ? '(AMQP default)' : name);

const COLUMNS = [
  { key: 'vhost', label: 'Vhost', sort: (x) => x.vhost, render: (x) => x.vhost },
  { key: 'name', label: 'Name', sort: (x) => x.name, render: (x) => link(exchangeHref(x.vhost, x.name), exchangeLabel(x.name)) },
  { key: 'type', label: 'Type', sort: (x) => x.type, render: (x) => x.type },
  { key: 'features', label: 'Features', render: (x) => [x.durable ? 'D' : null, x.auto_delete ? 'AD' : null, x.internal ? 'I' : null,
    x.arguments?.['alternate-exchange'] ? `AE: ${x.arguments['alternate-exchange']}` : null, x.policy ? `Policy: ${x.policy}` : null].filter(Boolean).join(' ') },
  { key: 'in', label: 'Rate in', numeric: true, sort: (x) => rateOf(x.message_stats, 'publish_in') ?? 0, render: (x) => rate(rateOf(x.message_stats, 'publish_in') ?? 0) },
  { key: 'out', label: 'Rate out', numeric: true, sort: (x) => rateOf(x.message_stats, 'publish_out') ?? 0, render: (x) => rate(rateOf(x.message_stats, 'publish_out') ?? 0) },
];

export function mount(root, _ctx) {
  const view = { sort: { key: 'name', dir: 'asc' }, filter: '' };
  let rows = [];
  const box = h('div', { class: 'table-box' });
  const filterId = uid('filter');
  const render = () => {
    const needle = view.filter.toLowerCase();
    replace(box, table({ caption: 'Exchanges', columns: COLUMNS, rows: rows.filter((x) => exchangeLabel(x.name).toLowerCase().includes(needle)), state: view.sort,
      onSort: (k) => { view.sort = nextSort(view.sort, k); render(); }, empty: 'No exchanges match.', rowKey: (x) => `${x.vhost}/${x.name}` }));
  };
  root.append(h('h1', { text: 'Exchanges' }),
    h('div', { class: 'toolbar', role: 'search' }, h('label', { for: filterId, text: 'Filter by name' }),
      h('input', { id: filterId, type: 'search', oninput: (e) => { view.filter = e.target.value; render(); } })),
    box);
  return async () => {
    rows = await api('GET', '/api/exchanges');
    render();
  };
}
