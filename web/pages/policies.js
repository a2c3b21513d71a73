// Policies: list, add or replace, delete. The definition is JSON; the API's refusal (an unknown key, a bad value) shows
// next to the field it is about, and nothing is changed.
import { api, enc } from '../api.js';
import { h, json, replace } from '../dom.js';
import { dangerButton, form, parseJson, section, table } from '../ui.js';

export const title = () => 'Policies';

const APPLY_TO = ['all', 'queues', 'exchanges', 'classic_queues', 'quorum_queues', 'streams'];

export function mount(root, ctx) {
  const box = h('div', { class: 'table-box' });
  const columns = [
    { key: 'vhost', label: 'Vhost', render: (p) => p.vhost },
    { key: 'name', label: 'Name', render: (p) => p.name },
    { key: 'pattern', label: 'Pattern', render: (p) => h('code', { text: p.pattern }) },
    { key: 'apply', label: 'Apply to', render: (p) => p['apply-to'] },
    { key: 'definition', label: 'Definition', render: (p) => h('code', { text: json(p.definition) }) },
    { key: 'priority', label: 'Priority', numeric: true, render: (p) => String(p.priority) },
    { key: 'delete', label: 'Delete', render: (p) => dangerButton('Delete', `Delete the policy ${p.name}?`, async () => {
      await api('DELETE', `/api/policies/${enc(p.vhost)}/${enc(p.name)}`);
      await ctx.refresh();
      return 'Deleted.';
    }, `delete-${p.vhost}-${p.name}`) },
  ];
  const add = form({
    title: 'Add or replace a policy',
    fields: [
      { name: 'vhost', label: 'Vhost', value: '/', required: true },
      { name: 'name', label: 'Name', required: true },
      { name: 'pattern', label: 'Pattern (regexp on names)', value: '.*', required: true },
      { name: 'apply-to', label: 'Apply to', type: 'select', value: 'all', options: APPLY_TO },
      { name: 'priority', label: 'Priority', type: 'number', value: '0' },
      { name: 'definition', label: 'Definition (JSON)', type: 'textarea', rows: 3, placeholder: '{"max-length": 1000, "dead-letter-exchange": "dlx"}' },
    ],
    submit: 'Save policy',
    onSubmit: async (v) => {
      const definition = parseJson(v.definition, 'definition');
      await api('PUT', `/api/policies/${enc(v.vhost)}/${enc(v.name)}`, { pattern: v.pattern, definition, priority: Number(v.priority || '0'), 'apply-to': v['apply-to'] });
      await ctx.refresh();
      return `Saved ${v.name}.`;
    },
    // Validation failures name a definition key, a bad regexp the pattern; anything else is about the definition too.
    errorField: (e) => (/pattern|regex/i.test(e.reason ?? '') ? 'pattern' : /priority/i.test(e.reason ?? '') ? 'priority' : /vhost/i.test(e.reason ?? '') ? 'vhost' : 'definition'),
  });
  root.append(h('h1', { text: 'Policies' }), section('Policies', box), section('Add or replace', add));
  return async () => {
    const ps = await api('GET', '/api/policies');
    replace(box, table({ caption: 'Policies', columns, rows: ps, rowKey: (p) => `${p.vhost}/${p.name}`, empty: 'No policies.' }));
  };
}
