// A live tile per device: what it reads now, in type big enough to read at
// arm's length, its state, and grey when what it shows is old.

import * as live from './live.js';
import { h, replace } from './ui.js';
import * as fmt from './format.js';
import { pretty } from './iso6346.js';

export const TITLES = { scale: 'Scale', barcode: 'Barcode reader', document: 'Document reader', trace: 'Trace detector', radiation: 'Radiation portal' };
const STATES = {
  connected: ['CONNECTED', 'ok'],
  disconnected: ['DISCONNECTED', 'bad'],
  error: ['ERROR', 'bad'],
  calibration_due: ['CALIBRATION DUE', 'warn'],
  locked: ['LOCKED', 'grey'],
  unknown: ['…', 'info'],
};

export function stateBadge(state) {
  const [text, kind] = STATES[state] || [fmt.label(state).toUpperCase(), 'info'];
  return h('span', { class: `badge badge-${kind} state-badge` }, text);
}

/** Is a passport expired (expiry_date is ISO)? */
export function isExpired(mrz) {
  if (!mrz || !mrz.expiry_date) return false;
  return mrz.expiry_date < new Date().toISOString().slice(0, 10);
}

export function holderName(mrz) {
  if (!mrz) return '';
  return [mrz.surname, mrz.given_names].filter(Boolean).join(', ') || '(no name)';
}

function scaleBody(data) {
  if (data.status === 'overload' || data.status === 'underload') {
    return [h('div', { class: 'range-alert' }, data.status.toUpperCase()),
      h('p', { class: 'tare' }, data.status === 'overload' ? 'Above the scale\'s capacity — no valid weight.' : 'Below zero — zero the scale when empty.')];
  }
  const net = data.tare !== null && data.tare !== undefined && Number(data.tare) !== 0;
  return [
    h('div', { class: 'weight' },
      h('span', { class: 'weight-value', dataset: { weight: String(data.weight) } }, fmt.number(data.weight, decimalsFor(data))),
      h('span', { class: 'weight-unit' }, data.unit)),
    h('div', { class: `motion motion--${data.stable ? 'stable' : 'moving'}` }, data.stable ? 'STABLE' : 'MOVING'),
    h('p', { class: 'tare' }, net ? `NET — tare ${fmt.weight(data.tare, data.unit)}` : 'GROSS'),
  ];
}

function decimalsFor(data) {
  const text = String(data.weight);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(3, text.length - dot - 1);
}

function verdict(valid, textValid = 'VALID', textInvalid = 'INVALID') {
  return h('div', { class: `verdict verdict--${valid ? 'valid' : 'invalid'}` }, valid ? textValid : textInvalid);
}

function reasons(list) {
  return list && list.length ? h('ul', { class: 'reasons' }, list.map((r) => h('li', {}, r))) : null;
}

const AI_NAMES = { '00': 'SSCC', '01': 'GTIN', '02': 'content GTIN', 10: 'batch', 11: 'made', 17: 'expires', 21: 'serial', 37: 'count' };

/** Control characters (a GS1 separator, say) as visible marks, not boxes. */
function visible(text) {
  return String(text || '').replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? ' / ' : c === '\x1d' ? ' ␝ ' : '·'));
}

export function documentKind(mrz) {
  const code = String((mrz && mrz.document_type) || '').charAt(0);
  return { P: 'Passport', I: 'ID card', A: 'ID card', C: 'ID card', V: 'Visa' }[code] || (mrz && mrz.format === 'TD3' ? 'Passport' : 'Travel document');
}

export function describeScan(data) {
  const p = data.parsed;
  if (!p) return { what: 'Not a container, GS1 or MRZ code', valid: null };
  if (p.type === 'container') {
    return { what: `Container · owner ${p.owner || '?'} · ${p.category === 'U' ? 'freight container' : p.category === 'J' ? 'detachable equipment' : p.category === 'Z' ? 'trailer or chassis' : `category ${p.category || '?'}`}`, valid: p.valid, errors: p.errors, text: pretty(p.text || data.text) };
  }
  if (p.type === 'gs1') {
    // (01) before (10): numeric-looking keys would otherwise come out of order
    const ais = Object.entries(p.ais || {}).sort(([a], [b]) => a.localeCompare(b));
    const named = ais.filter(([ai]) => AI_NAMES[ai]).map(([ai, v]) => `${AI_NAMES[ai]} ${v}`).join(' · ');
    return { what: `GS1 label${named ? ` · ${named}` : ''}`, valid: p.valid, errors: p.errors,
      text: ais.map(([ai, v]) => `(${ai}) ${v}`).join(' ') || visible(data.text) };
  }
  if (p.type === 'mrz') {
    return { what: `Travel document (MRZ) · ${holderName(p)} · ${p.document_number || ''}`, valid: p.valid, errors: p.errors };
  }
  return { what: p.type, valid: p.valid ?? null };
}

