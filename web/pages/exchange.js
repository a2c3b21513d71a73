// One exchange: its details and bindings (add and remove), and the routing explainer: where a message with this routing
// key and these headers would go, and through which bindings, without publishing it.
import { api, ApiError, enc } from '../api.js';
import { h, json, replace } from '../dom.js';
import { dangerButton, facts, form, link, parseJson, section, table } from '../ui.js';
import { exchangeHref, exchangeLabel } from './exchanges.js';
import { schemaView } from './exchange-schema.js';

export const title = ([vhost, name]) => `Exchange ${exchangeLabel(name === 'amq.default' ? '' : name)} (${vhost})`;

const destLink = (vhost, type, name) => (type === 'queue' ? link(`#/queues/${enc(vhost)}/${enc(name)}`, name) : link(exchangeHref(vhost, name), exchangeLabel(name)));

export function mount(root, ctx, [vhost, pathName]) {
  const path = `/api/exchanges/${enc(vhost)}/${enc(pathName)}`;
  const source = pathName === 'amq.default' ? '' : pathName;
  const info = h('div');
  const bindings = h('div', { class: 'table-box' });
  const explained = h('div', { class: 'explained', 'aria-live': 'polite' });
  const schema = section('Schema', h('div'));
  schema.hidden = true;

  const columns = [
    { key: 'to', label: 'To', render: (b) => destLink(vhost, b.destination_type, b.destination) },
    { key: 'type', label: 'Destination type', render: (b) => b.destination_type },
    { key: 'key', label: 'Routing key', render: (b) => b.routing_key },
    { key: 'args', label: 'Arguments', render: (b) => json(b.arguments) },
    { key: 'unbind', label: 'Unbind', render: (b) => source === '' ? '' : dangerButton('Unbind', `Remove the binding to ${b.destination}?`, async () => {
      await api('DELETE', `/api/bindings/${enc(vhost)}/e/${enc(source)}/${b.destination_type === 'queue' ? 'q' : 'e'}/${enc(b.destination)}/${enc(b.properties_key)}`);
      await ctx.refresh();
      return 'Removed.';
    }, `unbind-${b.destination_type}-${b.destination}-${b.properties_key}`) },
  ];

  const bind = form({
    title: 'Add a binding',
    fields: [
      { name: 'destination_type', label: 'To a', type: 'select', value: 'queue', options: ['queue', 'exchange'] },
      { name: 'destination', label: 'Destination name', required: true },
      { name: 'routing_key', label: 'Routing key' },
      { name: 'arguments', label: 'Arguments (JSON)', type: 'textarea', rows: 2, placeholder: '{"x-match": "all"}' },
    ],
    submit: 'Bind',
    onSubmit: async (v) => {
      const args = parseJson(v.arguments, 'arguments');
      await api('POST', `/api/bindings/${enc(vhost)}/e/${enc(pathName)}/${v.destination_type === 'queue' ? 'q' : 'e'}/${enc(v.destination)}`, { routing_key: v.routing_key, arguments: args });
      await ctx.refresh();
      return `Bound to ${v.destination}.`;
    },
    errorField: (e) => (e instanceof ApiError && e.status === 404 ? 'destination' : undefined),
  });

  const explain = form({
    title: 'Where would a message go?',
    fields: [
      { name: 'routing_key', label: 'Routing key' },
      { name: 'headers', label: 'Headers (JSON)', type: 'textarea', rows: 2, placeholder: '{"format": "pdf"}' },
    ],
    submit: 'Explain',
    onSubmit: async (v) => {
      const headers = parseJson(v.headers, 'headers');
      const r = await api('POST', `${path}/explain`, { routing_key: v.routing_key, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
      replace(explained,
        h('p', { class: r.routed ? 'ok' : 'error', 'data-testid': 'explain-result', text: r.routed ? `Routed to ${r.queues.map((q) => q.name).sort().join(', ')}.` : 'Unroutable: no queue would get it.' }),
        r.bindings.length > 0 ? table({ caption: 'Matching bindings', rows: r.bindings, columns: [
          { key: 'from', label: 'From', render: (b) => exchangeLabel(b.source) },
          { key: 'to', label: 'To', render: (b) => destLink(vhost, b.destination_type, b.destination) },
          { key: 'key', label: 'Routing key', render: (b) => b.routing_key },
          { key: 'args', label: 'Arguments', render: (b) => json(b.arguments) },
        ] }) : null,
        r.alternate_exchanges.length > 0 ? h('p', { text: `Through alternate exchange${r.alternate_exchanges.length > 1 ? 's' : ''}: ${r.alternate_exchanges.map((x) => x.name).join(', ')}` }) : null,
        r.delayed_by.length > 0 ? h('p', { text: `Delayed by: ${r.delayed_by.map((x) => x.name).join(', ')}` }) : null);
      return r.routed ? `${r.queues.length} queue${r.queues.length === 1 ? '' : 's'}.` : 'Unroutable.';
    },
  });

  root.append(
    h('p', { class: 'crumbs' }, link('#/exchanges', 'Exchanges'), ' › ', vhost),
    h('h1', {}, 'Exchange ', h('span', { class: 'name', text: exchangeLabel(source) })),
    section('Details', info),
    schema,
    section('Bindings from this exchange', bindings),
    h('div', { class: 'grid2' }, section('Routing explainer', explain, explained), source === '' ? null : section('Bind', bind)),
  );

  return async () => {
    let x;
    try {
      x = await api('GET', path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        replace(info, h('p', { class: 'error', role: 'alert', text: `There is no exchange ${source} in vhost ${vhost}.` }));
        return;
      }
      throw e;
    }
    const all = await api('GET', `/api/bindings/${enc(vhost)}`);
    replace(info, facts([
      ['Type', x.type],
      ['Features', [x.durable ? 'durable' : 'transient', x.auto_delete ? 'auto-delete' : null, x.internal ? 'internal' : null].filter(Boolean).join(', ')],
      ['Arguments', Object.keys(x.arguments ?? {}).length > 0 ? json(x.arguments) : undefined],
      ['Policy', x.policy],
    ]));
    schema.hidden = x.schema_stats === undefined;
    if (!schema.hidden) replace(schema.lastElementChild, schemaView(await api('GET', `${path}/schema`)));
    const mine = all.filter((b) => b.source === source);
    replace(bindings, table({ caption: 'Bindings', columns, rows: mine, empty: 'No bindings.' }));
  };
}
