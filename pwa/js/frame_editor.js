// The stream driver's frame in the device form: a documented preset, or the
// frame described as a template or a pattern with its unit codes — with the
// device's own bytes beside it (the raw console's /console socket), so the
// technician compares the description with what the indicator really sends.
// "Test connection" then says whether the frames match (docs/protocols.md §8).

import * as session from './session.js';
import { field, h } from './ui.js';

const PRESETS = [['', 'None — describe the frame'], ['rice-lake', 'Rice Lake (RLWS)'], ['cardinal', 'Cardinal (CR … ETX)'],
  ['cardinal-sb400', 'Cardinal SB-400 scoreboard']];
const UNITS = ['', 'kg', 'lb', 'g', 't', 'oz'];
const MAX_CHUNKS = 12;

function choice(name, options, selected) {
  return h('select', { name }, options.map(([value, text]) => h('option', { value, selected: value === (selected ?? '') }, text)));
}

/** `K=kg L=lb` ⇄ {K: 'kg', L: 'lb'} */
const unitsText = (units) => Object.entries(units || {}).map(([code, unit]) => `${code}=${unit}`).join(' ');
function unitsTable(text) {
  const pairs = text.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('='));
  return pairs.length ? Object.fromEntries(pairs.map(([code, unit]) => [code, unit ?? ''])) : null;
}

/** The frame fields, their value as the API's `frame` table, and the live bytes of device `deviceId` (if saved). */
export function frameEditor(frame, deviceId) {
  const f = frame || {};
  const preset = choice('frame.preset', PRESETS, f.preset);
  const template = h('input', { name: 'frame.template', value: f.template || '', spellcheck: 'false', autocomplete: 'off',
    placeholder: '<STX>{sign:1}{weight:7}{unit:1}{mode:1}{status:1}' });
  const pattern = h('input', { name: 'frame.pattern', value: f.pattern || '', spellcheck: 'false', autocomplete: 'off',
    placeholder: '(?<weight>[0-9. ]+)(?<unit>kg|lb)' });
  const end = choice('frame.end', [['line', 'CR / LF'], ['etx', 'ETX']], f.end || 'line');
  const unit = choice('frame.unit', UNITS.map((u) => [u, u || 'from the frame']), f.unit);
  const units = h('input', { name: 'frame.units', value: unitsText(f.units), spellcheck: 'false', placeholder: 'K=kg L=lb' });
  const decimals = h('input', { name: 'frame.decimals', type: 'number', min: 0, max: 6, value: f.decimals ?? '' });
  const described = h('div', { class: 'frame-described' },
    field('frame.template', 'Template', template, { hint: 'Fields {weight} {sign} {unit} {mode} {status} {tare}, width as {weight:7}; control characters as <STX> <ETX> <CR> <SP>.' }),
    field('frame.pattern', 'or a regular expression', pattern, { hint: 'The same fields as named groups; the whole frame must match.' }),
    h('div', { class: 'grid-3' }, field('frame.end', 'Frame ends with', end), field('frame.unit', 'Unit', unit),
      field('frame.decimals', 'Implied decimals', decimals)),
    field('frame.units', 'Unit codes', units, { hint: 'code=unit pairs, e.g. K=kg L=lb; empty: kg lb g t oz and K L G O.' }));
  const bytes = h('ol', { class: 'console-log frame-bytes', id: 'frame-bytes', 'aria-live': 'off' });
  const element = h('fieldset', { class: 'field frame-editor', id: 'frame-editor', dataset: { field: 'frame' } },
    h('legend', {}, 'Frame the indicator streams'),
    field('frame.preset', 'Preset', preset), described,
    deviceId ? [h('p', { class: 'note' }, `What ${deviceId} sends now (raw console):`), bytes]
      : h('p', { class: 'note' }, 'Save the device to see its own bytes here while you describe its frame.'),
    h('p', { class: 'field-error', role: 'alert' }));
  const drawPreset = () => { described.hidden = Boolean(preset.value); };
  preset.addEventListener('change', drawPreset);
  drawPreset();

  let socket = null;
  function watch() {
    if (!deviceId || socket) return;
    socket = window.io('/console', { auth: { token: session.token() }, transports: ['websocket', 'polling'], tryAllTransports: true });
    socket.on('connect', () => socket.emit('watch', { device_id: deviceId }));
    socket.on('traffic', (chunk) => {
      if (chunk.device_id !== deviceId || chunk.dir !== 'in') return;
      bytes.append(h('li', { class: 'dir-in' }, h('span', { class: 'ts' }, chunk.ts.slice(11, 23)), h('span', { class: 'text' }, chunk.text)));
      while (bytes.childElementCount > MAX_CHUNKS) bytes.firstElementChild.remove();
    });
  }
  function close() {
    if (socket) socket.disconnect();
    socket = null;
  }

  function value() {
    if (preset.value) return { preset: preset.value };
    const table = {};
    if (template.value.trim()) table.template = template.value;
    if (pattern.value.trim()) table.pattern = pattern.value;
    if (end.value !== 'line') table.end = end.value;
    if (unit.value) table.unit = unit.value;
    const codes = unitsTable(units.value);
    if (codes) table.units = codes;
    if (decimals.value !== '') table.decimals = Number(decimals.value);
    return table;
  }

  /** Shown only for the stream driver; its bytes are watched only while shown. */
  function show(visible) {
    element.hidden = !visible;
    if (visible) watch(); else close();
  }
  return { element, value, show, close };
}
