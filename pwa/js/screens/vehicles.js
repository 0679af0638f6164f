// The vehicles waiting at the lane, as the portal and the cameras saw them
// (docs/officer-api.md, "Vehicles at the lane"): a large card each on the
// lane screen, kept current from /live; tapping one opens the start form
// filled from it, where the officer confirms instead of typing. A reading
// the cameras are unsure of (low confidence, a wrong check digit) is marked
// and must be confirmed or corrected before the inspection can start.

import * as api from '../api.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import { ask } from '../sheet.js';
import { checkPlate, normalise, pretty } from '../iso6346.js';
import { badge, field, h, replace } from '../ui.js';
import * as fmt from '../format.js';
import { stateWords } from './radiation.js';

const waiting = new Map(); // id → VEHICLE as last heard from the box
const photoUrls = new Map(); // sha256 → Promise of an object URL (the photos need the token)

const inFlight = new Set(); // for each load under way: the vehicle messages heard meanwhile

function apply(type, message) {
  if (type === 'vehicle') {
    if (message.inspection_id) waiting.delete(message.id); // taken: its inspection has started
    else waiting.set(message.id, message);
  } else if (type === 'vehicle_gone') waiting.delete(message.id);
}

// kept current whatever screen is on show: the start form may ask for a vehicle tapped a moment ago
live.subscribe((type, message) => {
  if (type === 'vehicle' || type === 'vehicle_gone') {
    apply(type, message);
    for (const heard of inFlight) heard.push([type, message]);
  } else if (type === 'link' && message.up) load().catch(() => {});
});

/** Ask the box which vehicles wait (after (re)connecting: what changed while away). What /live said
 *  while the question was out goes on top of the answer: a lorry pushed meanwhile, missing from a list
 *  the box made just before, must not vanish from the screen. */
export async function load() {
  const heard = [];
  inFlight.add(heard);
  try {
    const { vehicles } = await api.get('/vehicles', { background: true });
    waiting.clear();
    for (const v of vehicles) waiting.set(v.id, v);
    for (const [type, message] of heard) apply(type, message);
  } finally {
    inFlight.delete(heard);
  }
}

function oldestFirst() {
  return [...waiting.values()].sort((a, b) => Date.parse(a.arrived_at) - Date.parse(b.arrived_at));
}

/** A vehicle waiting at the lane, by id: as last heard, else asked of the box (null when gone). */
export async function vehicleFor(id) {
  if (!waiting.has(id)) await load().catch(() => {});
  return waiting.get(id) || null;
}

/** A camera's photo (plate or container crop); `alt` '' when the text beside it says the same. */
export function photo(sha256, alt, className = 'vehicle-photo') {
  const img = h('img', { class: className, alt });
  if (!sha256) return null;
  if (!photoUrls.has(sha256)) {
    photoUrls.set(sha256, api.blobUrl(`/photos/${sha256}`).then((r) => r.url).catch(() => { photoUrls.delete(sha256); return null; }));
  }
  photoUrls.get(sha256).then((url) => { if (url) img.src = url; });
  return img;
}

function photosOf(v) {
  return [v.plate && v.plate.photo_sha256, ...(v.containers || []).map((c) => c.photo_sha256)].filter(Boolean)
    .filter((sha, i, all) => all.indexOf(sha) === i);
}

/** Why the officer must check a reading: "read with 62 % confidence", "wrong check digit". */
function doubt(read, kind) {
  if (kind === 'container' && read.check_ok === false) return 'The camera read a wrong check digit: correct the number from the container.';
  if (!read.needs_confirmation) return null;
  const sure = read.confidence != null ? ` (${Math.round(Number(read.confidence) * 100)} % sure)` : '';
  return `The camera is not sure of this ${kind === 'plate' ? 'plate' : 'number'}${sure}: check it on the vehicle.`;
}

