// A device's raw console: every frame in and out, as text and hex, with the
// time and, where the protocol's reply means something, what it means; a
// filter; a raw command where the protocol has commands; a driver restart.

import * as api from '../api.js';
import * as session from '../session.js';
import { add, busy, h, showError, clearErrors, toast } from '../ui.js';
import { guard } from '../technician.js';

const MAX_LINES = 400;

// What the devices' replies mean (docs/protocols.md), in the words of their manuals.
const MT_SICS_ERRORS = {
  ES: 'ES — command not understood (the scale does not know it, or it is misspelt)',
  ET: 'ET — transmission error: the scale got garbled bytes (check baud rate, parity, cable)',
  EL: 'EL — logical error: the scale understood but cannot do it (wrong parameter or state)',
};
const MT_SICS_STATUS = {
  A: 'done', B: 'done so far: more lines follow', I: 'cannot do it now (busy, not stable in time, or aborted)',
  L: 'not allowed (a wrong parameter, or no internal weight)', '+': 'overload: above the scale\'s range',
  '-': 'underload: below the scale\'s range',
};
const SMA_STATUS = { Z: 'centre of zero', O: 'over capacity', U: 'under capacity', E: 'zero error', I: 'initial-zero error', T: 'tare error' };
const SMA_DIAGNOSTIC = { R: 'RAM/ROM error', E: 'EEPROM error', C: 'calibration error', M: 'other error' };
const ETD_STATES = { READY: 'ready', BUSY: 'analysing', WARMUP: 'warming up', CAL_REQUIRED: 'asks for calibration', FAULT: 'reports a FAULT' };
const MODBUS_EXCEPTIONS = { 1: 'illegal function', 2: 'illegal data address (no such register)', 3: 'illegal data value', 4: 'device failure' };

function mtSics(text) {
  const line = text.trim();
  if (MT_SICS_ERRORS[line]) return { note: MT_SICS_ERRORS[line], bad: true };
  const [id, status] = line.split(/\s+/);
  if (id === 'S' && status === 'S') return { note: 'stable weight' };
  if (id === 'S' && status === 'D') return { note: 'dynamic: the weight is still moving' };
  if (id === 'S' && status === 'I') return { note: 'S I — no stable weight: unstable (dynamic) or busy', bad: true };
  if (status in MT_SICS_STATUS) return { note: `${id} ${status} — ${MT_SICS_STATUS[status]}`, bad: !['A', 'B'].includes(status) };
  return null;
}

function sma(line) {
  if (line === '?') return { note: '? — the scale does not know this command', bad: true };
  if (line === '!') return { note: '! — the command arrived garbled (parity or framing error)', bad: true };
  if (/^[RECM ]{4}$/.test(line)) {
    const faults = [...line].filter((c) => c !== ' ').map((c) => SMA_DIAGNOSTIC[c]);
    return faults.length ? { note: `diagnostic: ${faults.join(', ')}`, bad: true } : { note: 'diagnostic: no error' };
  }
  const frame = /^([ZOUEIT ])([0-9])([GTNgtn])([M ])/.exec(line);
  if (!frame) return null;
  const words = [SMA_STATUS[frame[1]], frame[4] === 'M' ? 'in motion' : 'stable', { G: 'gross', T: 'tare', N: 'net' }[frame[3].toUpperCase()]];
  return { note: words.filter(Boolean).join(', '), bad: 'OUEIT'.includes(frame[1]) };
}

function etd(text) {
  const [head, first, second] = text.trim().split(/\s+/);
  if (head === 'ERR') return { note: 'ERR — the detector does not know this command', bad: true };
  if (head === 'STA') return { note: `the detector ${ETD_STATES[first] || first}`, bad: first === 'FAULT' || first === 'CAL_REQUIRED' };
  if (head === 'VER') return { note: `verification result (daily check) of lot ${first}: ${second}`, bad: second === 'FAIL' };
  if (head === 'RES') return { note: `a swab's result (sample ${first}): ${second}`, bad: second === 'FAULT' };
  return null;
}

function modbus(hex, device) {
  const bytes = hex.split(' ').map((b) => parseInt(b, 16));
  const at = device.registers && device.registers.framing === 'tcp' ? 7 : 1;
  if (bytes.length <= at + 1 || !(bytes[at] & 0x80)) return null;
  const code = bytes[at + 1];
  return { note: `exception ${code} to function ${bytes[at] & 0x7f}: ${MODBUS_EXCEPTIONS[code] || 'a code of the terminal\'s own'}`, bad: true };
}

const EXPLAIN = {
  'mt-sics': (frame) => mtSics(bare(frame.text)),
  sma: (frame) => sma(bare(frame.text)),
  'etd-ascii': (frame) => etd(bare(frame.text)),
  modbus: (frame, device) => modbus(frame.hex, device),
  'laumas-modbus': (frame, device) => modbus(frame.hex, device),
};

/** A frame's text without the line ends around it (the console names them <CR>, <LF>). */
function bare(text) {
  return text.replace(/^(<CR>|<LF>)+|(<CR>|<LF>)+$/g, '');
}