function barcodeBody(data) {
  const info = describeScan(data);
  return [
    h('div', { class: 'scan-text' }, info.text || visible(data.text)),
    info.valid === null ? h('div', { class: 'verdict verdict--unknown' }, 'NOT RECOGNISED') : verdict(info.valid),
    h('p', { class: 'scan-what' }, info.what),
    info.valid === false ? reasons(info.errors) : null,
  ];
}

/** The trace result in words: an unverified detector never says CLEAR (docs/architecture.md, decision 5). */
export function traceVerdict(data, unverified) {
  const result = String((data && data.result) || '').toLowerCase();
  if (!unverified) return { text: result.toUpperCase() || '—', kind: result };
  return { text: result === 'alarm' ? 'ALARM — NOT VERIFIED' : 'NOT VERIFIED', kind: result === 'alarm' ? 'alarm' : 'unverified' };
}

function traceBody(data, { unverified = false } = {}) {
  const substances = data.substances || [];
  const verdict = traceVerdict(data, unverified);
  return [
    h('div', { class: `trace-result trace-result--${verdict.kind}` }, verdict.text),
    unverified ? h('p', { class: 'unverified-note' }, 'Do not rely on it: this detector failed or missed its check.') : null,
    substances.length ? h('ul', { class: 'substances' }, substances.map((s) =>
      h('li', {}, `${s.name} — ${s.class}, ${fmt.number(s.amplitude, 1)}`))) : null,
    h('p', { class: 'doc-line' }, `Sample ${data.sample_id || '—'}`),
  ];
}

function documentBody(data) {
  const mrz = data.mrz || {};
  const expired = isExpired(mrz);
  return [
    h('div', { class: 'holder' }, holderName(mrz)),
    h('div', { class: 'btn-row' }, verdict(mrz.valid), expired ? h('div', { class: 'verdict verdict--invalid' }, 'EXPIRED') : null),
    h('p', { class: 'doc-line' }, [documentKind(mrz),
      mrz.document_number, mrz.nationality, mrz.expiry_date ? `expires ${mrz.expiry_date}` : null].filter(Boolean).join(' · ')),
    mrz.valid ? null : reasons(mrz.errors),
  ];
}

function passResult(pass) {
  const kinds = [pass.gamma_alarm ? 'gamma' : null, pass.neutron_alarm ? 'neutron' : null].filter(Boolean).join(' and ');
  return [h('div', { class: `radiation-state radiation-state--${pass.alarm ? 'alarm' : 'clear'}` }, pass.alarm ? `ALARM (${kinds})` : 'Last vehicle clear'),
    h('p', { class: 'doc-line' }, `left the portal ${fmt.time(pass.ended_at)}`)];
}

/** The portal monitor's last word: a vehicle in it, the last one's result, or its background
 *  (docs/protocols.md, 11). The monitor goes back to background lines a moment after a vehicle
 *  leaves; the last vehicle's result stays on the tile until the next one comes. */
function radiationBody(data, { lastPass = null } = {}) {
  if (data.phase === 'occupied') return [h('div', { class: 'radiation-state radiation-state--occupied' }, 'Vehicle in the portal…')];
  if (data.phase === 'occupancy') return passResult(data);
  const gamma = data.gamma_cps || [];
  const background = gamma.length ? h('p', { class: 'tare' }, `background ${fmt.number(Math.min(...gamma))}–${fmt.number(Math.max(...gamma))} counts/s`) : null;
  return lastPass ? [...passResult(lastPass), background] : [h('p', { class: 'doc-line' }, 'Waiting for a vehicle'), background];
}

const BODIES = { scale: scaleBody, barcode: barcodeBody, trace: traceBody, document: documentBody, radiation: radiationBody };
const EMPTY = { scale: 'No weight yet', barcode: 'No scan yet', trace: 'No swab analysed yet', document: 'No document read yet', radiation: 'No scan yet' };

/** The banner of a device whose calibration or daily check is overdue or failed. */
export function notVerified() {
  return h('div', { class: 'not-verified', role: 'status' }, 'NOT VERIFIED — do not rely on it');
}

