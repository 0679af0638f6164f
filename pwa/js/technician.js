// Who may use the technician screens (technicians and supervisors), and
// the small pieces those screens share: a device's readings in a line,
// serial settings as "9600 8N1", a dialog asking for a reason.

import * as session from './session.js';
import { h } from './ui.js';

export const TECHNICIAN_ROLES = ['technician', 'supervisor'];

export function isTechnician() {
  const s = session.current();
  return Boolean(s && !s.expired && TECHNICIAN_ROLES.includes(s.role));
}

export function isSupervisor() {
  const s = session.current();
  return Boolean(s && !s.expired && s.role === 'supervisor');
}

/** Officers and viewers get a sentence instead of the screen (the box refuses them too). */
export function guard(view) {
  if (isTechnician()) return true;
  view.replaceChildren(h('p', { class: 'banner banner-warn', id: 'not-allowed' },
    'The device screens are for technicians and supervisors.'));
  return false;
}

export function serialLine(serial) {
  if (!serial) return '';
  const flow = [serial.xonxoff ? 'XON/XOFF' : null, serial.rtscts ? 'RTS/CTS' : null].filter(Boolean).join(' ');
  return `${serial.baudrate} ${serial.bytesize}${serial.parity}${serial.stopbits}${flow ? ` ${flow}` : ''}`;
}

/** A reading's data in one line, whatever the device. */
export function readingLine(reading) {
  if (!reading) return '—';
  const d = reading.data || {};
  if (reading.kind === 'scale') return d.status !== 'ok' ? d.status : `${d.weight} ${d.unit} ${d.stable ? 'stable' : 'moving'}`;
  if (reading.kind === 'trace') {
    const v = d.verification;
    return `${d.result}${(d.substances || []).length ? ` — ${d.substances.map((s) => s.name).join(', ')}` : ''}${v ? ` · verification ${v.trap_lot} ${v.passed ? 'PASS' : 'FAIL'}` : ''}`;
  }
  if (reading.kind === 'document') return `document ${(d.mrz && d.mrz.document_number) || '?'}`;
  return String(d.text || '');
}

/** Ask for a reason (lock, unlock): resolves to the text, or null when cancelled. */
export function askReason(title, placeholder) {
  return new Promise((resolve) => {
    const input = h('input', { name: 'reason', minlength: 3, maxlength: 500, placeholder, required: true });
    const dialog = h('dialog', { class: 'card reason-dialog' },
      h('form', { method: 'dialog' },
        h('h2', {}, title),
        h('div', { class: 'field' }, h('label', { for: 'reason-input' }, 'Reason'), Object.assign(input, { id: 'reason-input' })),
        h('div', { class: 'btn-row' },
          h('button', { class: 'btn btn-primary', value: 'ok', id: 'reason-ok' }, 'Confirm'),
          h('button', { class: 'btn btn-quiet', value: 'cancel', formnovalidate: true }, 'Cancel'))));
    dialog.addEventListener('close', () => {
      const text = input.value.trim();
      dialog.remove();
      resolve(dialog.returnValue === 'ok' && text.length >= 3 ? text : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
