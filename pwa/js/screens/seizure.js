// Seizure: what was seized (items, legal basis), the evidence bags, each
// bag's chain of custody — every custody step confirmed by scanning the
// bag's QR label on the lane reader (or typing its id) — and the report.

import * as api from '../api.js';
import * as drafts from '../drafts.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import * as session from '../session.js';
import { cacheGet, cachePut } from '../db.js';
import { getJustified } from '../justify.js';
import { loadReference, currencies } from '../reference.js';
import { guardLeaving } from '../router.js';
import { add, badge, busy, clearErrors, field, focusFirstField, h, replace, setFieldError, showError, toast } from '../ui.js';
import * as fmt from '../format.js';
import { scannedBagId } from '../labels_crypto.js';
import { openPdf } from './inspection.js';
import { cenBody, cenCheck, cenSections, cenSummary, initialState, loadPrefill, rememberDestination } from './seizure_cen.js';
import { justified } from '../justify.js';

const UNITS = ['kg', 'g', 'l', 'pcs', 'cartons'];
const ACTIONS = [
  ['sealed', 'Seal', 'btn-primary'], ['handed_over', 'Hand over', 'btn-primary'], ['received', 'Receive', ''],
  ['stored', 'Store', ''], ['released', 'Release', 'btn-go'], ['destroyed', 'Destroy', 'btn-danger'],
  ['sampled', 'Record the sampling', ''], ['submitted_to_lab', 'Send to laboratory', ''],
  ['returned_from_lab', 'Back from laboratory', ''],
];
const ENDED = new Set(['released', 'destroyed']);
const LAB = new Set(['submitted_to_lab', 'returned_from_lab']);
/** Sealing, release, destruction and opening a bag for a sample are countersigned by a second officer (docs/evidence.md). */
const WITNESSED = new Set(['sealed', 'released', 'destroyed', 'sampled']);
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** The custody step expected after each (docs/officer-api.md: sealed, handed over, received, stored). */
const NEXT = { '': 'sealed', sealed: 'handed_over', handed_over: 'received', received: 'stored', stored: 'released' };
/** A sample's: sealed, to the laboratory, back, stored. */
const SAMPLE_NEXT = { '': 'sealed', sealed: 'submitted_to_lab', submitted_to_lab: 'returned_from_lab', returned_from_lab: 'stored' };

/** bag_id = "BAG-" + the first 8 hex digits of the event id, upper case. */
export function bagIdFor(eventId) {
  return `BAG-${eventId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

/** The seizure from the box, asking why when the box asks (the persons it names are
 *  personal data); only when the box cannot be reached is the tablet's last copy shown:
 *  a refusal, or a reason not given, is never answered with the cached copy. */
export async function loadSeizure(id) {
  try {
    const seizure = await getJustified(`/seizures/${id}`, { record: id, what: 'the persons named in this seizure',
      first: ['case_follow_up', 'court_request', 'this_inspection'] });
    cachePut(`seizure:${id}`, seizure);
    return { seizure, note: '' };
  } catch (err) {
    const cached = err instanceof api.NetworkError ? await cacheGet(`seizure:${id}`) : null;
    if (!cached) throw err;
    return { seizure: cached, note: `${api.describe(err)} Showing the seizure as last seen.` };
  }
}

/** The lane's bench scale (a scale configured with use = "bench"), or null: seized
 *  goods are weighed there, never on the weighbridge, whose reading is the vehicle's. */
async function findBenchScale() {
  try {
    const { devices } = await api.get('/devices');
    const bench = devices.find((d) => d.kind === 'scale' && d.use === 'bench');
    return bench ? bench.id : null;
  } catch {
    return null;
  }
}

/** The bench scale's current stable reading, or null. */
function stableReading(deviceId) {
  const d = deviceId && live.get(deviceId);
  if (!d || !d.reading || live.isStale(d)) return null;
  const r = d.reading.data;
  if (!r.stable || r.status !== 'ok') return null;
  return d.reading;
}

/** Record what the bench scale shows as a weighing of its own (POST /bench-weighings),
 *  so the item cites that reading even if the seizure is sent minutes later. */
async function weighOnBench(deviceId) {
  const reading = stableReading(deviceId);
  if (!reading) throw new Error(`No stable weight on ${deviceId} right now: put the goods on it and wait for the stable mark.`);
  const id = outbox.newId();
  const { event } = await api.post('/bench-weighings', { id, ts: outbox.nowIso(), device_id: deviceId, reading_seq: reading.seq });
  return { id, kg: event.payload.weight_kg };
}

/** A weight in kg as officers read it. */
function kg(value) {
  return `${fmt.number(value, 2)} kg`;
}

/** A sampling's check in words: the parent now against its weight before less the sample. */
function sampleWords(check) {
  const figures = `${kg(check.before_kg)} less the sample's ${kg(check.sample_kg)}`;
  if (check.ok === null) return `Weight not judged: a scale's accuracy is not on record (${figures}).`;
  if (check.ok === false) return `WEIGHT DIFFERS — custody alarm: ${kg(check.after_kg)} against ${figures} (difference ${kg(Math.abs(check.difference_kg))}, limit ${kg(check.limit_kg)})`;
  return `Weight matches ${figures} (difference ${kg(Math.abs(check.difference_kg))}, limit ${kg(check.limit_kg)})`;
}

/** The bags in order, each sample's sub-bag after its parent: [bag, its samples]. */
function parentsWithSamples(bags) {
  const ids = new Set(bags.map((b) => b.bag_id));
  return bags.filter((b) => !b.parent_bag_id || !ids.has(b.parent_bag_id))
    .map((b) => [b, bags.filter((x) => x.parent_bag_id === b.bag_id)]);
}

/** A receipt's weight check in words. */
function weightWords(check) {
  if (check.ok === null) return `Weight not judged: the scale's accuracy is not on record (difference ${kg(Math.abs(check.difference_kg))}).`;
  if (check.ok === false) return `WEIGHT DIFFERS — custody alarm (difference ${kg(Math.abs(check.difference_kg))}, limit ${kg(check.limit_kg)})`;
  return `Weight matches the sealed weight (difference ${kg(Math.abs(check.difference_kg))}, limit ${kg(check.limit_kg)})`;
}

