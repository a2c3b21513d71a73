// Connections and their channels, live; a connection can be closed with a reason the client receives
// (DELETE /api/connections/{name} with X-Reason, as RabbitMQ's API). The API has no channel close, as RabbitMQ's.
import { api, enc } from '../api.js';
import { bytes, h, num, rate, rateOf, replace, uid } from '../dom.js';
import { dangerButton, nextSort, section, table } from '../ui.js';

export const title = () => 'Connections';

const clientOf = (c) => {
  const p = c.client_properties ?? {};
  return [p.product, p.version].filter(Boolean).join(' ');
};

export function mount(root, ctx) {
  const view = { conn: { key: 'name', dir: 'asc' }, chan: { key: 'name', dir: 'asc' } };
  let data = { connections: [], channels: [] };
  const reasonId = uid('reason');
  const reason = h('input', { id: reasonId, value: 'Closed from the Warren dashboard', 'aria-describedby': `${reasonId}-hint` });
  const connBox = h('div', { class: 'table-box' });
  const chanBox = h('div', { class: 'table-box' });
  const connColumns = [
    { key: 'name', label: 'Name', sort: (c) => c.user_provided_name ?? c.name, render: (c) => h('span', {}, c.user_provided_name ? h('strong', { text: c.user_provided_name }) : null, c.user_provided_name ? h('br') : null, c.name) },
    { key: 'user', label: 'User', sort: (c) => c.user ?? '', render: (c) => c.user ?? '' },
    { key: 'vhost', label: 'Vhost', sort: (c) => c.vhost ?? '', render: (c) => c.vhost ?? '' },
    { key: 'state', label: 'State', sort: (c) => c.state ?? '', render: (c) => c.state ?? '' },
    { key: 'client', label: 'Client', sort: clientOf, render: clientOf },
    { key: 'tls', label: 'TLS', render: (c) => (c.ssl ? c.ssl_protocol ?? 'yes' : 'no') },
    { key: 'channels', label: 'Channels', numeric: true, sort: (c) => c.channels ?? 0, render: (c) => num(c.channels) },
    { key: 'from', label: 'From client', numeric: true, sort: (c) => rateOf(c, 'recv_oct') ?? 0, render: (c) => `${bytes(rateOf(c, 'recv_oct') ?? 0)}/s` },
    { key: 'to', label: 'To client', numeric: true, sort: (c) => rateOf(c, 'send_oct') ?? 0, render: (c) => `${bytes(rateOf(c, 'send_oct') ?? 0)}/s` },
    { key: 'close', label: 'Close', render: (c) => dangerButton('Close', `Close the connection ${c.user_provided_name ?? c.name}?`, async () => {
      await api('DELETE', `/api/connections/${enc(c.name)}`, undefined, { 'x-reason': reason.value });
      await ctx.refresh();
      return 'Closed.';
    }, `close-${c.name}`) },
  ];
  const connName = (ch) => {
    const c = data.connections.find((x) => x.name === ch.connection_details?.name);
    return c?.user_provided_name ?? ch.connection_details?.name ?? '';
  };
  const chanColumns = [
    { key: 'name', label: 'Channel', sort: (c) => c.name, render: (c) => c.name },
    { key: 'conn', label: 'Connection', sort: connName, render: connName },
    { key: 'user', label: 'User', sort: (c) => c.user ?? '', render: (c) => c.user ?? '' },
    { key: 'vhost', label: 'Vhost', sort: (c) => c.vhost ?? '', render: (c) => c.vhost ?? '' },
    { key: 'mode', label: 'Mode', render: (c) => [c.confirm ? 'confirm' : null, c.transactional ? 'transactional' : null].filter(Boolean).join(', ') },
    { key: 'state', label: 'State', sort: (c) => c.state ?? '', render: (c) => c.state ?? '' },
    { key: 'prefetch', label: 'Prefetch', numeric: true, sort: (c) => c.prefetch_count ?? 0, render: (c) => num(c.prefetch_count) },
    { key: 'unacked', label: 'Unacked', numeric: true, sort: (c) => c.messages_unacknowledged ?? 0, render: (c) => num(c.messages_unacknowledged) },
    { key: 'consumers', label: 'Consumers', numeric: true, sort: (c) => c.consumer_count ?? 0, render: (c) => num(c.consumer_count) },
    { key: 'publish', label: 'Publish', numeric: true, sort: (c) => rateOf(c.message_stats, 'publish') ?? 0, render: (c) => rate(rateOf(c.message_stats, 'publish') ?? 0) },
    { key: 'deliver', label: 'Deliver / get', numeric: true, sort: (c) => rateOf(c.message_stats, 'deliver_get') ?? 0, render: (c) => rate(rateOf(c.message_stats, 'deliver_get') ?? 0) },
  ];
  const render = () => {
    replace(connBox, table({ caption: 'Connections', columns: connColumns, rows: data.connections, state: view.conn, rowKey: (c) => c.name,
      onSort: (k) => { view.conn = nextSort(view.conn, k); render(); }, empty: 'No connections.' }));
    replace(chanBox, table({ caption: 'Channels', columns: chanColumns, rows: data.channels, state: view.chan, rowKey: (c) => c.name,
      onSort: (k) => { view.chan = nextSort(view.chan, k); render(); }, empty: 'No channels.' }));
  };
  root.append(h('h1', { text: 'Connections and channels' }),
    section('Connections',
      h('div', { class: 'field narrow' }, h('label', { for: reasonId, text: 'Reason given when closing' }), reason,
        h('p', { class: 'hint', id: `${reasonId}-hint`, text: 'The client receives it in connection.close (CONNECTION_FORCED).' })),
      connBox),
    section('Channels', chanBox));
  return async () => {
    const [connections, channels] = await Promise.all([api('GET', '/api/connections'), api('GET', '/api/channels')]);
    data = { connections, channels };
    render();
  };
}