function card(v) {
  const state = stateWords(v.radiation);
  const plate = v.plate;
  const thumb = photosOf(v)[0];
  const declaration = v.declaration && (v.declaration.ref || v.declaration.declaration_ref);
  return h('a', { class: `vehicle-card vehicle-card--${state.kind}`, href: `#/inspections/new?vehicle=${encodeURIComponent(v.id)}`, dataset: { vehicle: v.id } },
    thumb ? photo(thumb, '', 'vehicle-thumb') : h('span', { class: 'vehicle-thumb vehicle-thumb--none', 'aria-hidden': 'true' }, 'no photo'),
    h('span', { class: 'vehicle-card-text' },
      h('span', { class: 'vehicle-card-top' },
        plate ? h('span', { class: 'plate-text mono' }, plate.text) : h('span', { class: 'plate-missing' }, 'Plate not read yet'),
        plate && doubt(plate, 'plate') ? badge('CHECK PLATE', 'warn') : null),
      (v.containers || []).length ? h('span', { class: 'vehicle-containers mono' }, v.containers.map((c) => h('span', {},
        pretty(c.code), c.check_ok === false ? badge('CHECK DIGIT WRONG', 'bad') : c.needs_confirmation ? badge('CHECK', 'warn') : null))) : null,
      h('span', { class: `radiation-state radiation-state--${state.kind}` }, state.text),
      h('span', { class: 'vehicle-card-meta' }, `arrived ${fmt.time(v.arrived_at)}${declaration ? ` · declaration ${declaration}` : ''}`)));
}

/** The lane screen's "Vehicles at the lane": {el, dispose}. */
export function vehicleList() {
  const count = h('span', { class: 'vehicle-count' });
  const list = h('div', { class: 'vehicle-list', id: 'vehicle-list' });
  const el = h('section', { class: 'vehicles', id: 'vehicles', 'aria-labelledby': 'vehicles-title' },
    h('h2', { id: 'vehicles-title' }, 'Vehicles at the lane ', count), list);
  const cards = new Map(); // id → element, each kept until its vehicle changes or goes
  function draw(newcomer = null) {
    const vehicles = oldestFirst();
    const keep = new Set(vehicles.map((v) => v.id));
    for (const [id, node] of cards) if (!keep.has(id)) { node.remove(); cards.delete(id); }
    for (const v of vehicles) {
      const node = card(v);
      const old = cards.get(v.id);
      if (old) old.replaceWith(node);
      cards.set(v.id, node);
    }
    replace(list, vehicles.length ? vehicles.map((v) => cards.get(v.id)) : h('p', { class: 'tile-empty' }, 'No vehicle waiting. One appears here as it reaches the portal or the cameras.'));
    count.textContent = vehicles.length ? `(${vehicles.length})` : '';
    const arrived = newcomer && cards.get(newcomer);
    if (arrived) list.scrollTop = arrived.offsetTop - list.offsetTop; // the newest arrival is in view at once
  }
  const unsubscribe = live.subscribe((type, message) => {
    if (type === 'vehicle') draw(cards.has(message.id) ? null : message.id);
    if (type === 'vehicle_gone') draw();
  });
  draw();
  load().then(() => draw()).catch(() => {});
  return { el, dispose: unsubscribe };
}

/** On the start form: what the lane read of the vehicle — photos, portal result, arrival. */
export function readPanel(v) {
  const el = h('div', { class: 'card vehicle-read', id: 'vehicle-read' });
  function draw(vehicle, gone = false) {
    const state = stateWords(vehicle.radiation);
    replace(el, h('h2', {}, 'Read at the lane'),
      gone ? h('p', { class: 'banner banner-warn', id: 'vehicle-gone' }, 'This vehicle is no longer waiting: another officer started its inspection, or it was dismissed.') : null,
      h('div', { class: 'vehicle-read-photos' }, photosOf(vehicle).map((sha, i) => photo(sha, `Camera photo ${i + 1} of this vehicle`, 'vehicle-photo'))),
      h('div', { class: 'vehicle-read-words' },
        h('p', { class: `radiation-state radiation-state--${state.kind}` }, state.text),
        h('p', {}, `Arrived ${fmt.time(vehicle.arrived_at)}. Check what the cameras read against the vehicle: marked fields need your confirmation.`)));
  }
  draw(v);
  return { el, draw };
}

/**
 * The readings of `vehicle` the officer must confirm on the start form: a
 * field still holding a doubtful reading as read is marked, with a tick to
 * confirm it; editing it counts as the officer's own entry. The start
 * button stays disabled until none is left. Returns {refresh, learn, pending}.
 */
