// Users and their permissions: add or edit a user (tags; the password is kept when left blank), delete one; set or
// clear a user's permissions on a vhost.
import { api, ApiError, enc } from '../api.js';
import { h, replace } from '../dom.js';
import { dangerButton, form, section, table } from '../ui.js';

export const title = () => 'Users and permissions';

export function mount(root, ctx) {
  const users = h('div', { class: 'table-box' });
  const perms = h('div', { class: 'table-box' });
  const userColumns = [
    { key: 'name', label: 'Name', render: (u) => u.name },
    { key: 'tags', label: 'Tags', render: (u) => (Array.isArray(u.tags) ? u.tags.join(', ') : u.tags) },
    { key: 'password', label: 'Password', render: (u) => (u.password_hash ? 'set' : 'none (cannot log in with one)') },
    { key: 'delete', label: 'Delete', render: (u) => (u.name === ctx.user.name ? '(you)' : dangerButton('Delete', `Delete the user ${u.name}?`, async () => {
      await api('DELETE', `/api/users/${enc(u.name)}`);
      await ctx.refresh();
      return 'Deleted.';
    }, `delete-${u.name}`)) },
  ];
  const permColumns = [
    { key: 'user', label: 'User', render: (p) => p.user },
    { key: 'vhost', label: 'Vhost', render: (p) => p.vhost },
    { key: 'configure', label: 'Configure', render: (p) => h('code', { text: p.configure }) },
    { key: 'write', label: 'Write', render: (p) => h('code', { text: p.write }) },
    { key: 'read', label: 'Read', render: (p) => h('code', { text: p.read }) },
    { key: 'clear', label: 'Clear', render: (p) => dangerButton('Clear', `Clear ${p.user}'s permissions on ${p.vhost}?`, async () => {
      await api('DELETE', `/api/permissions/${enc(p.vhost)}/${enc(p.user)}`);
      await ctx.refresh();
      return 'Cleared.';
    }, `clear-${p.vhost}-${p.user}`) },
  ];
  const userForm = form({
    title: 'Add or update a user',
    fields: [
      { name: 'name', label: 'Username', required: true },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'Left blank for an existing user: the password is kept.' },
      { name: 'tags', label: 'Tags (comma-separated)', placeholder: 'management, monitoring, policymaker, administrator' },
    ],
    submit: 'Save user',
    onSubmit: async (v) => {
      const body = { tags: v.tags };
      if (v.password !== '') body.password = v.password;
      else {
        const existing = await api('GET', `/api/users/${enc(v.name)}`).catch((e) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
        if (existing?.password_hash) Object.assign(body, { password_hash: existing.password_hash, hashing_algorithm: existing.hashing_algorithm });
      }
      await api('PUT', `/api/users/${enc(v.name)}`, body);
      await ctx.refresh();
      return `Saved ${v.name}.`;
    },
  });
  const permForm = form({
    title: 'Set permissions',
    fields: [
      { name: 'user', label: 'User', required: true },
      { name: 'vhost', label: 'Vhost', value: '/', required: true },
      { name: 'configure', label: 'Configure regexp', value: '.*' },
      { name: 'write', label: 'Write regexp', value: '.*' },
      { name: 'read', label: 'Read regexp', value: '.*' },
    ],
    submit: 'Set permissions',
    onSubmit: async (v) => {
      await api('PUT', `/api/permissions/${enc(v.vhost)}/${enc(v.user)}`, { configure: v.configure, write: v.write, read: v.read });
      await ctx.refresh();
      return `Set for ${v.user} on ${v.vhost}.`;
    },
    errorField: (e) => (e instanceof ApiError && /vhost_or_user/.test(e.reason) ? 'user' : undefined),
  });
  root.append(h('h1', { text: 'Users and permissions' }), section('Users', users), section('Permissions', perms),
    h('div', { class: 'grid2' }, section('User', userForm), section('Permission', permForm)));
  return async () => {
    const [us, ps] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/permissions')]);
    replace(users, table({ caption: 'Users', columns: userColumns, rows: us, rowKey: (u) => u.name, empty: 'No users.' }));
    replace(perms, table({ caption: 'Permissions', columns: permColumns, rows: ps, rowKey: (p) => `${p.vhost}/${p.user}`, empty: 'No permissions.' }));
  };
}