/** What a frame coming in means, where the protocol says: {note, bad} or null. */
export function explain(frame, device) {
  const reader = frame.dir === 'in' ? EXPLAIN[device.driver] : null;
  return reader ? reader(frame, device) : null;
}

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const id = params.id;
  const device = await api.get(`/devices/${encodeURIComponent(id)}`);
  const log = h('ol', { class: 'console-log', id: 'console-log', 'aria-live': 'off' });
  const showHex = h('input', { type: 'checkbox', id: 'show-hex' });
  const paused = h('input', { type: 'checkbox', id: 'pause' });
  const filter = h('input', { type: 'search', id: 'console-filter', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. ES, S D, I3' });
  const direction = h('select', { id: 'console-direction' },
    h('option', { value: '' }, 'In and out'), h('option', { value: 'in' }, 'Only from the device'), h('option', { value: 'out' }, 'Only to the device'),
    h('option', { value: 'notes' }, 'Only replies that report a problem'));
  const hiddenCount = h('span', { class: 'muted', id: 'console-hidden', 'aria-live': 'polite' });
  const shows = (li) => {
    const words = filter.value.trim().toLowerCase();
    const want = direction.value;
    return (!words || li.dataset.search.includes(words))
      && (!want || (want === 'notes' ? li.classList.contains('is-bad') : li.dataset.dir === want));
  };
  function refilter() {
    let hidden = 0;
    for (const li of log.children) {
      li.hidden = !shows(li);
      hidden += li.hidden ? 1 : 0;
    }
    hiddenCount.textContent = hidden ? `${hidden} of ${log.childElementCount} frames hidden by the filter` : '';
  }
  filter.addEventListener('input', refilter);
  direction.addEventListener('change', refilter);
  const state = h('span', { class: 'badge badge-grey', id: 'console-state' }, 'connecting…');
  const form = h('form', { class: 'console-command', id: 'command-form', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'command' } },
      h('label', { for: 'command-input' }, `Command (${device.driver})`),
      h('div', { class: 'inline-input' }, h('input', { id: 'command-input', name: 'command', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'e.g. I2, SI, Z' }),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Send')),
      h('p', { class: 'field-error', role: 'alert' })),
    h('p', { class: 'reply', id: 'command-reply' }));

  add(view,
    h('div', { class: 'page-head' }, h('h1', {}, `Console — ${id}`), state,
      h('a', { class: 'btn btn-quiet', href: '#/devices' }, 'Back to devices')),
    h('section', { class: 'card', 'aria-label': 'Traffic' },
      h('div', { class: 'console-filters' },
        h('div', { class: 'field' }, h('label', { for: 'console-filter' }, 'Show frames containing'), filter),
        h('div', { class: 'field' }, h('label', { for: 'console-direction' }, 'Which frames'), direction)),
      hiddenCount,
      h('div', { class: 'btn-row' },
        h('label', { class: 'check-row' }, showHex, 'Show hex'),
        h('label', { class: 'check-row' }, paused, 'Pause'),
        h('button', { class: 'btn', type: 'button', onclick: () => { log.replaceChildren(); refilter(); } }, 'Clear'),
        h('button', { class: 'btn btn-warn', type: 'button', id: 'restart-driver', onclick: (e) => busy(e.currentTarget, restart) }, 'Restart driver')),
      log),
    device.commands ? h('section', { class: 'card' }, form) : h('p', { class: 'note' }, `${device.driver} takes no commands: the console only listens.`));

  showHex.addEventListener('change', () => log.classList.toggle('with-hex', showHex.checked));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), async () => {
      clearErrors(form);
      const command = form.elements.command.value.trim();
      if (!command) return;
      try {
        const answer = await api.post(`/devices/${encodeURIComponent(id)}/command`, { command });
        form.querySelector('#command-reply').textContent = `→ ${answer.reply}`;
      } catch (err) {
        showError(form, err, 'command');
      }
    });
  });

  async function restart() {
    try {
      await api.post(`/devices/${encodeURIComponent(id)}/restart`);
      toast(`${id}: driver restarted`);
    } catch (err) {
      toast(api.describe(err), { bad: true });
    }
  }

  const socket = window.io('/console', { auth: { token: session.token() }, transports: ['websocket', 'polling'], tryAllTransports: true });
  socket.on('connect', () => socket.emit('watch', { device_id: id }, (answer) => {
    state.textContent = answer && answer.ok ? 'WATCHING' : 'NOT WATCHING';
    state.className = `badge ${answer && answer.ok ? 'badge-ok' : 'badge-bad'}`;
  }));
  socket.on('connect_error', (err) => { state.textContent = `NO LINK (${err.message})`; state.className = 'badge badge-bad'; });
  socket.on('traffic', (frame) => {
    if (paused.checked || frame.device_id !== id) return;
    const meaning = explain(frame, device);
    const li = h('li', { class: `dir-${frame.dir}${meaning && meaning.bad ? ' is-bad' : ''}`, dataset: { dir: frame.dir } },
      h('span', { class: 'ts' }, frame.ts.slice(11, 23)),
      h('span', { class: 'dir' }, frame.dir === 'in' ? '◀ in' : '▶ out'),
      h('span', { class: 'frame' }, h('span', { class: 'text' }, frame.text), meaning ? h('span', { class: 'note' }, meaning.note) : null),
      h('span', { class: 'hex' }, frame.hex));
    li.dataset.search = `${frame.text} ${meaning ? meaning.note : ''}`.toLowerCase();
    li.hidden = !shows(li);
    log.append(li);
    while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
    if (!li.hidden) log.scrollTop = log.scrollHeight;
  });
  return () => socket.disconnect();
}