// ----- new seizure ------------------------------------------------------
export async function renderNew(view, { id: inspectionId }) {
  const ref = await loadReference().catch(() => null);
  const inspection = await api.get(`/inspections/${inspectionId}`).catch(async () => cacheGet(`inspection:${inspectionId}`));
  const benchScale = await findBenchScale();
  let cen = initialState(await loadPrefill(inspectionId)); // what the inspection already says, to confirm
  const cenBox = h('div');
  const form = h('form', { class: 'card', id: 'seizure-form', novalidate: true });
  const itemsBox = h('div', { id: 'items' });
  const legal = h('input', { maxlength: '500', placeholder: 'e.g. CEMA 1979 s.139 — goods liable to forfeiture', list: 'legal-bases' });
  const oneBag = h('input', { type: 'checkbox', checked: true, name: 'one_bag' });
  const closeIt = h('input', { type: 'checkbox', checked: true, name: 'close' });
  let items = [blankItem(ref)];
  let recorded = false; // its draft is done with

  function blankItem(r) {
    return { description: '', hs_code: '', quantity: '', unit: 'kg', weight_kg: '', value: '', currency: (r && r.currency) || 'EUR' };
  }

  function itemRow(item, i) {
    const input = (key, attrs) => {
      const el = h('input', { ...attrs, value: item[key] });
      el.addEventListener('input', () => { item[key] = el.value; });
      return el;
    };
    const unit = h('select', {}, UNITS.map((u) => h('option', { value: u, selected: u === item.unit }, u)));
    unit.addEventListener('change', () => { item.unit = unit.value; });
    const currency = h('select', {}, currencies(ref).map((c) => h('option', { value: c, selected: c === item.currency }, c)));
    currency.addEventListener('change', () => { item.currency = currency.value; });
    const weight = input('weight_kg', { type: 'number', inputmode: 'decimal', min: '0', step: 'any' });
    const weighedNote = h('p', { class: 'note weighed-note', dataset: { weighed: String(i) } },
      item.weighing_id ? `Weighed on ${benchScale} ✓` : benchScale ? '' : 'No bench scale at this lane: type the weight.');
    weight.addEventListener('input', () => { delete item.weighing_id; weighedNote.textContent = ''; }); // typed: no longer the scale's
    const fromScale = benchScale && h('button', { class: 'btn', type: 'button', dataset: { fromScale: String(i) } }, `From ${benchScale}`);
    if (fromScale) {
      fromScale.addEventListener('click', () => busy(fromScale, async () => {
        try {
          const weighed = await weighOnBench(benchScale);
          item.weight_kg = String(weighed.kg);
          item.weighing_id = weighed.id;
          weight.value = item.weight_kg;
          weighedNote.textContent = `Weighed on ${benchScale} ✓`;
          setFieldError(form, `items.${i}.weight_kg`, null);
          draft.changed();
        } catch (err) {
          setFieldError(form, `items.${i}.weight_kg`, api.describe(err));
        }
      }));
    }
    const weightField = field(`items.${i}.weight_kg`, 'Weight (kg)', weight);
    weightField.insertBefore(h('div', { class: 'inline-input' }, weight, fromScale), weightField.querySelector('.field-ok'));
    weightField.insertBefore(weighedNote, weightField.querySelector('.field-ok'));
    return h('div', { class: 'item-row', dataset: { field: `items.${i}` } },
      h('h2', { class: 'item-head' }, `Item ${i + 1}`, items.length > 1 ? h('button', { class: 'btn', type: 'button', onclick: () => { items.splice(i, 1); draw(); } }, 'Remove') : null),
      field(`items.${i}.description`, 'Description', input('description', { maxlength: '500', placeholder: 'e.g. Cigarettes, 200 cartons' })),
      h('div', { class: 'grid-3' },
        field(`items.${i}.hs_code`, 'HS code', input('hs_code', { inputmode: 'numeric', maxlength: '10', class: 'mono', placeholder: '6–10 digits' })),
        field(`items.${i}.quantity`, 'Quantity', input('quantity', { type: 'number', inputmode: 'decimal', min: '0', step: 'any' })),
        field(`items.${i}.unit`, 'Unit', unit)),
      h('div', { class: 'grid-3' },
        weightField,
        field(`items.${i}.value`, 'Value', input('value', { type: 'number', inputmode: 'decimal', min: '0', step: '0.01' })),
        field(`items.${i}.currency`, 'Currency', currency)),
      h('p', { class: 'field-error', role: 'alert' }));
  }

  function draw() {
    replace(itemsBox, items.map(itemRow));
  }

  function fromDeclaration() {
    const goods = (inspection && inspection.declaration && inspection.declaration.goods) || [];
    if (!goods.length) return null;
    return h('button', { class: 'btn', type: 'button', onclick: () => {
      items = goods.map((g) => ({ description: g.description, hs_code: g.hs_code, quantity: String(g.quantity), unit: UNITS.includes(g.unit) ? g.unit : 'pcs', weight_kg: '', value: String(g.value), currency: g.currency }));
      draw();
    } }, 'Copy the declared goods');
  }

  add(form, 
    h('fieldset', {}, h('legend', {}, 'Items seized'), itemsBox,
      h('div', { class: 'btn-row' }, h('button', { class: 'btn', type: 'button', onclick: () => { items.push(blankItem(ref)); draw(); } }, '+ Add item'), fromDeclaration())),
    field('legal_basis', 'Legal basis', legal),
    h('datalist', { id: 'legal-bases' },
      ['CEMA 1979 s.139 — goods liable to forfeiture', 'CEMA 1979 s.49 — improperly imported goods', 'Misuse of Drugs Act 1971 s.23', 'Official Controls (Plant Health) Regulations'].map((v) => h('option', { value: v }))),
    cenBox,
    h('label', { class: 'check-row' }, oneBag, 'Put all items in one evidence bag now'),
    h('label', { class: 'check-row' }, closeIt, 'Close the inspection with outcome SEIZE'),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-danger btn-big btn-block', type: 'submit' }, 'Record seizure'));

  function check() {
    clearErrors(form);
    let ok = true;
    const bad = (name, message) => { setFieldError(form, name, message); ok = false; };
    items.forEach((item, i) => {
      if (!item.description.trim()) bad(`items.${i}.description`, 'Describe the item.');
      if (!/^\d{6,10}$/.test(item.hs_code.trim())) bad(`items.${i}.hs_code`, 'An HS code is 6 to 10 digits, e.g. 240220.');
      if (!(Number(item.quantity) > 0)) bad(`items.${i}.quantity`, 'A quantity above 0.');
      if (item.weight_kg !== '' && !(Number(item.weight_kg) >= 0)) bad(`items.${i}.weight_kg`, 'A weight of 0 kg or more, or leave empty.');
      if (item.value === '' || !(Number(item.value) >= 0)) bad(`items.${i}.value`, 'A value of 0 or more.');
    });
    if (!legal.value.trim()) bad('legal_basis', 'Name the legal basis for the seizure.');
    cenCheck(cen, bad);
    return ok;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), async () => {
      if (!check()) { const first = form.querySelector('.is-invalid input, .is-invalid select'); if (first) first.focus(); return; }
      const sid = outbox.newId();
      const body = {
        id: sid, ts: outbox.nowIso(), inspection_id: inspectionId, legal_basis: legal.value.trim(),
        items: items.map((item) => {
          const out = { description: item.description.trim(), hs_code: item.hs_code.trim(), quantity: Number(item.quantity), unit: item.unit, value: Number(item.value), currency: item.currency };
          if (item.weight_kg !== '') out.weight_kg = Number(item.weight_kg);
          if (item.weighing_id) out.weighing_id = item.weighing_id;
          return out;
        }),
        ...cenBody(cen),
      };
      let result;
      try {
        result = await outbox.submit({ path: '/seizures', body, label: `Seizure on ${inspection ? inspection.plate : 'inspection'}`, record: { type: 'seizure', id: sid, kind: 'create', inspection: inspectionId } });
      } catch (err) {
        showError(form, err);
        return;
      }
      await cachePut(`seizure:${sid}`, result.sent ? result.data.seizure : {
        id: sid, inspection_id: inspectionId, legal_basis: body.legal_basis, items: body.items, created_at: body.ts,
        created_by: session.username(), bags: [], events: [], local: true, cen: cenBody(cen),
      });
      if (oneBag.checked) {
        const bagEvent = outbox.newId();
        await outbox.enqueue({ path: `/seizures/${sid}/bags`, body: { id: bagEvent, ts: outbox.nowIso(), description: body.items.map((x) => x.description).join('; ').slice(0, 500), items: body.items.map((_, i) => i) }, label: `Bag ${bagIdFor(bagEvent)}`, record: { type: 'seizure', id: sid, kind: 'bag', bag_id: bagIdFor(bagEvent) } });
      }
      if (closeIt.checked) {
        await outbox.enqueue({ path: `/inspections/${inspectionId}/outcome`, body: { id: outbox.newId(), ts: outbox.nowIso(), outcome: 'seize', reason: body.legal_basis }, label: `Outcome seize for ${inspection ? inspection.plate : 'inspection'}`, record: { type: 'inspection', id: inspectionId, kind: 'outcome' } });
      }
      recorded = true;
      rememberDestination(cen);
      await draft.clear();
      await outbox.flush();
      toast(result.sent ? 'Seizure recorded' : 'Seizure kept on the tablet — sent when the box is reachable');
      location.hash = `#/seizures/${sid}`;
    });
  });

  // the form as typed is kept on the tablet until the seizure is recorded
  const filled = () => Boolean(legal.value.trim()) || items.some((item) => ['description', 'hs_code', 'quantity', 'weight_kg', 'value']
    .some((key) => String(item[key]).trim()));
  const draftMark = h('p', { class: 'draft-mark', id: 'seizure-draft-mark', role: 'status' });
  const draft = drafts.keeper(`seizure:${inspectionId}`, () => (filled() && !recorded
    ? { items: items.map((item) => ({ ...item })), legal: legal.value, oneBag: oneBag.checked, closeIt: closeIt.checked, cen } : null),
  (kept) => { draftMark.textContent = kept && !recorded ? `Kept on this tablet ✓ ${fmt.time(new Date().toISOString())}` : ''; });
  const kept = await drafts.load(`seizure:${inspectionId}`);
  if (kept) {
    items = kept.items && kept.items.length ? kept.items : items;
    legal.value = kept.legal || '';
    oneBag.checked = kept.oneBag !== false;
    closeIt.checked = kept.closeIt !== false;
    if (kept.cen) cen = kept.cen;
    draftMark.textContent = 'Restored from this tablet ✓';
  }
  replace(cenBox, cenSections(cen, () => draft.changed()));
  form.addEventListener('input', () => draft.changed());
  form.addEventListener('change', () => draft.changed());
  form.addEventListener('click', (event) => { if (event.target.closest('button[type=button]')) draft.changed(); });
  const unguard = guardLeaving(() => (draft.dirty() ? 'This seizure is not recorded yet; what you entered is kept on this tablet as a draft. Leave the form?' : null));

  draw();
  form.querySelector('button[type=submit]').before(draftMark);
  add(view, h('div', { class: 'page-head' }, h('h1', {}, `Seize goods${inspection ? ` — ${inspection.plate}` : ''}`),
    h('a', { class: 'btn', href: `#/inspections/${inspectionId}` }, 'Back to inspection')), form);
  return () => { unguard(); draft.flush(); };
}

