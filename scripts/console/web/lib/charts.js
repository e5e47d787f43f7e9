/**
 * Small charts as inline SVG, built node by node like the rest of the page (no markup is
 * parsed) and coloured by class from styles.css (the CSP allows no inline style). Every bar
 * has a <title>, so a reader hovering it sees its label and value.
 */
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children (nodes or text). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Columns over `labels` (days, say), the series side by side in each slot; `format` writes
 * a value for the axis and the titles.
 *
 * @example
 * columnChart({ label: 'Messages per day', labels: days,
 *   series: [{ name: 'in', cls: 'in', values: [3, 0, 5] }] })
 */
export function columnChart({ label, labels, series, format = String }) {
  const width = 640;
  const height = 180;
  const left = 44;
  const bottom = 22;
  const plotW = width - left - 4;
  const plotH = height - bottom - 8;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const slot = plotW / Math.max(1, labels.length);
  const barW = (slot * 0.8) / series.length;
  const y = (v) => 8 + plotH - (v / max) * plotH;

  const bars = labels.flatMap((name, i) =>
    series.map((s, j) => {
      const value = s.values[i];
      const top = y(value ?? 0);
      return svg(
        'rect',
        {
          class: `bar ${s.cls}`,
          x: (left + i * slot + slot * 0.1 + j * barW).toFixed(1),
          y: top.toFixed(1),
          width: Math.max(1, barW - 1).toFixed(1),
          height: (8 + plotH - top).toFixed(1),
          'data-label': name,
          'data-series': s.name,
          'data-value': value ?? '',
        },
        svg('title', {}, `${name}, ${s.name}: ${value === null ? 'none' : format(value)}`),
      );
    }),
  );
  const ticks = [0, max / 2, max].map((v) => [
    svg('line', { class: 'grid', x1: left, x2: width - 4, y1: y(v), y2: y(v) }),
    svg('text', { class: 'axis', x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, format(v)),
  ]);
  const marks = [0, Math.floor((labels.length - 1) / 2), labels.length - 1]
    .filter((i, k, all) => i >= 0 && all.indexOf(i) === k)
    .map((i) =>
      svg(
        'text',
        { class: 'axis', x: left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle' },
        labels[i],
      ),
    );
  return h(
    'figure',
    { class: 'chart' },
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
      ticks,
      bars,
      marks,
    ),
    legend(series),
  );
}

/** One horizontal bar per item, longest first as given, its value written beside it. */
export function barList({ label, items }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 26;
  const width = 640;
  const left = 150;
  const rows = items.map((item, i) =>
    svg(
      'g',
      { 'data-label': item.name, 'data-value': item.value },
      svg(
        'text',
        { class: 'axis', x: left - 8, y: i * rowH + 17, 'text-anchor': 'end' },
        item.name,
      ),
      svg(
        'rect',
        {
          class: `bar ${item.cls ?? ''}`,
          x: left,
          y: i * rowH + 4,
          width: Math.max(1, ((width - left - 60) * item.value) / max).toFixed(1),
          height: rowH - 8,
        },
        svg('title', {}, `${item.name}: ${item.value}`),
      ),
      svg(
        'text',
        {
          class: 'value',
          x: left + ((width - left - 60) * item.value) / max + 6,
          y: i * rowH + 17,
        },
        item.value,
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart' },
    svg(
      'svg',
      {
        viewBox: `0 0 ${width} ${Math.max(1, items.length) * rowH}`,
        role: 'img',
        'aria-label': label,
      },
      rows,
    ),
  );
}

function legend(series) {
  if (series.length < 2) return null;
  return h(
    'figcaption',
    { class: 'legend' },
    series.map((s) => h('span', { class: `key ${s.cls}` }, s.name)),
  );
}
