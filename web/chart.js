// A line chart in inline SVG: one polyline per series over the samples the page has taken (one per refresh).
import { h, rate, s } from './dom.js';

const W = 1000;
const H = 230;
const MIN_SPAN_MS = 60_000;
const PAD = { left: 56, right: 8, top: 10, bottom: 22 };

/** A "nice" upper bound for the y axis: 1, 2 or 5 times a power of ten, at least max. */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? max;
}

/**
 * samples: [{ t (ms), values: { key: number } }], series: [{ key, label, cls }]. The SVG is an image with a text
 * alternative; the legend below it gives every series' current value as text.
 */
export function lineChart({ title, samples, series, windowMs }) {
  const last = samples[samples.length - 1];
  const end = last?.t ?? 0;
  const first = samples.find((p) => p.t >= end - windowMs)?.t ?? end;
  // The x axis spans the samples taken (at least a minute, at most windowMs), so a young page's chart is not a sliver.
  const span = Math.min(windowMs, Math.max(MIN_SPAN_MS, end - first));
  const start = end - span;
  const shown = samples.filter((p) => p.t >= start);
  const top = niceMax(Math.max(0, ...shown.flatMap((p) => series.map((x) => p.values[x.key] ?? 0))));
  const x = (t) => PAD.left + ((t - start) / span) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const summary = series.map((x2) => `${x2.label} ${rate(last?.values[x2.key])}`).join(', ');
  const grid = [0, 0.5, 1].map((f) => [
    s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(top * f), y2: y(top * f), class: 'grid' }),
    s('text', { x: PAD.left - 6, y: y(top * f) + 4, class: 'tick', 'text-anchor': 'end', text: rate(top * f) }),
  ]);
  const lines = shown.length < 2 ? [] : series.map((x2) =>
    s('polyline', { class: `line ${x2.cls}`, points: shown.map((p) => `${x(p.t).toFixed(1)},${y(p.values[x2.key] ?? 0).toFixed(1)}`).join(' '), 'data-series': x2.key }));
  const axis = s('text', { x: W - PAD.right, y: H - 6, class: 'tick', 'text-anchor': 'end', text: span >= 120_000 ? `last ${Math.round(span / 60000)} min` : `last ${Math.round(span / 1000)} s` });
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${summary || 'no data yet'}`, class: 'chart' },
    grid, lines, axis, shown.length < 2 ? s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'tick', text: 'collecting samples…' }) : null);
  const legend = h('ul', { class: 'legend' }, series.map((x2) =>
    h('li', { 'data-series': x2.key }, h('span', { class: `swatch ${x2.cls}`, 'aria-hidden': 'true' }), `${x2.label}: `, h('strong', { text: rate(last?.values[x2.key]) }))));
  return h('figure', { class: 'chart-box' }, svg, legend);
}
