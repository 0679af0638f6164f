// The scale calibration wizard (OIML R 76-1): the instrument, the reference
// weights and how the indication is read, an optional adjustment, then each
// point — the box reads a stable weight from the scale. A weighbridge shows
// whole e, so its error before rounding is found by changeover points (the
// wizard asks for one small weight at a time and the box reads the scale
// after each, until it shows I + e) or read on an extended display of e/5
// or finer (service mode); each point is judged against its MPE. What the
// scale shows now (weight, STABLE or MOVING) stays on screen throughout,
// and an eccentricity point shows on which zone of the platform the load goes.

import * as api from '../api.js';
import * as fmt from '../format.js';
import * as live from '../live.js';
import { openPdf } from './inspection.js';
import { add, badge, busy, field, h, replace, showError, clearErrors } from '../ui.js';
import { guard } from '../technician.js';

const STEP_NAMES = { zero: 'Zero', eccentricity: 'Eccentricity', repeatability: 'Repeatability', weighing: 'Weighing' };

export function verdictBadge(passed) {
  if (passed === null || passed === undefined) return badge('—', 'grey');
  return passed ? badge('PASS', 'ok') : badge('FAIL', 'bad');
}

function weightRow(n) {
  return h('div', { class: 'weight-row grid-4', dataset: { field: `weights.${n}` } },
    h('input', { name: 'w_id', placeholder: 'weight id', 'aria-label': 'weight id', value: `W-${n + 1}` }),
    h('input', { name: 'w_nominal', type: 'number', min: 0, step: 'any', placeholder: 'nominal', 'aria-label': 'nominal mass' }),
    h('input', { name: 'w_certificate', placeholder: 'certificate no.', 'aria-label': 'certificate number' }),
    h('input', { name: 'w_date', type: 'date', 'aria-label': 'certificate date' }));
}

function setupForm(device, onStarted) {
  const weights = h('div', { class: 'weights', id: 'weights' }, weightRow(0));
  const num = (name, value, extra = {}) => h('input', { name, type: 'number', step: 'any', min: 0, value, ...extra });
  const stepField = field('changeover_step', 'Small weights (at most e/10; empty: e/10)', num('changeover_step', ''));
  const resolutionField = field('extended_resolution', 'Extended display interval (e/5 or finer)', num('extended_resolution', ''));
  resolutionField.hidden = true;
  function showMethod() {
    const extended = form.querySelector('[name=method]:checked').value === 'extended';
    stepField.hidden = extended;
    resolutionField.hidden = !extended;
  }
  const form = h('form', { class: 'card', id: 'calibration-setup', novalidate: true },
    h('h2', {}, 'Instrument'),
    h('div', { class: 'grid-3' },
      field('instrument', 'Max (capacity)', num('max', '')),
      field('e', 'Verification interval e', num('e', '')),
      field('unit', 'Unit', h('select', { name: 'unit' }, ['kg', 'g', 't'].map((u) => h('option', { value: u }, u))))),
    h('div', { class: 'choice-row', role: 'radiogroup', 'aria-label': 'Accuracy class' },
      ['III', 'IIII'].map((c) => h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: 'accuracy_class', value: c, checked: c === 'III' }), `Class ${c}`)),
      h('label', { class: 'check-row' }, h('input', { type: 'checkbox', name: 'in_service' }), 'In-service limits (twice the MPE)')),
    h('h2', {}, 'How is the indication read?'),
    h('div', { class: 'choice-row', role: 'radiogroup', 'aria-label': 'Reading method', id: 'method-choice' },
      h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: 'method', value: 'changeover', checked: true, onchange: showMethod }),
        'Changeover points: the display shows whole e; small weights are added at each point'),
      h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: 'method', value: 'extended', onchange: showMethod }),
        'Extended display (service mode): the scale reads to e/5 or finer')),
    stepField, resolutionField,
    h('div', { class: 'grid-3' },
      field('eccentricity_zones', 'Eccentricity zones', num('eccentricity_zones', 4, { min: 3, max: 8, step: 1 })),
      field('repeatability_count', 'Repeatability weighings', num('repeatability_count', 3, { min: 3, max: 10, step: 1 })),
      field('weighing_loads', 'Weighing loads (≥ 5)', num('weighing_loads', 5, { min: 5, max: 12, step: 1 }))),
    h('h2', {}, 'Reference weights'),
    h('div', { class: 'field', dataset: { field: 'weights' } }, weights, h('p', { class: 'field-error', role: 'alert' })),
    h('button', { class: 'btn', type: 'button', id: 'add-weight', onclick: () => weights.append(weightRow(weights.childElementCount)) }, '+ Another weight'),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'btn-row' }, h('button', { class: 'btn btn-primary btn-big', type: 'submit', id: 'start-calibration' }, 'Start calibration')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('#start-calibration'), async () => {
      clearErrors(form);
      const v = (name) => form.elements[name].value;
      const rows = [...weights.children].map((row) => ({
        id: row.querySelector('[name=w_id]').value.trim(), nominal: Number(row.querySelector('[name=w_nominal]').value),
        certificate: row.querySelector('[name=w_certificate]').value.trim(), certificate_date: row.querySelector('[name=w_date]').value,
      }));
      const method = form.querySelector('[name=method]:checked').value;
      const body = {
        device_id: device.id,
        instrument: { max: Number(v('max')), e: Number(v('e')), accuracy_class: form.querySelector('[name=accuracy_class]:checked').value, unit: v('unit') },
        weights: rows, in_service: form.elements.in_service.checked, method,
        eccentricity_zones: Number(v('eccentricity_zones')), repeatability_count: Number(v('repeatability_count')), weighing_loads: Number(v('weighing_loads')),
      };
      if (method === 'extended') body.extended_resolution = Number(v('extended_resolution'));
      else if (v('changeover_step') !== '') body.changeover_step = Number(v('changeover_step'));
      try {
        onStarted((await api.post('/calibrations/scale', body)).session);
      } catch (err) {
        showError(form, err);
      }
    });
  });
  return form;
}

