// Building elements without innerHTML: every name and payload the API returns ends up as text, never as markup.

/**
 * h('button', { class: 'x', onclick: fn, 'aria-label': 'Close' }, 'text', child, [more]) -> HTMLElement.
 * Attributes: `text` sets textContent; on* with a function adds a listener; true/false toggle boolean attributes;
 * null/undefined are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) el.value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces el's children, keeping the keyboard focus: an element with data-key that had focus gets it back in the new
 * content (the live refresh re-renders tables every few seconds under the user's cursor).
 */
export function replace(el, ...children) {
  const active = document.activeElement;
  const key = active instanceof Element && el.contains(active) ? active.getAttribute('data-key') : null;
  el.replaceChildren();
  append(el, children);
  if (key !== null) {
    const again = [...el.querySelectorAll('[data-key]')].find((n) => n.getAttribute('data-key') === key);
    if (again instanceof HTMLElement) again.focus();
  }
}

let ids = 0;
/** A unique element id, for label/for and aria-describedby. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

// --- formatting -------------------------------------------------------------------------------------------------

export function num(n) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

export function rate(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  return `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2)}/s`;
}

export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  const sec = Math.floor(ms / 1000);
  const d = Math.floor(sec / 86400);
  const hr = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d}d ${hr}h` : hr > 0 ? `${hr}h ${m}m` : m > 0 ? `${m}m ${sec % 60}s` : `${sec}s`;
}

/** The rate in a RabbitMQ `*_details` object, or undefined. */
export function rateOf(stats, key) {
  const d = stats?.[`${key}_details`];
  return typeof d?.rate === 'number' ? d.rate : undefined;
}

export function json(v) {
  return v === undefined ? '' : JSON.stringify(v);
}
