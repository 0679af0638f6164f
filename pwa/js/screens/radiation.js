// The radiation portal's say on a vehicle, in words for officers: its state
// on a vehicle card ("Radiation ALARM (gamma) — adjudicate"), and on the
// inspection the Radiation step — the occupancy's result (per detector
// maxima against background), the adjudication form (what it was, the
// secondary scan), the adjudication recorded with ✓ and the N42.42 file.
// An alarm not yet adjudicated blocks release: the step says so first, in
// the critical colour, and the review before release lists it.

import * as api from '../api.js';
import * as drafts from '../drafts.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import { busy, clearErrors, field, formError, h, replace, setFieldError, toast } from '../ui.js';
import * as fmt from '../format.js';

/** The adjudication codes (docs/officer-api.md) in the officer's words, in the order offered. */
export const CODES = [
  ['real_threat', 'Real threat'],
  ['innocent_norm', 'Innocent — NORM (natural radioactivity in cargo)'],
  ['innocent_medical', 'Innocent — medical isotope'],
  ['innocent_industrial', 'Innocent — declared industrial source'],
  ['false_alarm', 'False alarm'],
  ['test_source', 'Test / source check'],
  ['tamper', 'Tamper'],
];
const SECONDARY = [
  ['no_source_found', 'Done — no source found'],
  ['source_identified', 'Done — source identified'],
  ['not_done', 'Not done'],
];

export function codeWords(code) {
  const hit = CODES.find(([c]) => c === code);
  return hit ? hit[1] : fmt.label(code);
}

/** "gamma", "neutron", "gamma and neutron". */
export function alarmKinds(result) {
  return [result.gamma_alarm ? 'gamma' : null, result.neutron_alarm ? 'neutron' : null].filter(Boolean).join(' and ') || 'radiation';
}

/** A VEHICLE's radiation (state occupied | clear | alarm) in words: {text, kind}. */
export function stateWords(radiation) {
  if (!radiation) return { text: 'No radiation scan yet', kind: 'none' };
  if (radiation.state === 'occupied') return { text: 'Passing the portal…', kind: 'occupied' };
  if (radiation.state === 'alarm') return { text: `Radiation ALARM (${alarmKinds(radiation)}) — adjudicate`, kind: 'alarm' };
  return { text: 'Radiation clear', kind: 'clear' };
}

/** The portal's scans of this inspection's vehicle (usually one), oldest first. */
function occupancies(record) {
  return (record && record.radiation && record.radiation.occupancies) || [];
}

function alarmed(occ) {
  return Boolean(occ && (occ.alarm || occ.gamma_alarm || occ.neutron_alarm));
}

/** The scan whose alarm waits for an adjudication (the newest such), or null. */
function unadjudicated(record) {
  const done = new Set(((record.radiation && record.radiation.adjudications) || []).map((a) => a.occupancy_event));
  return occupancies(record).filter((o) => alarmed(o) && !done.has(o.event_id)).pop() || null;
}

/** Does this inspection have a radiation alarm nobody has adjudicated yet? (The box refuses release then.) */
export function needsAdjudication(record) {
  const r = record && record.radiation;
  if (!r) return false;
  return typeof r.needs_adjudication === 'boolean' ? r.needs_adjudication : Boolean(unadjudicated(record));
}

/** The weighbridge interlock of this lane, when it holds the weight back: the reason in words, else ''. */
export function interlockReason(record) {
  const lock = record && (record.interlock || (record.weight_step && record.weight_step.interlock));
  return lock && !lock.ready ? `${lock.why || 'The radiation portal has not cleared this vehicle yet'}.` : '';
}

/** The open flag of an alarm not adjudicated: no reason releases it (the box refuses, 409 radiation_unadjudicated). */
export const BLOCKING_FLAG = 'rpm_alarm';

/** Why release is refused before the review is sent ('' when it is not). */
export function releaseBlocked(record) {
  return needsAdjudication(record) ? 'The radiation alarm is not adjudicated: record what it was on the Radiation step before releasing.' : '';
}