function stepsTable(session) {
  const unit = session.instrument.unit;
  return h('div', { class: 'cal-steps', id: 'cal-steps' }, session.steps.map((step) =>
    h('section', { class: 'card cal-step', dataset: { step: step.step, passed: String(step.passed) } },
      h('header', { class: 'card-head' }, h('h2', {}, STEP_NAMES[step.step]), verdictBadge(step.passed)),
      step.spread !== undefined ? h('p', { class: 'note' }, `Spread ${step.spread} ${unit} (limit ${step.spread_limit} ${unit})`) : null,
      h('table', { class: 'cal-table' },
        h('thead', {}, h('tr', {}, ['Load L', 'Shown I', 'ΔL', 'Error E', 'Ec = E − E0', 'MPE ±', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, step.points.map((p) => h('tr', { class: p.passed === false ? 'is-fail' : '' },
          h('td', { class: 'num' }, `${p.load} ${unit}`), h('td', { class: 'num' }, p.indication ?? '—'),
          h('td', { class: 'num' }, p.added ?? '—'), h('td', { class: 'num' }, p.error ?? '—'),
          h('td', { class: 'num' }, p.corrected ?? '—'), h('td', { class: 'num' }, p.mpe ?? '—'),
          h('td', {}, p.passed === null ? '' : verdictBadge(p.passed)))))))));
}

const OUT_OF_RANGE = { overload: 'OVERLOAD — above the scale\'s capacity', underload: 'UNDERLOAD — below zero' };

// What the scale shows now, from the lane's live feed: the technician sees
// the weight settle before pressing "Read stable weight".
function liveWeight(deviceId) {
  const value = h('span', { class: 'cal-live-weight', id: 'cal-live-weight' }, '—');
  const motion = h('span', { class: 'motion', id: 'cal-live-motion' }, '…');
  const note = h('p', { class: 'cal-live-note', id: 'cal-live-note' });
  const panel = h('section', { class: 'card cal-live', id: 'cal-live', 'aria-label': 'What the scale shows now' },
    h('h2', { class: 'cal-live-label' }, 'The scale shows now'), h('div', { class: 'cal-live-row' }, value, motion), note);
  function update() {
    const d = live.get(deviceId);
    const data = d && d.reading ? d.reading.data : null;
    const stale = live.isStale(d);
    panel.classList.toggle('is-stale', stale);
    if (!data) {
      value.textContent = '—';
      motion.hidden = true;
    } else if (data.status !== 'ok') {
      value.textContent = OUT_OF_RANGE[data.status] || data.status.toUpperCase();
      motion.hidden = true;
    } else {
      value.textContent = fmt.weight(data.weight, data.unit);
      motion.hidden = false;
      motion.textContent = data.stable ? 'STABLE' : 'MOVING';
      motion.className = `motion ${data.stable ? 'motion--stable' : 'motion--moving'}`;
    }
    value.dataset.weight = data && data.status === 'ok' ? String(data.weight) : '';
    panel.dataset.stable = String(Boolean(data && data.stable && data.status === 'ok' && !stale));
    note.textContent = !live.linkState().up ? 'No live link to the lane box: the weight shown may be old.'
      : !data ? 'No reading from the scale yet.'
        : stale ? 'No reading from the scale for a while: is it connected?'
          : data.tare ? `Net weight (tare ${fmt.weight(data.tare, data.unit)} on): clear the tare before reading a point.`
            : data.stable ? 'Settled: the box can read this point.' : 'Still moving: wait for STABLE before reading.';
  }
  const unsubscribe = live.subscribe(() => update());
  const timer = setInterval(update, 1000); // a scale that falls silent goes stale without a message
  update();
  return { panel, stop: () => { unsubscribe(); clearInterval(timer); } };
}

// Eccentricity: the platform seen from above, divided into its zones end
// to end as on the plan; the zone the load goes on now is marked, zones
// already weighed show their verdict.
function zoneDiagram(session, next) {
  const step = session.steps.find((s) => s.step === 'eccentricity');
  const before = session.steps.slice(0, session.steps.indexOf(step)).reduce((n, s) => n + s.points.length, 0);
  const current = next.index - before;
  const zones = step.points.map((p, i) => {
    const state = i === current ? 'now' : p.passed === true ? 'pass' : p.passed === false ? 'fail' : 'todo';
    const words = { now: 'load here now', pass: 'PASS', fail: 'FAIL', todo: 'to do' }[state];
    return h('li', { class: `zone zone--${state}`, dataset: { zone: String(i + 1), state } },
      h('span', { class: 'zone-number' }, `Zone ${i + 1}`), h('span', { class: 'zone-state' }, words));
  });
  const list = h('ol', { class: 'zones', id: 'zone-diagram', 'aria-label': `Platform zones: the load goes on zone ${current + 1} of ${step.points.length}` }, zones);
  list.style.gridTemplateColumns = `repeat(${Math.min(step.points.length, 4)}, 1fr)`;
  return h('figure', { class: 'zone-figure' }, list,
    h('figcaption', { class: 'note' }, `The platform from above, zones numbered as on your test plan. Put the load centred on zone ${current + 1}.`));
}

// By changeover: the indication read at the load, the small weight to add
// next, the indication to wait for, and each small weight added so far.
function changeoverPanel(session, next) {
  const unit = session.instrument.unit;
  const added = next.small_weights.length;
  return h('div', { class: 'changeover', id: 'changeover', dataset: { target: next.target, added: String(added) } },
    h('p', { class: 'cal-prompt big', id: 'cal-prompt' },
      `The scale shows ${next.indication} ${unit}. Put one more small weight of ${next.step_weight} ${unit} on the platform.`),
    h('p', { class: 'banner banner-info', id: 'changeover-target' },
      `Keep adding ${next.step_weight} ${unit} weights, one at a time, until the scale shows ${next.target} ${unit}. `
      + `The box reads the scale after each one.`),
    h('ol', { class: 'list', id: 'small-weights' }, next.small_weights.map((w) =>
      h('li', { dataset: { added: w.added } }, `+${w.added} ${unit} of small weights: the scale showed ${w.indication} ${unit}`))));
}

export async function render(view, params) {
  if (!guard(view)) return undefined;
  const device = await api.get(`/devices/${encodeURIComponent(params.id)}`);
  const slot = h('div', { id: 'calibration' });
  const shown = liveWeight(device.id);
  add(view, h('div', { class: 'page-head' }, h('h1', {}, `Calibrate ${device.id}`),
    h('a', { class: 'btn btn-quiet', href: '#/devices' }, 'Back to devices')), shown.panel, slot);
  const canAdjust = device.driver === 'mt-sics';

  function drawSession(session, event = null) {
    const next = session.next;
    const unit = session.instrument.unit;
    const panel = h('section', { class: 'card cal-next', id: 'cal-next' });
    if (next) {
      const changeover = next.phase === 'changeover';
      const load = h('input', { name: 'load', type: 'number', step: 'any', value: next.load, disabled: changeover || !['eccentricity', 'weighing'].includes(next.step), 'aria-label': 'load applied' });
      const form = h('form', { novalidate: true, id: 'cal-point', dataset: { phase: next.phase, index: String(next.index) } },
        h('p', { class: 'cal-progress' }, `Point ${session.progress.done + 1} of ${session.progress.total} — ${STEP_NAMES[next.step]}`
          + (changeover ? ' — changeover' : '')),
        changeover ? changeoverPanel(session, next) : h('p', { class: 'cal-prompt big', id: 'cal-prompt' }, next.prompt),
        next.step === 'eccentricity' ? zoneDiagram(session, next) : null,
        h('div', { class: 'field', dataset: { field: 'load' } }, h('label', {}, `Load applied (${unit})`), load, h('p', { class: 'field-error', role: 'alert' })),
        h('p', { class: 'form-error', role: 'alert' }),
        h('div', { class: 'btn-row' },
          canAdjust && !session.progress.done && !session.adjustment && !changeover
            ? h('button', { class: 'btn btn-big', type: 'button', id: 'run-adjustment', onclick: (e) => busy(e.currentTarget, () => call(form, 'adjust', null)) }, 'Run adjustment (C3) first') : null,
          changeover
            ? h('button', { class: 'btn btn-primary btn-big', type: 'button', id: 'add-small-weight', onclick: (e) => busy(e.currentTarget, () => call(form, 'small-weight', null)) }, `Small weight of ${next.step_weight} ${unit} added`)
            : null,
          h('button', { class: changeover ? 'btn btn-big' : 'btn btn-primary btn-big', type: 'submit', id: 'read-weight' },
            changeover ? 'Start this point over' : 'Read stable weight')));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        busy(form.querySelector('#read-weight'), () => call(form, 'read', load.disabled ? {} : { load: Number(load.value) }));
      });
      add(panel, form);
    } else {
      add(panel, h('div', { class: `cal-verdict ${session.passed ? 'is-pass' : 'is-fail'}`, id: 'cal-verdict' },
        session.passed ? 'CALIBRATION PASSED' : 'CALIBRATION FAILED'),
      h('p', { class: 'note' }, session.passed ? 'Recorded. The scale is in calibration.' : 'Recorded. The scale is marked calibration due until a calibration passes.'),
      event ? h('div', { class: 'btn-row' }, h('button', { class: 'btn btn-primary btn-big', type: 'button', id: 'certificate-button',
        onclick: (e) => busy(e.currentTarget, () => openPdf(`/calibrations/${event.id}/certificate.pdf`, e.currentTarget)) }, 'Certificate (PDF)')) : null);
    }
    const adjustment = session.adjustment
      ? h('p', { class: `banner ${session.adjustment.passed ? 'banner-info' : 'banner-warn'}`, id: 'adjustment' }, `Adjustment: ${session.adjustment.detail}`) : null;
    const method = h('p', { class: 'note', id: 'cal-method' }, `Indication read by ${session.method.description}.`
      + (session.e0 === null ? '' : ` Zero error E0 = ${session.e0} ${unit}.`));
    replace(slot, adjustment, method, panel, stepsTable(session));
  }

  async function call(form, action, body) {
    clearErrors(form);
    try {
      const answer = await api.post(`/calibrations/sessions/${sessionId}/${action}`, body || undefined);
      drawSession(answer.session, answer.event);
    } catch (err) {
      showError(form, err);
    }
  }

  let sessionId = null;
  replace(slot, setupForm(device, (session) => { sessionId = session.id; drawSession(session); }));
  return shown.stop;
}