/**
 * A tile that keeps itself up to date. Returns {el, dispose}.
 * `kind` picks the lane's device of that kind when `id` is not known yet.
 * `since()` (the box's time an inspection started): a reading from before it
 * is not shown as this vehicle's — a trace result from before is not shown at all.
 */
export function createTile({ id = null, kind = null, compact = false, since = null } = {}) {
  const el = h('section', { class: `tile${compact ? ' is-compact' : ''}` });
  const title = h('h2');
  const stateSlot = h('span');
  const body = h('div', { class: 'tile-body' });
  const age = h('span', { class: 'age' });
  const detail = h('span', { class: 'detail' });
  const staleMark = h('span', { class: 'stale-mark' });
  el.append(h('header', { class: 'tile-head' }, title, h('span', { class: 'btn-row', style: { margin: 0 } }, staleMark, stateSlot)),
    body, h('footer', { class: 'tile-foot' }, age, detail));

  const current = () => (id ? live.get(id) : live.ofKind(kind));
  let lastPass = null; // a portal monitor's last vehicle, kept while it reads background again

  function earlier(reading) {
    const start = since && since();
    return Boolean(start && reading && reading.ts && Date.parse(reading.ts) < Date.parse(start));
  }

  function drawBody() {
    const d = current();
    const k = (d && d.kind) || kind;
    el.dataset.kind = k || '';
    el.setAttribute('aria-live', k === 'scale' ? 'off' : 'polite'); // ten weights a second would drown a screen reader
    el.dataset.device = (d && d.id) || id || '';
    const name = k === 'scale' && d && d.use === 'bench' ? 'Bench scale' : TITLES[k] || 'Device'; // not a second "Scale"
    replace(title, name, ' ', h('small', {}, (d && d.id) || id || ''));
    const reading = d && d.reading;
    if (reading && reading.data.phase === 'occupied') lastPass = null; // the next vehicle
    if (reading && reading.data.phase === 'occupancy') lastPass = reading.data;
    const draw = BODIES[k];
    const before = k !== 'scale' && earlier(reading);
    const unverified = live.unverified(d);
    el.classList.toggle('is-alarm', k === 'trace' && reading && reading.data.result === 'alarm' && !before);
    el.classList.toggle('is-unverified', unverified);
    el.classList.toggle('is-earlier', before);
    el.dataset.earlier = before ? 'true' : 'false';
    if (!reading || !draw) replace(body, h('p', { class: 'tile-empty' }, d ? EMPTY[k] || 'No reading yet' : 'Waiting for the lane box…'));
    else if (before && k === 'trace') {
      replace(body, h('p', { class: 'tile-empty' }, 'No swab of this vehicle yet'),
        h('p', { class: 'earlier-note' }, 'The last result was read before this inspection started: it is not shown.'));
    } else {
      replace(body, unverified && k !== 'trace' ? notVerified() : null, // a trace result says it itself, in its place
        before ? h('p', { class: 'earlier-note' }, 'Read before this inspection started — it may be the previous vehicle\'s.') : null,
        draw(reading.data, { unverified, lastPass }));
    }
    if (reading) el.dataset.seq = String(reading.seq);
    drawState();
  }

  function drawState() {
    const d = current();
    const state = (d && d.state) || 'unknown';
    for (const name of Object.keys(STATES)) el.classList.toggle(`state-${name}`, name === state);
    el.dataset.state = state;
    replace(stateSlot, stateBadge(state));
    detail.textContent = d && d.detail && state !== 'connected' ? d.detail : '';
    tick();
  }

  function tick() {
    const d = current();
    const stale = live.isStale(d);
    const link = live.linkState();
    el.classList.toggle('is-stale', stale);
    stateSlot.hidden = !link.up; // with no link the last known state would mislead
    el.dataset.stale = stale ? 'true' : 'false';
    staleMark.textContent = !link.up ? 'NO LINK' : 'STALE';
    age.textContent = d && d.readingAt ? `reading ${fmt.ago(d.readingAt)}` : (link.up ? '' : link.detail);
  }

  const unsubscribe = live.subscribe((type, payload) => {
    const d = current();
    if (type === 'link') return tick();
    if (type === 'device') return drawBody();
    if (!d) return undefined;
    if (type === 'reading' && payload.device_id === d.id) return drawBody();
    if (type === 'status' && payload.id === d.id) return drawBody(); // a device failing its check changes what it says
    return undefined;
  });
  const timer = setInterval(tick, 1000);
  drawBody();
  return { el, redraw: drawBody, dispose: () => { unsubscribe(); clearInterval(timer); } };
}