function detectorTable(occ) {
  const g = occ.gamma || {};
  const n = occ.neutron || {};
  const count = Math.max((g.max_cps || []).length, (n.max_counts || []).length);
  if (!count) return null;
  const cell = (list, i) => h('td', { class: 'num' }, list && list[i] != null ? fmt.number(list[i]) : '—');
  return h('table', { class: 'detector-table', id: 'radiation-detectors' },
    h('caption', {}, 'Highest count while the vehicle passed, against the background before it'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Detector'),
      h('th', { scope: 'col', class: 'num' }, 'Gamma (counts/s)'), h('th', { scope: 'col', class: 'num' }, 'Gamma background'),
      h('th', { scope: 'col', class: 'num' }, 'Neutron (counts)'), h('th', { scope: 'col', class: 'num' }, 'Neutron background'))),
    h('tbody', {}, Array.from({ length: count }, (_, i) => h('tr', {},
      h('th', { scope: 'row' }, String(i + 1)),
      cell(g.max_cps, i), cell(g.background_cps, i), cell(n.max_counts, i), cell(n.background_counts, i)))));
}

function secondaryWords(s) {
  if (!s || !s.performed) return 'Secondary scan: not done';
  const result = (SECONDARY.find(([c]) => c === s.result) || [null, fmt.label(s.result)])[1].replace(/^Done — /, '');
  return [`Secondary scan: ${result}`, s.nuclide ? `nuclide ${s.nuclide}` : null,
    s.dose_rate_usv_h != null ? `dose rate ${fmt.number(s.dose_rate_usv_h, 2)} µSv/h` : null].filter(Boolean).join(' · ');
}

function choices(name, options, legend) {
  return h('fieldset', { class: 'big-choices', dataset: { field: name } }, h('legend', {}, legend),
    options.map(([value, text]) => h('label', { class: 'radio-row' }, h('input', { type: 'radio', name, value }), h('span', {}, text))),
    h('p', { class: 'field-error', role: 'alert' }));
}

/**
 * The Radiation step of an inspection. `reload()` fetches the inspection
 * again (after a write, or when the portal's result for its vehicle comes in).
 * Returns {card, navButton, draw(record, pending), dispose}.
 */