export function confirmer(form, vehicle, button) {
  let doubtful = { plate: new Map(), containers: new Map() }; // normalised value as read → why to check it
  const ticked = new Set();
  const hint = h('p', { class: 'confirm-left', id: 'confirm-left', role: 'status' });
  button.before(hint);
  function learn(v) {
    doubtful = { plate: new Map(), containers: new Map() };
    if (v.plate && doubt(v.plate, 'plate')) doubtful.plate.set(checkPlate(v.plate.text).normalised, doubt(v.plate, 'plate'));
    for (const c of v.containers || []) if (doubt(c, 'container')) doubtful.containers.set(normalise(c.code), doubt(c, 'container'));
    refresh();
  }
  function refresh() {
    let left = 0;
    for (const box of form.querySelectorAll('[data-field="plate"], [data-field^="containers."]')) {
      const kind = box.dataset.field === 'plate' ? 'plate' : 'containers';
      const value = normalise(box.querySelector('input').value);
      const why = doubtful[kind].get(value);
      const key = `${kind}:${value}`;
      const wrongDigit = kind === 'containers' && why && why.includes('check digit');
      const open = Boolean(why) && !ticked.has(key);
      box.classList.toggle('needs-confirm', open);
      let slot = box.querySelector('.confirm-read');
      if (!why) { if (slot) slot.remove(); continue; }
      if (!slot) { slot = h('div', { class: 'confirm-read' }); box.querySelector('.field-ok').before(slot); }
      if (open) left += 1;
      const what = kind === 'plate' ? `The plate ${value}` : `${pretty(value)}`;
      replace(slot, h('p', { class: 'confirm-why' }, why), open && !wrongDigit
        ? h('button', { class: 'btn btn-warn confirm-tick', type: 'button', dataset: { confirm: box.dataset.field },
          onclick: () => { ticked.add(key); refresh(); } }, `✓ ${what} is right`)
        : open ? null : h('p', { class: 'confirm-done' }, '✓ Confirmed by you'));
    }
    button.disabled = left > 0;
    hint.textContent = left ? `Confirm or correct the ${left === 1 ? 'marked reading' : `${left} marked readings`} first.` : '';
    return left;
  }
  learn(vehicle);
  return { refresh, learn, pending: refresh };
}

const DISMISS_REASONS = ['Not a vehicle (false trigger)', 'The vehicle left the lane', 'The same vehicle is on another card'];

/** "Not a vehicle / gone": the card is taken off the lane with the officer's reason (through the outbox). */
export function dismissAction(vehicle, onDismissed) {
  const what = vehicle.plate ? vehicle.plate.text : 'this vehicle';
  async function dismiss() {
    const other = h('textarea', { maxlength: '500', rows: 2, id: 'dismiss-other', placeholder: 'Or say why in your words' });
    const radios = DISMISS_REASONS.map((text) => h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: 'dismiss-reason', value: text }), h('span', {}, text)));
    const chosen = () => other.value.trim() || ((radios.map((r) => r.querySelector('input')).find((i) => i.checked) || {}).value || '');
    const reason = await ask({
      id: 'dismiss-sheet', title: `Take ${what} off the lane?`,
      body: [h('p', {}, 'No inspection is started; the card goes from every tablet. Why?'),
        h('fieldset', {}, h('legend', {}, 'Reason'), radios), field('dismiss_other', 'Another reason', other)],
      actions: [{ text: `Dismiss ${what}`, kind: 'danger', id: 'dismiss-confirm', value: chosen,
        check: () => (chosen() ? null : 'Choose or write a reason, or cancel.') }],
    });
    if (!reason) return;
    await outbox.submit({ path: `/vehicles/${vehicle.id}/dismiss`, body: { id: outbox.newId(), reason },
      label: `Dismiss ${what} from the lane`, record: { type: 'vehicle', id: vehicle.id, kind: 'dismiss' } });
    waiting.delete(vehicle.id);
    await onDismissed();
  }
  return h('div', { class: 'dismiss-zone' },
    h('p', { class: 'muted' }, 'Not a vehicle, or it has gone?'),
    h('button', { class: 'btn', type: 'button', id: 'dismiss-vehicle', onclick: dismiss }, 'Dismiss this card…'));
}
