// One queue: its state, consumers and bindings (live), and the actions: browse messages without consuming them, publish,
// purge, redrive dead-lettered messages, delete.
import { api, ApiError, enc } from '../api.js';
import { h, json, num, rate, rateOf, replace } from '../dom.js';
import { dangerButton, facts, form, link, parseJson, section, table } from '../ui.js';

export const title = ([vhost, name]) => `Queue ${name} (${vhost})`;

const CONSUMERS = [
  { key: 'tag', label: 'Consumer tag', render: (c) => c.consumer_tag },
  { key: 'channel', label: 'Channel', render: (c) => c.channel_details?.name ?? '' },
  { key: 'user', label: 'User', render: (c) => c.channel_details?.user ?? '' },
  { key: 'ack', label: 'Ack required', render: (c) => (c.ack_required ? 'yes' : 'no') },
  { key: 'prefetch', label: 'Prefetch', numeric: true, render: (c) => num(c.prefetch_count) },
  { key: 'active', label: 'Status', render: (c) => c.activity_status ?? (c.active ? 'up' : 'waiting') },
];

const BINDINGS = [
  { key: 'source', label: 'From exchange', render: (b) => (b.source === '' ? '(default exchange)' : link(`#/exchanges/${enc(b.vhost)}/${enc(b.source)}`, b.source)) },
  { key: 'key', label: 'Routing key', render: (b) => b.routing_key },
  { key: 'args', label: 'Arguments', render: (b) => json(b.arguments) },
];

const MESSAGES = [
  { key: 'pos', label: 'Position', numeric: true, render: (m) => num(m.position) },
  { key: 'exchange', label: 'Exchange', render: (m) => m.exchange || '(default)' },
  { key: 'key', label: 'Routing key', render: (m) => m.routing_key },
  { key: 'redelivered', label: 'Redelivered', render: (m) => (m.redelivered ? 'yes' : 'no') },
  { key: 'props', label: 'Properties', render: (m) => h('code', { text: json(m.properties) }) },
  { key: 'payload', label: 'Payload', render: (m) => h('code', { class: 'payload', text: m.payload_encoding === 'base64' ? `(base64) ${m.payload}` : m.payload }) },
];

