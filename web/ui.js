// The dashboard's few building blocks: sections, stat cards, sortable tables, forms that show the API's error next to
// the field it is about, and buttons for destructive actions.
import { ApiError } from './api.js';
import { h, replace, uid } from './dom.js';

export function section(title, ...children) {
  const id = uid('section');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id, text: title }), ...children);
}

/** A live region: its content is replaced on every refresh (not announced: it changes every few seconds). */
export function liveBox(cls = 'live') {
  return h('div', { class: cls });
}

export function cards(items) {
  return h('dl', { class: 'cards' }, items.map(([label, value, testId]) => h('div', { class: 'card', 'data-testid': testId }, h('dt', { text: label }), h('dd', { text: value }))));
}

export function link(href, text) {
  return h('a', { href, text });
}

/** Key/value rows for one object. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
}

/**
 * A table of rows. columns: { key, label, render(row) -> node|string, sort(row) -> number|string (sortable when given),
 * numeric }. state: { key, dir } kept by the caller across refreshes; onSort(key) re-renders.
 */
export function table({ caption, columns, rows, state, onSort, empty = 'None.', rowKey }) {
  let sorted = rows;
  const col = columns.find((c) => c.key === state?.key && c.sort !== undefined);
  if (col !== undefined) {
    const dir = state.dir === 'desc' ? -1 : 1;
    sorted = [...rows].sort((a, b) => {
      const x = col.sort(a);
      const y = col.sort(b);
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    });
  }
  const head = columns.map((c) => {
    const active = col !== undefined && c.key === col.key;
    const ariaSort = active ? (state.dir === 'desc' ? 'descending' : 'ascending') : c.sort !== undefined ? 'none' : undefined;
    const label = c.sort !== undefined && onSort !== undefined
      ? h('button', { type: 'button', class: 'sort', 'data-key': `sort-${c.key}`, onclick: () => onSort(c.key) }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true', text: active ? (state.dir === 'desc' ? ' ▼' : ' ▲') : '' }))
      : c.label;
    return h('th', { scope: 'col', 'aria-sort': ariaSort, class: c.numeric ? 'num' : undefined }, label);
  });
  const body = sorted.length === 0
    ? [h('tr', {}, h('td', { colspan: columns.length, class: 'empty', text: empty }))]
    : sorted.map((r) => h('tr', { 'data-row': rowKey?.(r) }, columns.map((c) => h('td', { 'data-label': c.label, class: c.numeric ? 'num' : undefined }, c.render(r)))));
  return h('table', { class: 'data' }, caption ? h('caption', { text: caption }) : null, h('thead', {}, h('tr', {}, head)), h('tbody', {}, body));
}

/** Next sort state after a click on key: ascending first, then descending. */
export function nextSort(state, key) {
  return state.key === key ? { key, dir: state.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

function control(f, id, errId) {
  const common = { id, name: f.name, 'aria-describedby': f.hint ? `${errId} ${id}-hint` : errId, required: f.required, 'data-key': `field-${f.name}` };
  if (f.type === 'textarea') return h('textarea', { ...common, rows: f.rows ?? 4, placeholder: f.placeholder, spellcheck: 'false' }, f.value ?? '');
  if (f.type === 'select') return h('select', common, f.options.map((o) => h('option', { value: o.value ?? o, selected: (o.value ?? o) === f.value, text: o.label ?? o })));
  if (f.type === 'checkbox') return h('input', { ...common, type: 'checkbox', checked: f.value === true });
  return h('input', { ...common, type: f.type ?? 'text', value: f.value, placeholder: f.placeholder, min: f.min, autocomplete: f.autocomplete ?? 'off' });
}

/**
 * A form. fields: { name, label, type, value, options, required, placeholder, hint }. onSubmit(values) runs the API call
 * and returns a success message; an ApiError's reason shows next to the field it names (errorField(err) or the first
 * field whose name the reason mentions), otherwise next to the button. Nothing else changes on failure.
 */
export function form({ title, fields, submit, onSubmit, errorField, cls }) {
  const status = h('p', { class: 'form-status', role: 'status' });
  const parts = fields.map((f) => {
    const id = uid(`f-${f.name}`);
    const errId = `${id}-error`;
    const input = control(f, id, errId);
    const err = h('p', { class: 'field-error', id: errId, hidden: true });
    const hint = f.hint ? h('p', { class: 'hint', id: `${id}-hint`, text: f.hint }) : null;
    const label = h('label', { for: id, text: f.label });
    const wrap = f.type === 'checkbox' ? h('div', { class: 'field check' }, input, label, err) : h('div', { class: 'field' }, label, input, hint, err);
    return { f, input, err, wrap };
  });
  const button = h('button', { type: 'submit', text: submit });
  const clear = () => {
    for (const p of parts) {
      p.err.hidden = true;
      p.err.textContent = '';
      p.input.removeAttribute('aria-invalid');
    }
    status.textContent = '';
    status.classList.remove('error');
  };
  const el = h('form', { class: `form ${cls ?? ''}`, novalidate: true, 'aria-label': title },
    h('fieldset', {}, h('legend', { text: title }), parts.map((p) => p.wrap), h('div', { class: 'actions' }, button, status)));
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    const values = Object.fromEntries(parts.map((p) => [p.f.name, p.f.type === 'checkbox' ? p.input.checked : p.input.value]));
    button.disabled = true;
    try {
      const message = await onSubmit(values);
      status.textContent = message ?? 'Done.';
    } catch (e) {
      const reason = e instanceof ApiError ? e.reason : e instanceof Error ? e.message : String(e);
      const name = errorField?.(e) ?? parts.find((p) => reason.toLowerCase().includes(p.f.name.toLowerCase()))?.f.name;
      const target = parts.find((p) => p.f.name === name);
      if (target !== undefined) {
        target.err.textContent = reason;
        target.err.hidden = false;
        target.err.setAttribute('role', 'alert');
        target.input.setAttribute('aria-invalid', 'true');
        target.input.focus();
      } else {
        status.textContent = reason;
        status.classList.add('error');
      }
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/** A button that asks first (window.confirm), then runs action; its error or result shows beside it. */
export function dangerButton(label, question, action, key) {
  const out = h('span', { class: 'form-status', role: 'status' });
  const b = h('button', { type: 'button', class: 'danger', 'data-key': key, text: label, onclick: async () => {
    if (!window.confirm(question)) return;
    out.textContent = '';
    b.disabled = true;
    try {
      out.textContent = (await action()) ?? '';
    } catch (e) {
      out.textContent = e instanceof Error ? e.message : String(e);
      out.classList.add('error');
    } finally {
      b.disabled = false;
    }
  } });
  return h('span', { class: 'danger-wrap' }, b, out);
}

/** Parses a JSON field (headers, arguments, definition); a syntax error names the field. */
export function parseJson(text, what) {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'bad_request', `${what}: not valid JSON`);
  }
}

export { replace };
