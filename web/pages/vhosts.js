// Virtual hosts: their messages and connections; add (or edit the description and tags of) one, delete one.
import { api, enc } from '../api.js';
import { h, num, replace } from '../dom.js';
import { dangerButton, form, section, table } from '../ui.js';

export const title = () => 'Virtual hosts';

export function mount(root, ctx) {
  const box = h('div', { class: 'table-box' });
  const columns = [
    { key: 'name', label: 'Name', render: (v) => v.name },
    { key: 'description', label: 'Description', render: (v) => v.description ?? '' },
    { key: 'tags', label: 'Tags', render: (v) => (v.tags ?? []).join(', ') },
    { key: 'ready', label: 'Ready', numeric: true, render: (v) => num(v.messages_ready) },
    { key: 'unacked', label: 'Unacked', numeric: true, render: (v) => num(v.messages_unacknowledged) },
    { key: 'messages', label: 'Total', numeric: true, render: (v) => num(v.messages) },
    { key: 'delete', label: 'Delete', render: (v) => dangerButton('Delete', `Delete the vhost ${v.name} with all its queues, exchanges and messages?`, async () => {
      await api('DELETE', `/api/vhosts/${enc(v.name)}`);
      await ctx.refresh();
      return 'Deleted.';
    }, `delete-${v.name}`) },
  ];
  const add = form({
    title: 'Add or update a virtual host',
    fields: [
      { name: 'name', label: 'Name', required: true },
      { name: 'description', label: 'Description' },
      { name: 'tags', label: 'Tags (comma-separated)' },
    ],
    submit: 'Save vhost',
    onSubmit: async (v) => {
      await api('PUT', `/api/vhosts/${enc(v.name)}`, { description: v.description, tags: v.tags });
      await ctx.refresh();
      return `Saved ${v.name}.`;
    },
    errorField: () => 'name',
  });
  root.append(h('h1', { text: 'Virtual hosts' }), section('Virtual hosts', box), section('Add', add));
  return async () => {
    const vhosts = await api('GET', '/api/vhosts');
    replace(box, table({ caption: 'Virtual hosts', columns, rows: vhosts, rowKey: (v) => v.name, empty: 'No vhosts.' }));
  };
}