export function radiationStep({ id, reload }) {
  let record = null;
  const mark = h('span', { class: 'step-mark' });
  const banner = h('div');
  const result = h('div', { id: 'radiation-result' });
  const form = h('form', { id: 'adjudication-form', novalidate: true },
    h('h3', {}, 'Adjudicate the alarm'),
    choices('code', CODES, 'What was it?'),
    choices('secondary', SECONDARY, 'Secondary scan (handheld)'),
    h('div', { class: 'grid-2' },
      field('nuclide', 'Nuclide (if identified)', h('input', { maxlength: '40', autocomplete: 'off', placeholder: 'e.g. K-40' })),
      field('dose_rate', 'Dose rate at contact (µSv/h)', h('input', { inputmode: 'decimal', autocomplete: 'off', placeholder: 'e.g. 0.4' }))),
    field('note', 'Note (optional)', h('textarea', { maxlength: '2000', rows: 2 })),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-primary btn-big btn-block', type: 'submit', id: 'record-adjudication' }, 'Record adjudication'));
  const card = h('section', { class: 'card step radiation-step', id: 'step-radiation', hidden: true },
    h('h2', {}, mark, 'Radiation'), banner, result, form);
  const navButton = h('button', { class: 'btn', type: 'button', hidden: true, dataset: { step: 'step-radiation' },
    onclick: () => card.scrollIntoView({ behavior: 'auto', block: 'start' }) }, 'Radiation');

  const value = (name) => {
    const el = form.querySelector(`[name="${name}"]:checked`) || form.querySelector(`[name="${name}"]`);
    return el ? String(el.value).trim() : '';
  };
  const draft = drafts.keeper(`radiation:${id}`, () => (value('code') || value('secondary') || value('nuclide') || value('note')
    ? { code: value('code'), secondary: value('secondary'), nuclide: value('nuclide'), dose_rate: value('dose_rate'), note: value('note') } : null));
  form.addEventListener('input', () => draft.changed());
  form.addEventListener('change', () => draft.changed());
  drafts.load(`radiation:${id}`).then((kept) => {
    if (!kept) return;
    for (const name of ['code', 'secondary']) {
      const radio = kept[name] && form.querySelector(`[name="${name}"][value="${kept[name]}"]`);
      if (radio) radio.checked = true;
    }
    for (const name of ['nuclide', 'dose_rate', 'note']) form.querySelector(`[name="${name}"]`).value = kept[name] || '';
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), submit);
  });

  async function submit() {
    clearErrors(form);
    const code = value('code');
    const secondary = value('secondary');
    const dose = value('dose_rate').replace(',', '.');
    let ok = true;
    if (!code) { setFieldError(form, 'code', 'Choose what the alarm was.'); ok = false; }
    if (!secondary) { setFieldError(form, 'secondary', 'Say whether a secondary scan was done.'); ok = false; }
    if (dose && !(Number.isFinite(Number(dose)) && Number(dose) >= 0)) { setFieldError(form, 'dose_rate', 'A dose rate is a number, e.g. 0.4.'); ok = false; }
    if (!ok) return;
    const body = {
      id: outbox.newId(), ts: outbox.nowIso(), occupancy_event: form.dataset.occupancy, code,
      secondary: { performed: secondary !== 'not_done', result: secondary },
    };
    if (value('nuclide')) body.secondary.nuclide = value('nuclide');
    if (dose) body.secondary.dose_rate_usv_h = Number(dose);
    if (value('note')) body.note = value('note');
    try {
      const sent = await outbox.submit({ path: `/inspections/${id}/radiation`, body, label: `Radiation adjudication (${codeWords(code)}) for ${record.plate}`,
        record: { type: 'inspection', id, kind: 'radiation' } });
      await draft.clear();
      form.reset();
      toast(sent.sent ? `Adjudication recorded: ${codeWords(code)}` : 'Adjudication kept on the tablet — it is sent when the box is reachable');
      await reload();
    } catch (err) {
      formError(form, api.describe(err));
    }
  }

  /** The scan as an ANSI N42.42 file, fetched with the token and saved (a blob: link, kept to save again). */
  async function saveN42(button, occ) {
    try {
      const { url } = await api.blobUrl(`/occupancies/${occ.event_id}/n42.xml`);
      let link = button.parentNode.querySelector('.n42-link');
      if (!link) {
        link = h('a', { class: 'btn n42-link' }, 'Save the N42.42 file again');
        button.after(link);
      }
      link.href = url;
      link.download = `radiation-${record.plate}-${fmt.time(occ.ended_at).replace(/:/g, '')}.n42.xml`;
      link.click();
    } catch (err) {
      toast(api.describe(err), { bad: true, ms: 6000 });
    }
  }

  /** One pass through the portal: the result in words, the detectors, its adjudications, its N42.42 file. */
  function scan(occ, adjudications, waiting) {
    const kinds = alarmKinds(occ);
    return h('div', { class: 'radiation-scan', dataset: { occupancy: occ.event_id } },
      h('p', { class: `radiation-verdict ${alarmed(occ) ? 'is-alarm' : 'is-clear'}` },
        alarmed(occ) ? `${kinds.charAt(0).toUpperCase()}${kinds.slice(1)} alarm` : 'No alarm: clear'),
      occ.calibration_due ? h('p', { class: 'not-verified' }, 'NOT VERIFIED — do not rely on it (the portal\'s check is overdue or failed)') : null,
      h('p', {}, [`Passed the portal ${fmt.time(occ.started_at)}–${fmt.time(occ.ended_at)}`,
        occ.speed_kmh != null ? `at ${fmt.number(occ.speed_kmh, 1)} km/h` : null].filter(Boolean).join(' ')),
      detectorTable(occ),
      adjudications.map((a) => h('div', { class: 'attached radiation-adjudication' },
        h('h3', {}, `✓ Adjudicated: ${codeWords(a.code)}`),
        h('p', {}, secondaryWords(a.secondary)),
        a.note ? h('p', {}, `“${a.note}”`) : null,
        h('p', { class: 'muted' }, [a.by, a.at ? fmt.time(a.at) : null].filter(Boolean).join(' · ')))),
      waiting.map((p) => h('p', { class: 'banner banner-warn' }, `Adjudication (${codeWords(p.body.code)}) waiting to be sent.`)),
      h('div', { class: 'btn-row no-print' }, h('button', { class: 'btn', type: 'button', dataset: { n42: occ.event_id },
        onclick: (e) => busy(e.currentTarget, () => saveN42(e.currentTarget, occ)) }, 'N42.42 file')));
  }

  /** Draw from the inspection VIEW; `pending`: this inspection's writes still in the outbox. */
  function draw(view, pending = []) {
    record = view;
    const r = record.radiation;
    card.hidden = !r;
    navButton.hidden = !r;
    if (!r) return;
    const adjudications = r.adjudications || [];
    const waiting = pending.filter((p) => p.record.kind === 'radiation' && p.state === 'waiting');
    const open = needsAdjudication(record) && !waiting.length;
    const target = unadjudicated(record);
    const closed = record.status === 'closed';
    const isDone = !open && occupancies(record).length > 0;
    card.classList.toggle('is-alarm', open);
    card.classList.toggle('is-done', isDone);
    mark.textContent = isDone ? '✓ ' : '';
    navButton.textContent = `${isDone ? '✓ ' : ''}Radiation`;
    navButton.classList.toggle('is-done', isDone);
    navButton.classList.toggle('is-alarm', open);
    replace(banner, open && !closed ? h('p', { class: 'radiation-banner', id: 'radiation-banner' },
      `RADIATION ALARM (${alarmKinds(target || {})}) — do not release before adjudication`) : null);
    replace(result, occupancies(record).map((occ) => scan(occ, adjudications.filter((a) => a.occupancy_event === occ.event_id),
      waiting.filter((p) => p.body.occupancy_event === occ.event_id))),
    r.state === 'occupied' ? [h('p', { class: 'radiation-state radiation-state--occupied' }, 'Passing the portal…'),
      h('p', { class: 'muted' }, 'The result comes when the vehicle has left the portal.')] : null);
    form.dataset.occupancy = target ? target.event_id : '';
    form.hidden = closed || !open || !target;
  }

  // the portal's result may come after the inspection started (the lorry was still in the portal): the
  // portal's reading says a scan started or ended, the box files it under the vehicle a moment later;
  // while the interlock holds the weight back, a new load on the scale may free it (at most a look a second)
  let timers = [];
  let lastLook = 0;
  let shown = '';
  const look = (...delays) => {
    timers.forEach(clearTimeout);
    timers = delays.map((delay) => setTimeout(() => { lastLook = Date.now(); reload(); }, delay));
  };
  const unsubscribe = live.subscribe((type, message) => {
    if (!record || record.status === 'closed' || !record.vehicle) return;
    if (type === 'vehicle' && (message.inspection_id === id || record.vehicle.id === message.id)) look(150);
    if (type === 'reading' && message.kind === 'radiation' && ['occupied', 'occupancy'].includes(message.data.phase)) look(300, 1500);
    if (type !== 'reading' || message.kind !== 'scale') return;
    const now = `${message.data.weight} ${message.data.unit} ${message.data.stable}`;
    if (now !== shown && interlockReason(record) && Date.now() - lastLook > 1000) look(0);
    shown = now;
  });
  return { card, navButton, draw, dispose: () => { unsubscribe(); timers.forEach(clearTimeout); draft.flush(); } };
}

/** Put the Radiation step first while its alarm is open (it must be dealt with before release). */
export function placeStep(steps, card, record) {
  const first = needsAdjudication(record);
  if (first && steps.firstElementChild !== card) steps.prepend(card);
  if (!first && card.parentNode === steps && steps.firstElementChild === card && card.nextElementSibling) {
    steps.insertBefore(card, steps.querySelector('#step-findings'));
  }
}
