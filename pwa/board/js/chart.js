// Bar charts as inline SVG: no chart library to vet, pin and serve, and
// they scale sharply on the control room's big screens.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text = null) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

/** bars([{label, value}], {title, width, height, every}) → an <svg> with a
 *  bar per item, its value above it, and every `every`-th label below. */
export function bars(items, { title = '', width = 900, height = 260, every = 1 } = {}) {
  const top = 28;
  const bottom = 34;
  const max = Math.max(1, ...items.map((i) => i.value));
  const slot = width / Math.max(1, items.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  chart.append(svg('title', {}, title));
  chart.append(svg('line', { x1: 0, y1: height - bottom, x2: width, y2: height - bottom, class: 'axis' }));
  items.forEach((item, i) => {
    const barHeight = ((height - top - bottom) * item.value) / max;
    const x = i * slot + slot * 0.15;
    const y = height - bottom - barHeight;
    chart.append(svg('rect', { x, y, width: slot * 0.7, height: barHeight, class: 'bar', 'data-label': item.label }));
    if (item.value) chart.append(svg('text', { x: x + slot * 0.35, y: y - 6, class: 'bar-value', 'text-anchor': 'middle' }, String(item.value)));
    if (i % every === 0) chart.append(svg('text', { x: x + slot * 0.35, y: height - 10, class: 'bar-label', 'text-anchor': 'middle' }, item.label));
  });
  return chart;
}
