// A device's raw console: every byte in and out, as text and hex, with the
// time; a raw command where the protocol has commands; a driver restart.

import * as api from '../api.js';
import * as session from '../session.js';
import { add, busy, h, showError, clearErrors, toast } from '../ui.js';
import { guard } from '../technician.js';

const MAX_LINES = 400;

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const id = params.id;
  const device = await api.get(`/devices/${encodeURIComponent(id)}`);
  const log = h('ol', { class: 'console-log', id: 'console-log', 'aria-live': 'off' });
  const showHex = h('input', { type: 'checkbox', id: 'show-hex' });
  const paused = h('input', { type: 'checkbox', id: 'pause' });
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
    h('section', { class: 'card' },
      h('div', { class: 'btn-row' },
        h('label', { class: 'check-row' }, showHex, 'Show hex'),
        h('label', { class: 'check-row' }, paused, 'Pause'),
        h('button', { class: 'btn', type: 'button', onclick: () => log.replaceChildren() }, 'Clear'),
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
  socket.on('traffic', (chunk) => {
    if (paused.checked || chunk.device_id !== id) return;
    log.append(h('li', { class: `dir-${chunk.dir}` },
      h('span', { class: 'ts' }, chunk.ts.slice(11, 23)),
      h('span', { class: 'dir' }, chunk.dir === 'in' ? '◀ in' : '▶ out'),
      h('span', { class: 'text' }, chunk.text),
      h('span', { class: 'hex' }, chunk.hex)));
    while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  });
  return () => socket.disconnect();
}