export function mount(root, ctx, [vhost, name]) {
  const path = `/api/queues/${enc(vhost)}/${enc(name)}`;
  const info = h('div');
  const consumers = h('div', { class: 'table-box' });
  const bindings = h('div', { class: 'table-box' });
  const browsed = h('div', { class: 'table-box', 'aria-live': 'polite' });

  const browse = form({
    title: 'Browse messages (nothing is consumed)',
    cls: 'inline',
    fields: [
      { name: 'from', label: 'From position', type: 'number', value: '0', min: 0 },
      { name: 'count', label: 'Count', type: 'number', value: '10', min: 0 },
    ],
    submit: 'Browse',
    onSubmit: async (v) => {
      const found = await api('GET', `${path}/browse?from=${enc(v.from || '0')}&count=${enc(v.count || '10')}&truncate=2000`);
      replace(browsed, table({ caption: 'Browsed messages', columns: MESSAGES, rows: found, empty: 'No messages at that position.' }));
      return `${found.length} message${found.length === 1 ? '' : 's'} shown.`;
    },
  });

  const publish = form({
    title: 'Publish a message',
    fields: [
      { name: 'routing_key', label: 'Routing key', value: name, hint: 'Published through the default exchange unless you name another.' },
      { name: 'exchange', label: 'Exchange', value: '', placeholder: '(default exchange)' },
      { name: 'headers', label: 'Headers (JSON)', type: 'textarea', rows: 2, placeholder: '{"x-key": "value"}' },
      { name: 'payload', label: 'Payload', type: 'textarea', rows: 3 },
      { name: 'persistent', label: 'Persistent (delivery mode 2)', type: 'checkbox', value: true },
    ],
    submit: 'Publish',
    onSubmit: async (v) => {
      const headers = parseJson(v.headers, 'headers');
      const exchange = v.exchange === '' ? 'amq.default' : v.exchange;
      const properties = { delivery_mode: v.persistent ? 2 : 1, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
      const r = await api('POST', `/api/exchanges/${enc(vhost)}/${enc(exchange)}/publish`, { properties, routing_key: v.routing_key, payload: v.payload, payload_encoding: 'string' });
      await ctx.refresh();
      return r?.routed ? 'Published: the message was routed.' : 'Published, but no queue was bound for it: it was dropped.';
    },
  });

  const redrive = form({
    title: 'Redrive dead-lettered messages',
    fields: [
      { name: 'reason', label: 'Only with death reason', type: 'select', value: '', options: [{ value: '', label: 'any' }, 'rejected', 'expired', 'maxlen', 'delivery_limit'] },
      { name: 'exchange', label: 'To exchange', placeholder: 'the queue each died in' },
      { name: 'routing_key', label: 'With routing key', placeholder: 'their original keys' },
      { name: 'max', label: 'At most', type: 'number', min: 0, placeholder: 'all' },
    ],
    submit: 'Redrive',
    onSubmit: async (v) => {
      const body = {};
      if (v.reason !== '') body.reason = v.reason;
      if (v.exchange !== '') body.exchange = v.exchange;
      if (v.routing_key !== '') body.routing_key = v.routing_key;
      if (v.max !== '') body.max = Number(v.max);
      const r = await api('POST', `${path}/redrive`, body);
      await ctx.refresh();
      return `Moved ${num(r.moved)}, skipped ${num(r.skipped)}.`;
    },
  });

  const actions = h('div', { class: 'buttons' },
    dangerButton('Purge', `Remove every ready message from ${name}?`, async () => {
      const r = await api('DELETE', `${path}/contents`);
      await ctx.refresh();
      return r?.message_count !== undefined ? `Purged ${num(r.message_count)}.` : 'Purged.';
    }, 'purge'),
    dangerButton('Delete queue', `Delete the queue ${name} and its messages?`, async () => {
      await api('DELETE', path);
      ctx.navigate('#/queues');
      return 'Deleted.';
    }, 'delete'));

  root.append(
    h('p', { class: 'crumbs' }, link('#/queues', 'Queues'), ' › ', vhost),
    h('h1', {}, 'Queue ', h('span', { class: 'name', text: name })),
    section('Details', info),
    section('Consumers', consumers),
    section('Bindings', bindings),
    section('Messages', browse, browsed),
    h('div', { class: 'grid2' }, section('Publish', publish), section('Dead letters', redrive)),
    section('Purge or delete', actions),
  );

  return async () => {
    let q;
    try {
      q = await api('GET', path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        replace(info, h('p', { class: 'error', role: 'alert', text: `There is no queue ${name} in vhost ${vhost}.` }));
        return;
      }
      throw e;
    }
    const [cs, bs] = await Promise.all([api('GET', `/api/consumers/${enc(vhost)}`), api('GET', `${path}/bindings`)]);
    const ms = q.message_stats ?? {};
    replace(info, facts([
      ['Type', q.type ?? 'classic'],
      ['State', q.state],
      ['Features', [q.durable ? 'durable' : 'transient', q.auto_delete ? 'auto-delete' : null, q.exclusive ? 'exclusive' : null].filter(Boolean).join(', ')],
      ['Arguments', Object.keys(q.arguments ?? {}).length > 0 ? json(q.arguments) : undefined],
      ['Policy', q.policy ?? undefined],
      ['Effective policy', Object.keys(q.effective_policy_definition ?? {}).length > 0 ? json(q.effective_policy_definition) : undefined],
      ['Ready', h('span', { 'data-testid': 'ready', text: num(q.messages_ready) })],
      ['Unacknowledged', h('span', { 'data-testid': 'unacked', text: num(q.messages_unacknowledged) })],
      ['Total', num(q.messages)],
      ['Consumers', num(q.consumers)],
      ['Rates', `in ${rate(rateOf(ms, 'publish') ?? 0)} · deliver/get ${rate(rateOf(ms, 'deliver_get') ?? 0)} · ack ${rate(rateOf(ms, 'ack') ?? 0)}`],
    ]));
    replace(consumers, table({ caption: 'Consumers', columns: CONSUMERS, rows: cs.filter((c) => c.queue?.name === name), empty: 'No consumers.' }));
    replace(bindings, table({ caption: 'Bindings', columns: BINDINGS, rows: bs, empty: 'No bindings.' }));
  };
}