// ----- one seizure: bags, custody, labels, report -------------------------
export async function render(view, { id }) {
  let seizure = null;
  let note = '';
  const disposers = [];
  const head = h('div', { class: 'page-head' });
  const banners = h('div');
  const info = h('div', { class: 'card', id: 'seizure-info' });
  const bagsBox = h('div', { id: 'bags', class: 'bags' });
  const addBag = h('div', { class: 'card', id: 'add-bag' });
  const actionsCard = h('div', { class: 'card no-print' });

  let plate = null; // which lorry the seizure is from, named at the top
  const benchScale = await findBenchScale(); // where a sealed bag is weighed, and reweighed at a receipt
  let loads = 0; // only the newest load draws: a slow older reply must not undo a newer step on screen
  let reloadWhenClosed = false; // something was sent while an officer filled a custody form
  async function load() {
    const mine = ++loads;
    reloadWhenClosed = false;
    let got;
    try {
      got = await loadSeizure(id);
    } catch (err) {
      if (mine === loads) replace(view, h('p', { class: 'banner banner-bad' }, api.describe(err)));
      return;
    }
    if (mine !== loads) return;
    ({ seizure, note } = got);
    if (!plate) {
      const inspection = await api.get(`/inspections/${seizure.inspection_id}`).catch(() => cacheGet(`inspection:${seizure.inspection_id}`));
      plate = inspection ? inspection.plate : null;
    }
    if (mine === loads) await draw();
  }

  /** A bag's form closed: catch up with what was sent meanwhile. */
  function closed(panel) {
    replace(panel);
    if (reloadWhenClosed) load();
  }

  async function draw() {
    const pending = await outbox.forRecord('seizure', id);
    const waiting = pending.filter((p) => p.state === 'waiting');
    replace(head, h('h1', {}, plate ? ['Seizure from ', h('span', { class: 'mono', id: 'seizure-plate' }, plate)] : 'Seizure'),
      h('a', { class: 'btn', href: `#/inspections/${seizure.inspection_id}` }, 'Back to inspection'));
    replace(banners,
      note ? h('div', { class: 'banner banner-info' }, note) : null,
      waiting.length ? h('div', { class: 'banner banner-warn' }, `${waiting.length} change${waiting.length === 1 ? '' : 's'} to this seizure waiting to be sent.`) : null,
      pending.filter((p) => p.state === 'rejected').map((p) => h('div', { class: 'banner banner-bad' }, `Not accepted: ${p.label} — ${p.error.message}`)));
    replace(info,
      h('dl', { class: 'kv' },
        h('dt', {}, 'Legal basis'), h('dd', {}, seizure.legal_basis),
        h('dt', {}, 'Recorded'), h('dd', {}, `${fmt.dateTime(seizure.created_at)} by ${seizure.created_by || '—'}`)),
      h('table', { id: 'items-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Description'), h('th', {}, 'HS'), h('th', { class: 'num' }, 'Quantity'), h('th', { class: 'num' }, 'Weight'), h('th', { class: 'num' }, 'Value'))),
        h('tbody', {}, (seizure.items || []).map((it, i) => h('tr', {}, h('td', {}, i + 1), h('td', {}, it.description), h('td', { class: 'mono' }, it.hs_code),
          h('td', { class: 'num' }, `${fmt.number(it.quantity, Number.isInteger(it.quantity) ? 0 : 2)} ${it.unit}`),
          h('td', { class: 'num' }, it.weight_kg != null ? `${fmt.number(it.weight_kg, Number.isInteger(it.weight_kg) ? 0 : 2)} kg${it.weighed ? ` on ${it.weighed.device_id}` : ''}` : '—'),
          h('td', { class: 'num' }, fmt.money(Number(it.value).toFixed(2), it.currency)))))),
      cenSummary(seizure.cen));

    const bags = [...(seizure.bags || [])];
    for (const p of pending.filter((x) => x.record.kind === 'bag')) {
      const sampleOf = /\/bags\/([^/]+)\/samples$/.exec(p.path); // a sample bag waiting: under its parent
      if (!bags.some((b) => b.bag_id === p.record.bag_id)) bags.push({ bag_id: p.record.bag_id, parent_bag_id: sampleOf ? decodeURIComponent(sampleOf[1]) : null, description: p.body.description, items: p.body.items || [], custody: [], state: 'waiting', waiting: p });
    }
    for (const d of disposers.splice(0)) d();
    const pendingFor = (bagId) => pending.filter((p) => p.record.kind === 'custody' && p.record.bag_id === bagId);
    const card = (b, samples) => bagCard(b, pendingFor(b.bag_id), samples, pendingFor);
    replace(bagsBox, bags.length ? parentsWithSamples(bags).map(([b, samples]) => card(b, samples))
      : h('p', { class: 'muted' }, 'No bags yet: put the seized items in evidence bags and add them here.'));
    drawAddBag();
    replace(actionsCard, h('h2', {}, 'Labels and report'), h('div', { class: 'btn-row' },
      h('a', { class: 'btn btn-primary', href: `#/seizures/${id}/labels`, id: 'labels-link' }, 'Label sheet (print)'),
      h('button', { class: 'btn', type: 'button', id: 'report-button', onclick: (e) => busy(e.currentTarget, () => openPdf(`/seizures/${id}/report.pdf`, e.currentTarget)) }, 'Open PDF report'),
      h('button', { class: 'btn', type: 'button', id: 'export-button', onclick: (e) => busy(e.currentTarget, () => exportCen(e.currentTarget)) }, 'Export for CEN (JSON)')));
  }

  /** The seizure in the CEN shape, saved as a file: an export of persons' data, so the box asks why. */
  async function exportCen(near) {
    const path = `/seizures/${id}/export.json`;
    try {
      const { url } = await justified((headers) => api.blobUrl(path, { headers }),
        { record: path, what: 'this export', first: ['case_follow_up', 'court_request'] });
      let link = document.getElementById('export-link');
      if (!link) {
        link = h('a', { id: 'export-link', class: 'btn', download: `seizure-${id}-cen.json` }, 'Save the export again');
        near.insertAdjacentElement('afterend', link);
      }
      link.href = url;
      link.click();
    } catch (err) {
      toast(api.describe(err), { bad: true, ms: 6000 });
    }
  }

  function bagCard(bag, pendingCustody, samples = [], pendingFor = () => []) {
    const custody = bag.custody || [];
    const lastStep = pendingCustody.length ? pendingCustody[pendingCustody.length - 1].body : custody.length ? custody[custody.length - 1] : null;
    const last = lastStep ? lastStep.action : null;
    const consumed = last === 'returned_from_lab' && lastStep.consumed === true;
    const ended = ENDED.has(last) || consumed;
    const isSample = Boolean(bag.parent_bag_id);
    // a sample sealed in its sub-bag whose taking the parent has not recorded yet
    const recorded = new Set(custody.map((c) => c.sample_bag_id).filter(Boolean));
    const pendingSample = samples.find((x) => (x.custody || []).length && !recorded.has(x.bag_id));
    const panel = h('div');
    const card = h('article', { class: `bag${isSample ? ' bag-sample' : ''}`, dataset: { bag: bag.bag_id } },
      h('div', { class: 'card-head' }, h('span', { class: 'bag-id' }, bag.bag_id),
        bag.waiting ? badge('WAITING TO SEND', 'warn') : badge(consumed ? 'USED UP AT THE LABORATORY' : String(last || bag.state || 'new').replace(/_/g, ' ').toUpperCase(), ended ? 'grey' : last ? 'ok' : 'info')),
      isSample ? h('p', { class: 'sample-of' }, `Sample of ${bag.parent_bag_id}`) : null,
      h('p', {}, bag.description, h('span', { class: 'muted' }, ` — items ${(bag.items || []).map((i) => i + 1).join(', ')}`)),
      (bag.alarms || []).map((a) => h('p', { class: 'banner banner-bad custody-alarm' }, `CUSTODY ALARM — ${a.message}`)),
      custody.length || pendingCustody.length ? h('ol', { class: 'timeline' },
        custody.map((c) => h('li', {}, h('span', { class: 'action' }, fmt.label(c.action)), ` ${fmt.dateTime(c.at)} by ${c.by}`,
          c.witness ? `, witnessed by ${c.witness.username}` : '',
          c.to ? ` → ${c.to}` : '', c.location ? ` at ${c.location}` : '', c.seal_number ? ` seal ${c.seal_number}` : '',
          c.seal_intact === false ? ' — SEAL BROKEN' : c.seal_intact ? ', seal intact' : '',
          c.weighed ? `, ${kg(c.weighed.weight_kg)} on ${c.weighed.device_id}` : '',
          c.sample_bag_id ? `, sample in ${c.sample_bag_id}` : '',
          c.lab ? ` to ${c.lab}, their reference ${c.lab_reference}` : '',
          c.result_reference ? `, result ${c.result_reference}, ${c.consumed ? 'sample used up' : 'sample came back'}` : '',
          ` (${c.confirmation === 'scan' ? 'QR scanned' : 'id typed'})`,
          c.weight_check ? h('span', { class: `weight-check ${c.weight_check.ok === false ? 'is-bad' : ''}` }, ` ${weightWords(c.weight_check)}`) : null,
          c.sample_check ? h('span', { class: `weight-check ${c.sample_check.ok === false ? 'is-bad' : ''}` }, ` ${sampleWords(c.sample_check)}`) : null)),
        pendingCustody.map((p) => h('li', { class: p.state === 'rejected' ? 'is-rejected' : 'is-waiting' }, h('span', { class: 'action' }, fmt.label(p.body.action)),
          p.state === 'rejected' ? ` — not accepted: ${p.error.message}` : ' — waiting to send'))) : null,
      ended ? null : custodyButtons(last),
      panel,
      samples.length ? h('div', { class: 'sub-bags' }, h('h3', {}, `Samples of ${bag.bag_id}`),
        samples.map((x) => bagCard(x, pendingFor(x.bag_id)))) : null);

    /** The expected next step first and biggest; the others after it; Destroy on its own, away from Release. */
    function custodyButtons(done) {
      const expected = pendingSample ? 'sampled' : (isSample ? SAMPLE_NEXT : NEXT)[done || ''];
      const allowed = ([a]) => {
        if (!done) return a === 'sealed';
        if (done === 'submitted_to_lab') return a === 'returned_from_lab';
        if (a === 'sealed') return false;
        if (a === 'sampled') return Boolean(pendingSample);
        if (a === 'returned_from_lab') return false;
        return !LAB.has(a) || isSample;
      };
      const possible = ACTIONS.filter(allowed);
      const button = ([action, text, cls]) => h('button', {
        class: `btn ${action === expected ? 'btn-primary btn-big is-expected' : cls === 'btn-danger' ? 'btn-danger' : ''}`,
        type: 'button', dataset: { action }, onclick: () => openPanel(action),
      }, action === expected ? `Next: ${text}` : text);
      const first = possible.filter(([a]) => a === expected);
      const others = possible.filter(([a]) => a !== expected && a !== 'destroyed');
      const destroy = possible.filter(([a]) => a === 'destroyed' && a !== expected);
      const sample = done && !isSample && !pendingSample && !LAB.has(done)
        ? h('button', { class: 'btn', type: 'button', dataset: { action: 'take-sample' }, onclick: () => replace(panel, samplePanel()) }, 'Take a sample') : null;
      return h('div', { class: 'custody-actions no-print' },
        first.length ? h('div', { class: 'btn-row' }, first.map(button)) : null,
        others.length || sample ? h('div', { class: 'btn-row' }, others.map(button), sample) : null,
        destroy.length ? h('div', { class: 'btn-row custody-destroy' }, destroy.map(button)) : null);
    }

    /** Take a sample into a sub-bag of its own: its id (and label) made here, then it is sealed like any bag. */
    function samplePanel() {
      const description = h('input', { maxlength: '500', placeholder: 'e.g. 2 cartons for analysis' });
      const form = h('form', { class: 'handover', novalidate: true, dataset: { custody: 'take-sample' } },
        h('h3', {}, `Take a sample of ${bag.bag_id}`),
        h('p', { class: 'note' }, 'The sample goes into a new bag of its own, with its own label, seal and weight. Then record the sampling on this bag: opened before a witness, sealed again and reweighed.'),
        field('description', 'What is in the sample bag', description),
        h('p', { class: 'form-error', role: 'alert' }),
        h('div', { class: 'btn-row' },
          h('button', { class: 'btn btn-primary btn-big', type: 'submit' }, 'Make the sample bag'),
          h('button', { class: 'btn', type: 'button', onclick: () => closed(panel) }, 'Cancel')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        busy(form.querySelector('button[type=submit]'), async () => {
          clearErrors(form);
          if (!description.value.trim()) { setFieldError(form, 'description', 'Say what the sample is.'); description.focus(); return; }
          const eventId = outbox.newId();
          const sampleId = bagIdFor(eventId);
          try {
            const result = await outbox.submit({ path: `/bags/${encodeURIComponent(bag.bag_id)}/samples`, body: { id: eventId, ts: outbox.nowIso(), description: description.value.trim() }, label: `Sample bag ${sampleId}`, record: { type: 'seizure', id, kind: 'bag', bag_id: sampleId } });
            toast(result.sent ? `${sampleId}: sample bag of ${bag.bag_id} — seal it now` : `${sampleId} kept on the tablet — sent when the box is reachable`);
            replace(panel);
            if (result.sent) await load(); else await draw();
          } catch (err) {
            showError(form, err);
          }
        });
      });
      focusFirstField(form);
      return form;
    }

    function openPanel(action) {
      for (const d of panelDisposers.splice(0)) d();
      replace(panel, custodyPanel(bag, action, () => { for (const d of panelDisposers.splice(0)) d(); closed(panel); }));
    }
    const panelDisposers = [];
    disposers.push(() => panelDisposers.forEach((d) => d()));

    /** The form for one custody step, confirmed by a scan of the bag's QR or by typing its id; sealing
     *  and a receipt weigh the bag on the bench scale, a receipt checks the seal, and sealing, release
     *  and destruction are countersigned by a witness who signs in here with their own password. */
    function custodyPanel(b, action, close) {
      const form = h('form', { class: 'handover', novalidate: true, dataset: { custody: action } });
      const to = h('input', { maxlength: '200', placeholder: 'name, rank or agency' });
      const location = h('input', { maxlength: '200', placeholder: 'e.g. lane 3 evidence locker' });
      const seal = h('input', { maxlength: '64', class: 'mono', placeholder: action === 'received' ? 'number read on the seal' : 'number on the seal' });
      const typed = h('input', { class: 'upper mono', maxlength: '20', placeholder: b.bag_id, autocapitalize: 'characters', autocomplete: 'off' });
      const wait = h('div', { class: 'scan-wait', id: 'scan-wait' }, `Scan the QR label of ${b.bag_id} on the lane reader`);
      const weighs = (action === 'sealed' || action === 'received' || action === 'sampled') && benchScale;
      const lab = h('input', { maxlength: '200', placeholder: 'e.g. LGC Forensics, Teddington' });
      const labRef = h('input', { maxlength: '200', class: 'mono' });
      const resultRef = h('input', { maxlength: '200', class: 'mono' });
      const usedUp = action === 'returned_from_lab' ? usedUpField() : null;
      const weighing = weighs ? weighField(action) : null;
      const sealCheck = action === 'received' ? sealIntactField() : null;
      const photos = action === 'sealed' ? photoField() : null;
      const witness = WITNESSED.has(action) ? witnessField() : null;
      let scanned = null;
      const [, text] = ACTIONS.find(([a]) => a === action);
      add(form,
        h('h3', {}, `${text}: ${b.bag_id}`),
        action === 'handed_over' || action === 'received' ? field('to', action === 'handed_over' ? 'Handed to' : 'Received by', to) : null,
        sealCheck && sealCheck.el,
        action === 'sampled' ? h('p', { class: 'note', id: 'sampled-into' }, `The sample is in ${pendingSample ? pendingSample.bag_id : '—'}. This bag was opened before the witness: seal it again and reweigh it.`) : null,
        action === 'submitted_to_lab' ? h('div', { class: 'grid-2' }, field('lab', 'Laboratory', lab), field('lab_reference', "Laboratory's reference", labRef)) : null,
        action === 'returned_from_lab' ? field('result_reference', 'Result reference', resultRef) : null,
        usedUp && usedUp.el,
        action === 'sealed' || action === 'received' || action === 'sampled' ? field('seal_number', action === 'received' ? 'Seal number read' : action === 'sampled' ? 'New seal number' : 'Seal number', seal) : null,
        weighing && weighing.el,
        action === 'sealed' && !benchScale ? h('p', { class: 'note' }, 'No bench scale at this lane: the sealed weight is not taken, and the report says so.') : null,
        photos && photos.el,
        field('location', 'Location', location),
        witness && witness.el,
        wait,
        field('scanned_text', 'Or type the bag id from the label', typed),
        h('p', { class: 'form-error', role: 'alert' }),
        h('div', { class: 'btn-row' },
          h('button', { class: 'btn btn-primary', type: 'submit' }, `Confirm ${text.toLowerCase()}`),
          h('button', { class: 'btn', type: 'button', onclick: close }, 'Cancel')));

      /** "Weigh the sealed bag" on the bench scale: a bench weighing the step cites. */
      function weighField(step) {
        const note = h('p', { class: 'note weighed-note', role: 'status' }, step === 'sealed' ? 'Put the sealed bag on the scale.' : 'Put the bag on the scale to compare it with its sealed weight.');
        const state = { id: null };
        const button = h('button', { class: 'btn btn-big', type: 'button', dataset: { weighBag: step } }, step === 'sealed' ? `Weigh the sealed bag on ${benchScale}` : step === 'sampled' ? `Weigh the resealed bag on ${benchScale}` : `Reweigh on ${benchScale}`);
        button.addEventListener('click', () => busy(button, async () => {
          setFieldError(form, 'weighing_id', null);
          try {
            const weighed = await weighOnBench(benchScale);
            state.id = weighed.id;
            note.textContent = `Weighed on ${benchScale}: ${kg(weighed.kg)} ✓`;
          } catch (err) {
            setFieldError(form, 'weighing_id', api.describe(err));
          }
        }));
        const el = field('weighing_id', 'Weight of the bag', button);
        el.insertBefore(note, el.querySelector('.field-ok'));
        return { el, id: () => state.id };
      }

      /** Is the seal intact? Two big choices, nothing chosen until the officer looks. */
      function sealIntactField() {
        const choice = (value, words) => h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: `seal-intact-${b.bag_id}`, value }), words);
        const el = h('fieldset', { dataset: { field: 'seal_intact' } }, h('legend', {}, 'Is the seal intact?'),
          h('div', { class: 'grid-2' }, choice('yes', 'Yes, intact'), choice('no', 'No, broken')), h('p', { class: 'field-error', role: 'alert' }));
        return { el, value: () => { const c = el.querySelector('input:checked'); return c ? c.value === 'yes' : null; } };
      }

      /** Did the analysis use the sample up? Two big choices, nothing chosen until the officer says. */
      function usedUpField() {
        const choice = (value, words) => h('label', { class: 'radio-row' }, h('input', { type: 'radio', name: `used-up-${b.bag_id}`, value }), words);
        const el = h('fieldset', { dataset: { field: 'consumed' } }, h('legend', {}, 'Did the analysis use the sample up?'),
          h('div', { class: 'grid-2' }, choice('yes', 'Yes, used up'), choice('no', 'No, it came back')), h('p', { class: 'field-error', role: 'alert' }));
        return { el, value: () => { const c = el.querySelector('input:checked'); return c ? c.value === 'yes' : null; } };
      }

      /** Photos of the sealed bag, uploaded as they are taken; the step cites their SHA-256. */
      function photoField() {
        const taken = [];
        const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: `seal-photo-${b.bag_id}`, class: 'visually-hidden' });
        const list = h('p', { class: 'note', role: 'status' });
        input.addEventListener('change', async () => {
          setFieldError(form, 'photos', null);
          const file = input.files[0];
          input.value = '';
          if (!file) return;
          if (!PHOTO_TYPES.includes(file.type)) { setFieldError(form, 'photos', 'Only JPEG, PNG or WebP photos.'); return; }
          try {
            const photo = await api.request('POST', '/photos', { body: file, contentType: file.type });
            if (!taken.includes(photo.sha256)) taken.push(photo.sha256);
            list.textContent = `${taken.length} photo${taken.length === 1 ? '' : 's'} of the sealed bag ✓`;
          } catch (err) {
            setFieldError(form, 'photos', api.describe(err));
          }
        });
        const el = field('photos', 'Photos of the sealed bag', input);
        el.append(h('label', { for: input.id, class: 'btn take-photo', 'aria-hidden': 'true' }, 'Take photo'), list);
        return { el, shas: () => [...taken] };
      }

      /** The witness signs in here with their own username and password; the step is sent with their
       *  session, which is signed out again at once. */
      function witnessField() {
        const user = h('input', { autocomplete: 'off', autocapitalize: 'none', placeholder: 'the witness\'s username' });
        const password = h('input', { type: 'password', autocomplete: 'off' });
        const el = h('fieldset', { class: 'witness' }, h('legend', {}, 'Witness: a second officer countersigns'),
          h('p', { class: 'note' }, 'The witness watches, then signs in here with their own username and password.'),
          field('witness_username', 'Witness username', user), field('witness_password', 'Witness password', password));
        return { el, user, password };
      }

      async function send(confirmation) {
        clearErrors(form);
        let bad = null;
        const need = (name, message, control) => { setFieldError(form, name, message); bad = bad || control; };
        if (action === 'handed_over' && !to.value.trim()) need('to', 'Who takes the bag? A hand-over needs a name.', to);
        if ((action === 'sealed' || action === 'sampled') && !seal.value.trim()) need('seal_number', 'Type the number on the seal.', seal);
        if (action === 'submitted_to_lab' && !lab.value.trim()) need('lab', 'Name the laboratory.', lab);
        if (action === 'submitted_to_lab' && !labRef.value.trim()) need('lab_reference', "Give the laboratory's reference.", labRef);
        if (action === 'returned_from_lab' && !resultRef.value.trim()) need('result_reference', 'Give the reference of the result.', resultRef);
        if (usedUp && usedUp.value() === null) need('consumed', 'Say whether the sample was used up.', null);
        if (sealCheck && sealCheck.value() === null) need('seal_intact', 'Look at the seal: is it intact?', null);
        if (sealCheck && sealCheck.value() && !seal.value.trim()) need('seal_number', 'Read the number on the seal.', seal);
        if ((action === 'sealed' || action === 'sampled') && weighing && !weighing.id()) need('weighing_id', `Weigh the sealed bag on ${benchScale} first.`, null);
        if (witness && !witness.user.value.trim()) need('witness_username', 'A second officer must witness this.', witness.user);
        if (witness && !witness.password.value) need('witness_password', 'The witness types their password.', witness.password);
        if (bad !== null) { if (bad) bad.focus(); return; }
        const body = { id: outbox.newId(), ts: outbox.nowIso(), action, confirmation };
        if (to.value.trim()) body.to = to.value.trim();
        if (location.value.trim()) body.location = location.value.trim();
        if (seal.value.trim()) body.seal_number = seal.value.trim();
        if (sealCheck) body.seal_intact = sealCheck.value();
        if (action === 'sampled' && pendingSample) body.sample_bag_id = pendingSample.bag_id;
        if (action === 'submitted_to_lab') { body.lab = lab.value.trim(); body.lab_reference = labRef.value.trim(); }
        if (action === 'returned_from_lab') { body.result_reference = resultRef.value.trim(); body.consumed = usedUp.value(); }
        if (weighing && weighing.id()) body.weighing_id = weighing.id();
        if (photos && photos.shas().length) body.photos = photos.shas();
        if (confirmation === 'scan') body.scanned_text = scanned;
        else body.scanned_text = typed.value.trim().toUpperCase();
        const path = `/bags/${encodeURIComponent(b.bag_id)}/custody`;
        try {
          if (witness) {
            await sendWitnessed(path, body);
            toast(`${b.bag_id}: ${fmt.label(action)}, witnessed by ${witness.user.value.trim()}`);
            close();
            await load();
            return;
          }
          const result = await outbox.submit({ path, body, label: `${text} ${b.bag_id}`, record: { type: 'seizure', id, kind: 'custody', bag_id: b.bag_id } });
          const check = result.sent && result.data.event.payload.weight_check;
          toast(check ? `${b.bag_id}: ${weightWords(check)}` : result.sent ? `${b.bag_id}: ${fmt.label(action)}` : `${b.bag_id}: ${fmt.label(action)} kept on the tablet — sent when the box is reachable`,
            { bad: Boolean(check && check.ok === false) });
          close();
          if (result.sent) await load(); else await draw();
        } catch (err) {
          showError(form, err, err.code === 'scan_mismatch' ? 'scanned_text' : err.code && err.code.startsWith('witness') ? 'witness_username' : null);
        }
      }

      /** Sign the witness in (their own session, not the officer's), send the step with it, sign it out.
       *  Sent now, not kept in the outbox: a countersignature needs the box, as the witness's sign-in does. */
      async function sendWitnessed(path, body) {
        let signed;
        try {
          signed = await api.request('POST', '/session', { body: { username: witness.user.value.trim(), password: witness.password.value }, token: null });
        } catch (err) {
          if (err instanceof api.ApiError && err.status === 401) throw new api.ApiError(409, 'witness_sign_in', 'Wrong username or password for the witness.', 'witness_password');
          throw err;
        } finally {
          witness.password.value = '';
        }
        try {
          await api.request('POST', path, { body, headers: { 'X-Witness-Token': signed.token } });
        } finally {
          api.request('DELETE', '/session', { token: signed.token }).catch(() => {}); // its TTL ends it otherwise
        }
      }

      const scan = live.subscribe((type, message) => {
        if (type !== 'reading' || message.kind !== 'barcode') return;
        const got = String(message.data.text || '').trim();
        if (scannedBagId(got) !== b.bag_id) {
          wait.classList.remove('is-matched');
          wait.textContent = `Scanned ${got.slice(0, 40)} — that is not ${b.bag_id}. Scan this bag's label.`;
          return;
        }
        scanned = got;
        wait.classList.add('is-matched');
        wait.textContent = `✓ ${b.bag_id} scanned`;
        send('scan');
      });
      panelDisposers.push(scan);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        busy(form.querySelector('button[type=submit]'), async () => {
          if (scanned) return send('scan');
          const t = typed.value.trim().toUpperCase();
          if (!t) { setFieldError(form, 'scanned_text', `Scan the label, or type the bag id (${b.bag_id}).`); typed.focus(); return undefined; }
          if (t !== b.bag_id) { setFieldError(form, 'scanned_text', `${t} is not this bag — its label says ${b.bag_id}.`); typed.focus(); return undefined; }
          return send('typed');
        });
      });
      focusFirstField(form);
      return form;
    }
    return card;
  }

  function drawAddBag() {
    const items = seizure.items || [];
    const description = h('input', { maxlength: '500', placeholder: 'e.g. 20 cartons, sealed bag A' });
    const checks = items.map((it, i) => h('label', { class: 'check-row' }, h('input', { type: 'checkbox', value: String(i), checked: true }), `${i + 1}. ${it.description}`));
    const form = h('form', { novalidate: true, id: 'add-bag-form' },
      h('h2', {}, 'Add an evidence bag'),
      field('description', 'What is in the bag', description),
      h('fieldset', { dataset: { field: 'items' } }, h('legend', {}, 'Items in this bag'), checks, h('p', { class: 'field-error', role: 'alert' })),
      h('p', { class: 'form-error', role: 'alert' }),
      h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add bag'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(form.querySelector('button[type=submit]'), async () => {
        clearErrors(form);
        const chosen = checks.map((c) => c.querySelector('input')).filter((c) => c.checked).map((c) => Number(c.value));
        let ok = true;
        if (!description.value.trim()) { setFieldError(form, 'description', 'Say what is in the bag.'); ok = false; }
        if (!chosen.length) { setFieldError(form, 'items', 'Tick at least one item.'); ok = false; }
        if (!ok) return;
        const eventId = outbox.newId();
        const bagId = bagIdFor(eventId);
        try {
          const result = await outbox.submit({ path: `/seizures/${id}/bags`, body: { id: eventId, ts: outbox.nowIso(), description: description.value.trim(), items: chosen }, label: `Bag ${bagId}`, record: { type: 'seizure', id, kind: 'bag', bag_id: bagId } });
          toast(result.sent ? `${bagId} added` : `${bagId} kept on the tablet — sent when the box is reachable`);
          if (result.sent) await load(); else await draw();
        } catch (err) {
          showError(form, err);
        }
      });
    });
    replace(addBag, form);
  }

  add(view, head, banners, info, actionsCard, h('h2', {}, 'Evidence bags'), bagsBox, addBag);
  const onSent = (event) => {
    const r = event.detail.entry.record;
    if (!r || r.type !== 'seizure' || r.id !== id || event.detail.awaited) return; // a form's own submit reloads after it
    if (bagsBox.querySelector('.bag form')) reloadWhenClosed = true; // a redraw would throw away what the officer is typing
    else load();
  };
  window.addEventListener('lanebox:sent', onSent);
  await load();
  return () => {
    window.removeEventListener('lanebox:sent', onSent);
    for (const d of disposers.splice(0)) d();
  };
}
