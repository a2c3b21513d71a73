// Definitions: export the broker's topology, users and policies as RabbitMQ's JSON (shown as counts and offered as a
// download), and import such a document (pasted or picked as a file). Administrators only, as the API.
import { api, ApiError } from '../api.js';
import { h, num, replace, uid } from '../dom.js';
import { form, section } from '../ui.js';

export const title = () => 'Definitions';

const KINDS = ['vhosts', 'users', 'permissions', 'queues', 'exchanges', 'bindings', 'policies', 'parameters'];

export function mount(root, ctx) {
  const result = h('div', { 'aria-live': 'polite' });
  let url;
  const exportForm = form({
    title: 'Export',
    fields: [],
    submit: 'Export definitions',
    onSubmit: async () => {
      const doc = await api('GET', '/api/definitions');
      if (url !== undefined) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      replace(result,
        h('ul', { class: 'legend' }, KINDS.filter((k) => Array.isArray(doc[k])).map((k) => h('li', { 'data-kind': k }, `${k}: `, h('strong', { text: num(doc[k].length) })))),
        h('p', {}, h('a', { href: url, download: `warren-definitions-${stamp}.json`, text: 'Download the JSON' })));
      return 'Exported.';
    },
  });
  const fileId = uid('file');
  const file = h('input', { id: fileId, type: 'file', accept: 'application/json,.json' });
  const importForm = form({
    title: 'Import',
    fields: [{ name: 'document', label: 'Definitions (JSON)', type: 'textarea', rows: 8, placeholder: '{"queues": [...], "exchanges": [...]}',
      hint: 'Paste a document, or pick a file below. Objects that exist are updated; nothing is deleted.' }],
    submit: 'Import definitions',
    onSubmit: async (v) => {
      const text = v.document.trim();
      if (text === '') throw new ApiError(400, 'bad_request', 'document: paste a definitions document or pick a file');
      await api('POST', '/api/definitions', text);
      await ctx.refresh();
      return 'Imported.';
    },
    errorField: () => 'document',
  });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f !== undefined) importForm.querySelector('textarea').value = await f.text();
  });
  root.append(h('h1', { text: 'Definitions' }),
    h('div', { class: 'grid2' },
      section('Export', exportForm, result),
      section('Import', importForm, h('div', { class: 'field' }, h('label', { for: fileId, text: 'Or load a file into the box' }), file))));
  return async () => undefined;
}
