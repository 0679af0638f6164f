// A device's calibrations and checks, newest first, each with its certificate.

import * as api from '../api.js';
import * as fmt from '../format.js';
import { openPdf } from './inspection.js';
import { calibrationBadge } from './devices.js';
import { verdictBadge } from './calibration.js';
import { add, busy, h } from '../ui.js';
import { guard } from '../technician.js';

const KIND_WORDS = { 'scale-r76': 'Calibration (OIML R 76-1)', 'etd-daily': 'Daily verification', 'reader-functional': 'Functional check' };
const FAILED_WORDS = { 'scale-r76': 'failed calibration', 'etd-daily': 'failed verification', 'reader-functional': 'failed check' };

/** A record's line: who, with what, and until when it holds — a failed one holds for nothing. */
function recordLine(entry) {
  const until = !entry.passed ? FAILED_WORDS[entry.kind] || 'failed'
    : entry.due_at ? `valid until ${fmt.dateTime(entry.due_at)}` : null;
  return [`by ${entry.by || '?'}`, checkLine(entry.params), until].filter(Boolean).join(' · ');
}

/** What a check was run with: the trap's lot and substance, or the reference a reader had to read. */
function checkLine(params) {
  if (!params) return null;
  if (params.trap_lot) return `trap lot ${params.trap_lot} (${params.expected_substance})`;
  return params.expected ? `reference ${params.expected}` : null;
}

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const { device_id: id, calibration, history } = await api.get(`/devices/${encodeURIComponent(params.id)}/calibrations`);
  const kind = await api.get(`/devices/${encodeURIComponent(params.id)}`).then((d) => d.kind, () => null); // a removed device has none
  add(view,
    h('div', { class: 'page-head' }, h('h1', {}, `History — ${id}`), calibration ? calibrationBadge(calibration, kind) : null,
      h('a', { class: 'btn btn-quiet', href: '#/devices' }, 'Back to devices')),
    h('section', { class: 'card' }, history.length ? h('ul', { class: 'list', id: 'history' }, history.map((entry) =>
      h('li', { dataset: { event: entry.event_id } },
        h('div', { class: 'row-text' }, h('span', { class: 'row-title' }, `${KIND_WORDS[entry.kind] || fmt.label(entry.kind)} · ${fmt.dateTime(entry.at)}`),
          h('span', { class: 'row-sub' }, recordLine(entry))),
        verdictBadge(entry.passed),
        entry.certificate === false ? h('span', { class: 'muted' }, 'no certificate on this lane')
          : h('button', { class: 'btn', type: 'button', onclick: (e) => busy(e.currentTarget, () => openPdf(`/calibrations/${entry.event_id}/certificate.pdf`, e.currentTarget)) }, 'Certificate')))) :
      h('p', { class: 'empty' }, 'No calibration or check recorded yet.')));
  return undefined;
}
