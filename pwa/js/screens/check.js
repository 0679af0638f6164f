// A device check: the trace detector's daily verification (trap must
// alarm, blank must be clear, with the trap's lot) or a reader's
// functional check (the reference must read as expected).

import * as api from '../api.js';
import { openPdf } from './inspection.js';
import { verdictBadge } from './calibration.js';
import { add, busy, field, h, replace, showError, clearErrors } from '../ui.js';
import { guard, readingLine } from '../technician.js';

const SUBSTANCES = ['RDX', 'TNT', 'PETN', 'cocaine', 'heroin', 'methamphetamine'];

/** Readings that came in while a step waited and were not scored: an officer's lane swabs. */
function notScored(step) {
  if (!step.ignored_count) return null;
  const many = step.ignored_count === 1 ? '1 lane swab' : `${step.ignored_count} lane swabs`;
  return h('span', { class: 'row-sub not-scored', dataset: { count: String(step.ignored_count) } },
    `${many} came in meanwhile and ${step.ignored_count === 1 ? 'was' : 'were'} not scored (only the detector's verification result counts): `
    + step.ignored.map((i) => i.detail.split(' not scored')[0]).join(', '));
}

function setup(device, onStarted) {
  const form = h('form', { class: 'card', id: 'check-setup', novalidate: true });
  if (device.kind === 'trace') {
    add(form, h('p', { class: 'note' }, 'Run the trap and the blank in the detector\'s verification mode. The lane can keep working: '
      + 'officers\' swabs that come in meanwhile are not scored.'), h('div', { class: 'grid-2' },
      field('trap_lot', 'Verification trap lot', h('input', { name: 'trap_lot', maxlength: 100, placeholder: 'e.g. VT-2026-117' })),
      field('expected_substance', 'Substance the trap carries', h('select', { name: 'expected_substance' }, SUBSTANCES.map((s) => h('option', { value: s }, s))))));
  } else {
    const what = device.kind === 'document' ? 'Document number of the specimen' : 'Text of the reference label';
    add(form, field('expected', what, h('input', { name: 'expected', maxlength: 200 })));
  }
  add(form, h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-primary btn-big', type: 'submit', id: 'start-check' }, 'Start check'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('#start-check'), async () => {
      clearErrors(form);
      const body = { device_id: device.id };
      for (const el of form.querySelectorAll('input, select')) if (el.value.trim()) body[el.name] = el.value.trim();
      try {
        onStarted((await api.post('/checks', body)).session);
      } catch (err) {
        showError(form, err);
      }
    });
  });
  return form;
}

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const device = await api.get(`/devices/${encodeURIComponent(params.id)}`);
  const title = device.kind === 'trace' ? 'Daily verification' : 'Functional check';
  const slot = h('div', { id: 'check' });
  add(view, h('div', { class: 'page-head' }, h('h1', {}, `${title} — ${device.id}`),
    h('a', { class: 'btn btn-quiet', href: '#/devices' }, 'Back to devices')), slot);
  let timer = null;

  function draw(session, event) {
    const steps = h('ol', { class: 'list check-steps' }, session.steps.map((s, i) => h('li', { dataset: { step: s.name, state: s.state } },
      h('div', { class: 'row-text' }, h('span', { class: 'row-title' }, s.prompt),
        s.state === 'waiting' ? h('span', { class: 'row-sub scan-wait', id: 'check-waiting' }, device.kind === 'trace' ? `Waiting for ${device.id}'s verification result… run it now.` : `Waiting for ${device.id}… scan it now.`) : null,
        s.state === 'done' ? h('span', { class: 'row-sub' }, `${s.detail} · the device sent: ${readingLine(s.reading)}`) : null,
        notScored(s)),
      s.state === 'done' ? verdictBadge(s.passed)
        : i === session.current && s.state === 'pending'
          ? h('button', { class: 'btn btn-primary btn-big', type: 'button', id: 'arm-step', onclick: (e) => busy(e.currentTarget, () => arm(session)) }, 'Ready — run it') : null)));
    const what = device.kind === 'trace' ? 'VERIFICATION' : 'CHECK';
    const verdict = session.complete ? h('div', { class: `cal-verdict ${session.passed ? 'is-pass' : 'is-fail'}`, id: 'check-verdict' },
      `${what} ${session.passed ? 'PASSED' : 'FAILED'}`) : null;
    const after = !session.complete ? null : h('p', { class: 'note', id: 'check-after' }, session.passed
      ? (device.kind === 'trace' ? 'Recorded. The detector is verified for the next 24 hours.' : 'Recorded. The reader is checked.')
      : (device.kind === 'trace' ? 'Recorded as a failed verification. Officers see the detector as not verified until a verification passes.'
        : 'Recorded as a failed check. Officers see the reader as not checked until a check passes.'));
    const pdf = session.complete && event ? h('button', { class: 'btn btn-big', type: 'button', id: 'certificate-button',
      onclick: (e) => busy(e.currentTarget, () => openPdf(`/calibrations/${event.id}/certificate.pdf`, e.currentTarget)) }, 'Record (PDF)') : null;
    replace(slot, h('section', { class: 'card' }, verdict, after, steps, pdf));
  }

  async function poll(id) {
    clearTimeout(timer);
    try {
      const answer = await api.get(`/calibrations/sessions/${id}`, { background: true });
      draw(answer.session, answer.event);
      if (!answer.session.complete && answer.session.steps[answer.session.current].state === 'waiting') timer = setTimeout(() => poll(id), 500);
    } catch (err) {
      replace(slot, h('p', { class: 'banner banner-bad' }, api.describe(err)));
    }
  }

  async function arm(session) {
    try {
      await api.post(`/calibrations/sessions/${session.id}/arm`);
      await poll(session.id);
    } catch (err) {
      replace(slot, h('p', { class: 'banner banner-bad' }, api.describe(err)));
    }
  }

  replace(slot, setup(device, draw));
  return () => clearTimeout(timer);
}
