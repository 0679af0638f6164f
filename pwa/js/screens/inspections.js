// Inspections: the open ones, and starting a new one (plate, containers —
// scanned or typed and checked as typed — declaration, type), typed in or
// filled from a vehicle waiting at the lane (screens/vehicles.js).

import * as api from '../api.js';
import * as drafts from '../drafts.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import * as session from '../session.js';
import { cacheGet, cachePut } from '../db.js';
import { loadReference, inspectionTypes } from '../reference.js';
import { guardLeaving } from '../router.js';
import { checkContainer, checkPlate, normalise, pretty } from '../iso6346.js';
import { add, badge, busy, clearErrors, field, h, replace, setFieldError, setFieldOk, showError } from '../ui.js';
import * as fmt from '../format.js';
import { riskPanel } from './inspection.js';
import { confirmer, dismissAction, readPanel, vehicleFor } from './vehicles.js';

export async function renderList(view) {
  const list = h('ul', { class: 'list inspection-list', id: 'inspection-list' }, h('li', { class: 'muted' }, 'Loading…'));
  const note = h('p', { class: 'note' });
  add(view, 
    h('div', { class: 'page-head' }, h('h1', {}, 'Open inspections'),
      h('a', { class: 'btn btn-primary', href: '#/inspections/new' }, '+ Start inspection')),
    note, list);
  let inspections = [];
  try {
    inspections = (await api.get('/inspections?status=open&limit=50')).inspections;
    cachePut('inspections:open', inspections);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return;
    inspections = (await cacheGet('inspections:open')) || [];
    note.textContent = `${api.describe(err)} Showing the list as last seen.`;
  }
  const waiting = (await outbox.items()).filter((i) => i.record && i.record.type === 'inspection' && i.record.kind === 'start');
  const rows = [
    ...waiting.map((i) => h('li', {}, h('a', { class: 'btn', href: `#/inspections/${i.record.id}` },
      h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, h('span', { class: 'mono' }, i.body.plate), ' ', h('span', { class: 'row-sub mono' }, i.body.containers.map(pretty).join(', '))),
        h('span', { class: 'row-sub muted' }, `made ${fmt.time(i.made_at)} on this tablet`)),
      badge(i.state === 'rejected' ? 'NOT ACCEPTED' : 'WAITING TO SEND', i.state === 'rejected' ? 'bad' : 'warn')))),
    ...inspections.filter((v) => !waiting.some((i) => i.record.id === v.id)).map((v) => h('li', {},
      h('a', { class: 'btn', href: `#/inspections/${v.id}`, dataset: { inspection: v.id } },
        h('span', { class: 'row-text' },
          h('span', { class: 'row-title' }, h('span', { class: 'mono' }, v.plate), ' ', h('span', { class: 'row-sub mono' }, (v.containers || []).map(pretty).join(', '))),
          h('span', { class: 'row-sub muted' }, `${fmt.sentence(v.inspection_type)} · started ${fmt.time(v.started_at)} by ${v.started_by || '—'}${v.flags && v.flags.length ? ` · ${v.flags.length} flag${v.flags.length === 1 ? '' : 's'}` : ''}`)),
        v.risk ? badge(`${String(v.risk.level).toUpperCase()} RISK`, v.risk.level === 'high' ? 'bad' : v.risk.level === 'medium' ? 'warn' : 'ok') : null))),
  ];
  replace(list, rows.length ? rows : h('li', { class: 'empty' }, 'No open inspections.'));
}

function containerRow(form, index, value, onChange, onRemove) {
  const input = h('input', {
    class: 'upper mono container-input', inputmode: 'text', autocapitalize: 'characters', autocomplete: 'off',
    spellcheck: 'false', maxlength: '15', placeholder: 'e.g. CSQU 305438 3', value,
  });
  const box = field(`containers.${index}`, `Container ${index + 1}`, input);
  input.addEventListener('input', () => onChange(input));
  const remove = h('button', { class: 'btn', type: 'button', 'aria-label': `Remove container ${index + 1}`, onclick: onRemove }, '✕');
  return h('div', { class: 'container-row' }, box, remove);
}

/** Show the as-you-type verdict under a container field; true when valid. */
export function showContainerCheck(root, name, text, { submitting = false } = {}) {
  const check = checkContainer(text);
  const box = root.querySelector(`[data-field="${name}"]`);
  const hint = box && (box.querySelector('.hint') || box.insertBefore(h('p', { class: 'hint' }), box.querySelector('.field-ok')));
  if (hint) hint.textContent = '';
  if (check.state === 'valid') setFieldOk(root, name, check.message);
  else if (check.state === 'invalid' || (submitting && check.state === 'partial')) {
    setFieldOk(root, name, null);
    setFieldError(root, name, check.state === 'partial' ? `Incomplete: ${check.message}` : check.message);
  } else {
    setFieldOk(root, name, null);
    setFieldError(root, name, null);
    if (hint) hint.textContent = check.message;
  }
  return check;
}

export async function renderStart(view, _params = {}, query = new URLSearchParams()) {
  const ref = await loadReference().catch(() => null);
  const vehicleId = query.get('vehicle');
  const vehicle = vehicleId ? await vehicleFor(vehicleId) : null;
  if (vehicleId && !vehicle) {
    add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Start inspection')),
      h('p', { class: 'banner banner-warn', id: 'vehicle-gone' }, 'This vehicle is no longer waiting at the lane: another officer started its inspection, or it was dismissed.'),
      h('div', { class: 'btn-row' }, h('a', { class: 'btn', href: '#/lane' }, 'Back to the lane'), h('a', { class: 'btn btn-primary', href: '#/inspections/new' }, 'Type a vehicle in')));
    return undefined;
  }
  const form = h('form', { class: 'card', id: 'start-form', novalidate: true });
  const plate = h('input', { class: 'upper mono', autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', maxlength: '20', placeholder: 'e.g. AB12 CDE' });
  const declaration = h('input', { class: 'upper mono', autocapitalize: 'characters', autocomplete: 'off', maxlength: '40', placeholder: 'optional, e.g. GB-DEC-0001' });
  const type = h('select', {}, inspectionTypes(ref).map((t) => h('option', { value: t }, fmt.sentence(t))));
  const rowsBox = h('div', { id: 'container-rows' });
  const preview = h('div', { class: 'lookup-preview', id: 'lookup-preview' });
  let containers = [''];
  let lastFocused = null;
  let started = false; // submitted: its draft is done with
  let panel = null; // from a vehicle at the lane: what was read of it,
  let confirm = null; // and the readings the officer must confirm

  function drawRows() {
    replace(rowsBox, containers.map((value, i) => containerRow(form, i, value, (input) => {
      containers[i] = input.value;
      showContainerCheck(form, `containers.${i}`, input.value);
      schedulePreview();
    }, () => {
      containers.splice(i, 1);
      if (!containers.length) containers.push('');
      drawRows();
      schedulePreview();
    })));
    rowsBox.querySelectorAll('input').forEach((input, i) => {
      input.addEventListener('focus', () => { lastFocused = i; });
      if (containers[i]) showContainerCheck(form, `containers.${i}`, containers[i]);
    });
    if (confirm) confirm.refresh();
  }

  /** A container scanned on the lane reader goes into the field in use. */
  function fillFromScan(text) {
    let i = lastFocused !== null && lastFocused < containers.length ? lastFocused : -1;
    if (i >= 0 && checkContainer(containers[i]).state === 'valid') i = -1; // never overwrite a good number
    if (i < 0) i = containers.findIndex((c) => !normalise(c));
    if (i < 0) {
      containers.push('');
      i = containers.length - 1;
    }
    containers[i] = normalise(text);
    drawRows();
    const input = rowsBox.querySelectorAll('input')[i];
    input.classList.add('just-scanned');
    lastFocused = null;
    schedulePreview();
  }

  const unsubscribe = live.subscribe((kind, message) => {
    if (vehicle && message && message.id === vehicle.id && (kind === 'vehicle' || kind === 'vehicle_gone')) takeNewReads(kind, message);
    if (kind !== 'reading' || message.kind !== 'barcode') return;
    const parsed = message.data.parsed;
    if (parsed && parsed.type === 'container') fillFromScan(parsed.text || message.data.text);
  });

  plate.addEventListener('input', () => {
    const check = checkPlate(plate.value);
    setFieldError(form, 'plate', check.state === 'invalid' ? check.message : null);
    schedulePreview();
  });
  declaration.addEventListener('input', schedulePreview);

  let timer = null;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(drawPreview, 500);
  }
  async function drawPreview() {
    const params = new URLSearchParams();
    const p = checkPlate(plate.value);
    if (p.state === 'valid') params.set('plate', p.normalised);
    const c = containers.map(checkContainer).find((x) => x.state === 'valid');
    if (c) params.set('container', c.normalised);
    if (declaration.value.trim()) params.set('declaration', declaration.value.trim().toUpperCase());
    if (![...params.keys()].length) { replace(preview); return; }
    try {
      const found = await api.get(`/reference/lookup?${params}`);
      replace(preview, h('div', { class: 'card' }, h('h2', {}, 'Before you start'), riskPanel(found.risk, found.watchlist_hits),
        found.declaration ? h('p', {}, `Declaration ${found.declaration.ref}: ${(found.declaration.goods || []).map((g) => g.description).join(', ')}`)
          : h('p', { class: 'muted' }, 'No declaration found for these details.')));
    } catch {
      replace(preview);
    }
  }

  add(form, 
    h('div', { class: 'scan-hint no-print' }, 'Scan a container code on the lane reader — it fills the container field.'),
    h('div', { class: 'grid-2' },
      field('plate', 'Vehicle plate', plate),
      field('declaration_ref', 'Declaration reference', declaration)),
    h('fieldset', {}, h('legend', {}, 'Containers'), rowsBox,
      h('button', { class: 'btn', type: 'button', onclick: () => { containers.push(''); drawRows(); rowsBox.querySelectorAll('input')[containers.length - 1].focus(); } }, '+ Add container')),
    field('inspection_type', 'Inspection type', type),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-primary btn-big btn-block', type: 'submit' }, 'Start inspection'));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), () => submit());
  });

  /** What the lane read of this vehicle since the form opened fills what is still empty (never the officer's own entries). */
  function takeNewReads(kind, message) {
    if (!panel) return;
    panel.draw(kind === 'vehicle' && !message.inspection_id ? message : vehicle, kind === 'vehicle_gone' || Boolean(message.inspection_id));
    if (kind !== 'vehicle') return;
    if (!plate.value.trim() && message.plate) plate.value = message.plate.text;
    for (const c of message.containers || []) if (!containers.some((x) => normalise(x) === normalise(c.code))) fillFromScan(c.code);
    confirm.learn(message);
  }

  async function submit() {
    clearErrors(form);
    if (confirm && confirm.pending()) return;
    let ok = true;
    const p = checkPlate(plate.value);
    if (p.state !== 'valid') { setFieldError(form, 'plate', p.message); ok = false; }
    const numbers = [];
    containers.forEach((c, i) => {
      const check = showContainerCheck(form, `containers.${i}`, c, { submitting: true });
      if (check.state === 'empty') return;
      if (check.state !== 'valid') ok = false;
      numbers.push(check.normalised);
    });
    if (!ok) {
      const first = form.querySelector('.is-invalid input');
      if (first) first.focus();
      return;
    }
    const id = outbox.newId();
    const body = { id, ts: outbox.nowIso(), plate: p.normalised, containers: numbers, inspection_type: type.value };
    if (declaration.value.trim()) body.declaration_ref = declaration.value.trim().toUpperCase();
    if (vehicle) body.vehicle_id = vehicle.id;
    try {
      const result = await outbox.submit({ path: '/inspections', body, label: `Start inspection of ${p.normalised}`, record: { type: 'inspection', id, kind: 'start' } });
      if (result.sent) {
        await cachePut(`inspection:${id}`, result.data.inspection);
      } else {
        await cachePut(`inspection:${id}`, {
          id, plate: body.plate, containers: body.containers, declaration_ref: body.declaration_ref || null, vehicle_id: body.vehicle_id || null,
          inspection_type: body.inspection_type, status: 'open', outcome: null, started_at: body.ts,
          started_by: session.username(), local: true, flags: [], findings: [], weights: [], traces: [], document: null,
          checklist: { items: (ref && ref.checklists && ref.checklists[body.inspection_type]) || [], done: {} }, duty: [], seizures: [], events: [],
        });
      }
      started = true;
      await draft.clear(); // started: nothing left to keep
      location.hash = `#/inspections/${id}`;
    } catch (err) {
      showError(form, err);
    }
  }

  // the form as typed is kept on the tablet (a tab change, a reload, an app restart lose nothing)
  const draftMark = h('p', { class: 'draft-mark', id: 'start-draft-mark', role: 'status' });
  const draftName = vehicle ? `start:vehicle:${vehicle.id}` : 'start'; // a vehicle's form beside the one typed in
  const typed = () => ({ plate: plate.value, declaration: declaration.value, containers: [...containers], type: type.value });
  let asFilled = null; // a vehicle's form as filled from the lane: nothing of the officer's to keep yet
  const draft = drafts.keeper(draftName, () => (!started && (plate.value.trim() || declaration.value.trim() || containers.some((c) => c.trim()))
    && JSON.stringify(typed()) !== asFilled ? typed() : null),
  (kept) => { draftMark.textContent = kept && !started ? `Kept on this tablet ✓ ${fmt.time(new Date().toISOString())}` : ''; });
  const kept = await drafts.load(draftName);
  if (vehicle && !kept) {
    plate.value = vehicle.plate ? vehicle.plate.text : '';
    containers = (vehicle.containers || []).length ? vehicle.containers.map((c) => normalise(c.code)) : [''];
    declaration.value = (vehicle.declaration && vehicle.declaration.ref) || '';
    asFilled = JSON.stringify(typed());
    schedulePreview();
  }
  if (kept) {
    plate.value = kept.plate || '';
    declaration.value = kept.declaration || '';
    containers = kept.containers && kept.containers.length ? [...kept.containers] : [''];
    if (inspectionTypes(ref).includes(kept.type)) type.value = kept.type;
    draftMark.textContent = 'Restored from this tablet ✓';
    schedulePreview();
  }
  form.addEventListener('input', () => draft.changed());
  form.addEventListener('change', () => draft.changed());
  const unguard = guardLeaving(() => (draft.dirty() ? 'The vehicle you began to enter is kept on this tablet as a draft. Leave the start form?' : null));

  drawRows();
  const startButton = form.querySelector('button[type=submit]');
  startButton.before(draftMark);
  if (vehicle) {
    panel = readPanel(vehicle);
    confirm = confirmer(form, vehicle, startButton);
    form.addEventListener('input', () => confirm.refresh());
  }
  add(view, h('div', { class: 'page-head' }, h('h1', {}, vehicle ? 'Start inspection of the vehicle at the lane' : 'Start inspection')),
    panel ? panel.el : null, form, preview,
    vehicle ? dismissAction(vehicle, async () => { started = true; await draft.clear(); location.hash = '#/lane'; }) : null);
  if (!vehicle) plate.focus();
  return () => { unsubscribe(); clearTimeout(timer); unguard(); draft.flush(); };
}
