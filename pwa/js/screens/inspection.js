// One inspection: declaration, watchlist and risk; the steps (passport,
// weight, trace, findings with photos, checklist, duty, seizure), the
// outcome and the printable report. Works from the copy last seen when the
// box cannot be reached; writes go through the outbox and show as waiting
// until the box has them.

import * as api from '../api.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import { cacheGet, cachePut } from '../db.js';
import * as drafts from '../drafts.js';
import { guardLeaving } from '../router.js';
import { getJustified, justified } from '../justify.js';
import { ask } from '../sheet.js';
import { createTile, holderName, isExpired, traceVerdict } from '../tiles.js';
import { pretty, checkContainer } from '../iso6346.js';
import { add, badge, busy, clearErrors, field, formError, h, replace, setFieldError, showError, toast } from '../ui.js';
import * as fmt from '../format.js';
import { BLOCKING_FLAG, interlockReason, placeStep, radiationStep, releaseBlocked } from './radiation.js';

const CATEGORIES = [['goods', 'Goods'], ['concealment', 'Concealment'], ['documents', 'Documents'], ['biosecurity', 'Biosecurity'], ['other', 'Other']];
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO = 10 * 1024 * 1024;
const FLAG_TEXT = {
  watchlist_hit: 'Watchlist hit', weight_discrepancy: 'Weight discrepancy', trace_alarm: 'Trace alarm',
  document_invalid: 'Document invalid', document_expired: 'Document expired', document_watchlisted: 'Document watchlisted',
  document_mismatch: 'Document pages disagree', document_chip_failed: 'Document chip failed',
  document_not_authentic: 'Document may be forged',
  calibration_due: 'Device not verified',
  rpm_alarm: 'Radiation alarm not adjudicated', radiation_threat: 'Radiation: real threat',
};
const STEP_WORDS = { document: 'passport', scale: 'weight', trace: 'trace result' };
/** Refusals of a reading that the officer may overrule with a reason (docs/officer-api.md). */
const OVERRULABLE = ['read_before_start', 'below_min', 'above_max'];
const photoUrls = new Map(); // sha256 → object URL of a photo taken on this tablet

export function riskPanel(risk, hits = []) {
  if (!risk) return h('p', { class: 'muted' }, 'Risk is assessed when the box has the inspection.');
  return h('div', { class: 'risk-panel' },
    h('div', { class: 'risk' },
      h('span', { class: `risk-level risk-${risk.level}`, id: 'risk-level' }, `${risk.level} risk`),
      h('span', { class: 'risk-score' }, `score ${risk.score} / 100`)),
    risk.reasons && risk.reasons.length ? h('ul', { class: 'reasons', style: { marginTop: '10px' } }, risk.reasons.map((r) => h('li', {}, r))) : null,
    hits && hits.length ? h('div', {}, h('h3', { style: { marginTop: '12px' } }, 'Watchlist'),
      h('ul', { class: 'list' }, hits.map((hit) => h('li', {},
        badge(String(hit.severity).toUpperCase(), hit.severity === 'high' ? 'bad' : 'warn'), ' ',
        h('strong', {}, `${hit.type} ${hit.value}`), ` — ${hit.reason}`)))) : null);
}

async function sha256(buffer) {
  if (!(crypto.subtle && crypto.subtle.digest)) return null;
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function readingData(entry) {
  if (!entry) return {};
  if (entry.reading && entry.reading.data) return entry.reading.data;
  if (entry.data) return entry.data;
  return entry;
}

function isDue(entry) {
  return Boolean(entry.calibration_due || (entry.calibration && ['due', 'failed'].includes(entry.calibration.status)));
}

/** The mark on a reading taken while its device's calibration or check was overdue or failed (docs/architecture.md, decision 5). */
function dueBadge(entry) {
  return isDue(entry) ? h('span', { class: 'not-verified-mark' }, badge('NOT VERIFIED — do not rely on it', 'warn'),
    h('span', { class: 'muted' }, ' CALIBRATION DUE when read')) : null;
}

/** Why a reading was attached although the box first refused it, as the officer said. */
function overrides(entry) {
  return (entry.overrides || []).map((o) => h('p', { class: 'override' }, badge('CONFIRMED', 'warn'), ` ${o.message} — “${o.reason}”`));
}

/** Scrolling glides unless the tablet asks for reduced motion. */
function smooth() {
  return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
}

/** "2 s", "3 min", "2 h": how long before the start. */
function span(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** "done offline at 10:02": the officer's own time of a write the box received later (docs/officer-api.md). */
function offline(actedAt) {
  return actedAt ? ` (done offline at ${fmt.time(actedAt)})` : '';
}

function who(entry) {
  const at = entry.at || entry.ts || entry.attached_at || (entry.reading && entry.reading.ts);
  const by = entry.by || entry.actor || entry.attached_by;
  return [by, at ? `${fmt.time(at)}${offline(entry.acted_at)}` : null].filter(Boolean).join(' · ');
}

export async function render(view, { id }) {
  let record = null; // the inspection VIEW
  let offlineNote = '';
  let alive = true;
  const disposers = [];

  // ----- the page's fixed parts; each is redrawn on its own ------------
  const title = h('h1', {}, 'Inspection');
  const statusSlot = h('span', { class: 'btn-row', style: { margin: 0 } });
  // the printable record of the inspection, however it ended (released, referred, seized or still open)
  const reportButton = h('button', {
    class: 'btn no-print', type: 'button', id: 'inspection-report', disabled: true,
    onclick: (e) => busy(e.currentTarget, () => openPdf(`/inspections/${id}/report.pdf`, e.currentTarget)),
  }, 'Report (PDF)');
  const banners = h('div', { id: 'banners' });
  const summary = h('div', { class: 'card', id: 'summary' });
  const riskCard = h('div', { class: 'card', id: 'risk' });
  const declarationCard = h('div', { class: 'card', id: 'declaration' });
  const docAttached = h('div');
  const weightAttached = h('div');
  const traceAttached = h('div');
  const findingsList = h('ul', { class: 'list', id: 'findings-list' });
  const checklistBox = h('div', { id: 'checklist' });
  const dutyBox = h('div');
  const seizureBox = h('div');
  const outcomeBox = h('div', { id: 'outcome' });
  const logBox = h('div');

  // ----- attaching live readings: only this vehicle's ------------------
  function attachedOf(kind) {
    if (!record) return [];
    if (kind === 'document') return record.document ? [record.document] : [];
    return (kind === 'scale' ? record.weights : record.traces) || [];
  }

  /** A step earns its ✓ only with a reading one can rely on: 'done', 'unverified' (all it has came
   *  from a device whose check or calibration was overdue or failed) or '' (nothing attached). */
  function standing(kind) {
    const attached = attachedOf(kind);
    if (!attached.length) return '';
    return attached.some((entry) => !isDue(entry)) ? 'done' : 'unverified';
  }

  /** What the button attaches, in words: "ERIKSSON", "24 680 kg", "CLEAR (sample S-1)". */
  function readingWords(kind, d) {
    const data = d.reading.data;
    if (kind === 'document') return (data.mrz && data.mrz.surname) || holderName(data.mrz);
    if (kind === 'scale') return fmt.weight(data.weight, data.unit);
    return `${traceVerdict(data, live.unverified(d)).text} (sample ${data.sample_id || '—'})`;
  }

  /** Seconds before the inspection started that the reading was read (for a scale: since when its
   *  weight has not changed), or 0 when it was read after: only then is it surely this vehicle's. */
  function readBefore(kind, d) {
    if (!record || !record.started_at) return 0;
    const ts = (kind === 'scale' && live.shownSince(d)) || d.reading.ts;
    const early = (Date.parse(record.started_at) - Date.parse(ts)) / 1000;
    return early > 0 ? Math.max(1, Math.round(early)) : 0;
  }

  /** The officer's reason for attaching a reading the box refused (below Min, from before the start). */
  async function askReason(kind, message) {
    const text = h('textarea', { maxlength: '2000', id: 'override-reason', placeholder: 'Why this reading is this vehicle\'s' });
    return ask({
      id: 'override-sheet', title: `Not attached: is this ${record.plate}'s ${STEP_WORDS[kind]}?`,
      body: [h('p', { class: 'big' }, message), field('reason', 'Attach it only with a reason', text)],
      actions: [{ text: 'Attach with this reason', kind: 'warn', id: 'override-attach', value: () => text.value.trim(),
        check: () => (text.value.trim() ? null : 'Write why this reading is this vehicle\'s, or cancel.') }],
    });
  }

  function attachStep(kind, stepId, heading, attachedSlot, canAttach) {
    const tile = createTile({ kind, compact: true, since: () => record && record.started_at });
    disposers.push(tile.dispose);
    const button = h('button', { class: 'btn btn-primary btn-block', type: 'button', id: `attach-${kind}` }, `Attach ${STEP_WORDS[kind]}`);
    const why = h('p', { class: 'hint' });
    const again = h('button', { class: 'btn no-print', type: 'button', id: `again-${kind}`, hidden: true },
      kind === 'trace' ? 'Swab again' : kind === 'scale' ? 'Weigh again' : 'Read another document');
    const liveBox = h('div', { class: 'live-box' }, tile.el, button, why);
    const mark = h('span', { class: 'step-mark' });
    const card = h('section', { class: 'card step', id: stepId }, h('h2', {}, mark, heading), attachedSlot, again, liveBox,
      h('p', { class: 'form-error', role: 'alert' }));
    let another = false; // "swab again" chosen after an attachment: the live tile comes back
    again.addEventListener('click', () => { another = true; update(); });

    function update() {
      const done = attachedOf(kind).length > 0;
      const closed = Boolean(record && record.status === 'closed');
      const unverified = standing(kind) === 'unverified';
      card.classList.toggle('is-done', done && !unverified);
      card.classList.toggle('is-unverified', unverified);
      card.dataset.done = String(done);
      mark.textContent = unverified ? '⚠ ' : done ? '✓ ' : '';
      mark.classList.toggle('is-unverified', unverified);
      liveBox.hidden = closed || (done && !another);
      again.hidden = !done || another || closed || Boolean(record && record.local);
      if (liveBox.hidden) return;
      const d = live.ofKind(kind);
      const reason = !record ? 'Loading…'
        : record.local ? 'Waits until the box has this inspection.'
          : !d ? `No ${kind} device on this lane.`
            : !live.linkState().up ? 'No live link to the box.'
              : d.state === 'locked' ? 'Device locked by a supervisor.'
                : !d.reading ? 'Nothing read yet.'
                  : live.isStale(d) ? 'The reading is old.'
                    : canAttach(d.reading.data);
      const early = reason ? 0 : readBefore(kind, d);
      button.disabled = Boolean(reason);
      button.classList.toggle('btn-primary', !early);
      button.classList.toggle('btn-warn', Boolean(early));
      why.textContent = reason || (early ? `${kind === 'scale' ? 'This weight has not changed since' : 'Read'} before you started ${record.plate}'s inspection: you will be asked whether it is this vehicle's.` : '');
      // a trace result from before the start is not named here: it may be the previous lorry's alarm
      const words = reason ? '' : early && kind === 'trace' ? 'the earlier result' : readingWords(kind, d);
      const label = reason ? `Attach ${STEP_WORDS[kind]}`
        : early ? `Attach ${words} — ${kind === 'scale' ? 'unchanged since' : 'read'} ${span(early)} before you started…`
          : kind === 'scale' ? `Attach ${words}` : `Attach ${words}, read ${fmt.ago(d.readingAt)}`;
      if (button.textContent !== label) button.textContent = label;
    }

    async function send(d, shown, reasonText) {
      clearErrors(card);
      const body = { id: outbox.newId(), device_id: d.id, record_type: 'inspection', record_id: id, reading_seq: shown.seq };
      if (reasonText) body.reason = reasonText;
      try {
        // reading_seq: the box records the very reading shown on this tile
        await api.post('/attachments', body);
        toast(`${heading} attached to ${record.plate}`);
        another = false;
        await load();
      } catch (err) {
        if (err instanceof api.ApiError && OVERRULABLE.includes(err.code) && !reasonText) {
          const given = await askReason(kind, err.message);
          if (given) await send(d, shown, given);
        } else {
          formError(card, err instanceof api.NetworkError
            ? 'No connection to the box — a live reading can only be attached while connected. Try again when the Wi-Fi is back.'
            : api.describe(err));
        }
      }
      update();
    }

    button.addEventListener('click', () => busy(button, async () => {
      const d = live.ofKind(kind);
      if (!d || !d.reading) return;
      const shown = d.reading;
      const early = readBefore(kind, d);
      if (!early) { await send(d, shown, null); return; }
      const what = kind === 'scale' ? 'has not changed since' : 'was read';
      const words = readingWords(kind, d);
      const sure = await ask({
        id: 'confirm-reading', title: `Is this ${record.plate}'s ${STEP_WORDS[kind]}?`,
        body: [h('p', { class: 'big' }, `${words} ${what} ${span(early)} before you started the inspection of ${record.plate}.`),
          h('p', {}, 'It may be the previous vehicle\'s. Attach it only if it is this vehicle\'s.')],
        actions: [{ text: `Attach ${words} anyway`, kind: 'warn', id: 'confirm-reading-attach', value: true }],
      });
      if (sure) await send(d, shown, `confirmed by the officer as ${record.plate}'s: it ${what} ${span(early)} before the inspection started`);
    }));
    const unsubscribe = live.subscribe(() => update());
    const timer = setInterval(update, 1000);
    disposers.push(unsubscribe, () => clearInterval(timer));
    return { card, update, redraw: tile.redraw };
  }

  const documentStep = attachStep('document', 'step-document', 'Passport', docAttached,
    (data) => (data.mrz ? '' : 'Not a travel document.'));
  const weightStep = attachStep('scale', 'step-weight', 'Weight', weightAttached,
    (data) => interlockReason(record) || (data.status !== 'ok' ? `The scale shows ${data.status}.`
      : !data.stable ? 'Wait for STABLE — the weight is still moving.'
        : Number(data.weight) <= 0 ? `Nothing on the platform (${fmt.weight(data.weight, data.unit)}): drive the vehicle on.` : ''));
  const traceStep = attachStep('trace', 'step-trace', 'Trace', traceAttached,
    (data) => (data.result ? '' : 'No result.'));
  // the portal's result and its adjudication (first while an alarm is open: it blocks release)
  const radiation = radiationStep({ id, reload: () => load() });
  disposers.push(radiation.dispose);

  // ----- findings with photos, kept as a draft until recorded ----------
  // The photos stay on the tablet with the draft and are sent with the finding:
  // a finding abandoned leaves no photo on the box. A photo marked as showing a
  // person is sent with its case: the box keeps it sealed under the case's key,
  // so it is erased with the case's personal data (docs/evidence.md).
  const photos = []; // {name, type, blob, sha256, url, person}
  const photoList = h('div', { class: 'photo-list', id: 'photo-list' });
  // the camera opens from a big button, not the browser's file input (still there for screen readers and keyboards)
  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, id: 'photo-input', class: 'visually-hidden' });
  const takePhoto = h('label', { for: 'photo-input', class: 'btn btn-big btn-block take-photo', 'aria-hidden': 'true' }, 'Take photo');
  const category = h('select', {}, CATEGORIES.map(([v, t]) => h('option', { value: v }, t)));
  const note = h('textarea', { maxlength: '4000', placeholder: 'What was found, where, how it was concealed…' });
  const draftMark = h('p', { class: 'draft-mark', id: 'finding-draft-mark', role: 'status' });
  const findingForm = h('form', { id: 'finding-form', novalidate: true },
    field('category', 'Category', category),
    field('note', 'Note', note),
    field('photos', 'Photos', photoInput, { hint: 'Each photo is kept on this tablet with the finding and sent when you record it.' }),
    takePhoto,
    photoList,
    draftMark,
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-primary btn-block', type: 'submit' }, 'Record finding'));
  const findingDraft = drafts.keeper(`finding:${id}`, () => (note.value.trim() || photos.length
    ? { category: category.value, note: note.value, photos: photos.map(({ name, type, blob, sha256: hash, person }) => ({ name, type, blob, sha256: hash, person })) }
    : null), (kept) => { draftMark.textContent = kept ? `Draft kept on this tablet ✓ ${fmt.time(new Date().toISOString())}` : ''; });
  const keepDraft = () => { findingDraft.changed(); return findingDraft.flush(); };
  category.addEventListener('change', keepDraft);
  note.addEventListener('input', () => findingDraft.changed());
  disposers.push(guardLeaving(() => (findingDraft.dirty()
    ? 'Your unfinished finding is kept on this tablet as a draft. Leave this inspection?' : null)), () => findingDraft.flush());

  function drawPhotos() {
    replace(photoList, photos.map((p, i) => h('figure', { class: 'photo', dataset: { sha256: p.sha256 || '' } },
      p.url ? h('img', { src: p.url, alt: `photo ${i + 1} of this finding` }) : null,
      h('figcaption', {},
        h('div', {}, p.sha256 ? badge('ON THIS TABLET', 'info') : badge('…', 'info')),
        h('div', { class: 'muted', title: p.sha256 ? `SHA-256 ${p.sha256}` : null }, p.sha256 ? 'Fingerprinted ✓' : 'Fingerprinting…'),
        h('label', { class: 'check-row person-toggle' },
          h('input', { type: 'checkbox', checked: Boolean(p.person), onchange: (e) => { p.person = e.target.checked; keepDraft(); } }),
          'Shows a person (face, body, ID)'),
        h('button', { class: 'btn', type: 'button', onclick: () => { photos.splice(i, 1); drawPhotos(); keepDraft(); } }, 'Remove')))));
  }

  async function restoreDraft() {
    const draft = await drafts.load(`finding:${id}`);
    if (!draft) return;
    category.value = draft.category || 'goods';
    note.value = draft.note || '';
    for (const photo of draft.photos || []) {
      const entry = { ...photo, url: URL.createObjectURL(photo.blob) };
      photos.push(entry);
      if (entry.sha256) photoUrls.set(entry.sha256, entry.url);
    }
    drawPhotos();
    draftMark.textContent = 'Draft restored from this tablet ✓';
  }

  photoInput.addEventListener('change', async () => {
    setFieldError(findingForm, 'photos', null);
    const files = [...photoInput.files];
    photoInput.value = '';
    for (const file of files) {
      if (!PHOTO_TYPES.includes(file.type)) {
        setFieldError(findingForm, 'photos', `${file.name}: only JPEG, PNG or WebP photos (this is ${file.type || 'unknown'}).`);
        continue;
      }
      if (file.size > MAX_PHOTO) {
        setFieldError(findingForm, 'photos', `${file.name} is ${fmt.number(file.size / 1048576, 1)} MiB; the limit is 10 MiB.`);
        continue;
      }
      const entry = { name: file.name, type: file.type, blob: file, sha256: null, url: URL.createObjectURL(file), person: false };
      photos.push(entry);
      drawPhotos();
      entry.sha256 = await sha256(await file.arrayBuffer());
      if (entry.sha256) photoUrls.set(entry.sha256, entry.url);
      drawPhotos();
      await keepDraft();
    }
  });

  /** Send the draft's photos (before the finding that names them, in the outbox's order); their hashes. */
  async function sendPhotos() {
    const hashes = [];
    for (const p of photos) {
      const path = p.person ? `/photos?person=1&case=${encodeURIComponent(id)}` : '/photos';
      const result = await outbox.submit({ path, blob: p.blob, contentType: p.type, label: `Photo ${p.name}`, record: { type: 'inspection', id, kind: 'photo' } });
      if (result.sent && p.sha256 && result.data.sha256 !== p.sha256) {
        throw new Error(`The box fingerprinted ${p.name} differently (${result.data.sha256}); take it again.`);
      }
      const hash = result.sent ? result.data.sha256 : p.sha256;
      if (!hash) throw new Error('No connection, and this browser cannot fingerprint photos itself: record the finding when connected.');
      hashes.push(hash);
    }
    return hashes;
  }

  findingForm.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(findingForm.querySelector('button[type=submit]'), async () => {
      clearErrors(findingForm);
      const text = note.value.trim();
      if (!text) { setFieldError(findingForm, 'note', 'Write what was found (up to 4000 characters).'); note.focus(); return; }
      if (photos.some((p) => !p.sha256 && !p.blob)) { setFieldError(findingForm, 'photos', 'Wait until every photo has its fingerprint.'); return; }
      try {
        const hashes = await sendPhotos();
        const body = { id: outbox.newId(), ts: outbox.nowIso(), category: category.value, note: text, photos: hashes };
        const result = await outbox.submit({ path: `/inspections/${id}/findings`, body, label: `Finding (${category.value}) on ${record ? record.plate : 'inspection'}`, record: { type: 'inspection', id, kind: 'finding' } });
        note.value = '';
        photos.splice(0, photos.length);
        drawPhotos();
        await findingDraft.clear();
        draftMark.textContent = '';
        toast(result.sent ? 'Finding recorded' : 'Finding kept on the tablet — it is sent when the box is reachable');
        if (result.sent) await load();
        else await drawWaiting();
      } catch (err) {
        if (err instanceof api.ApiError || err instanceof api.NetworkError) showError(findingForm, err);
        else setFieldError(findingForm, 'photos', err.message);
      }
    });
  });

  // ----- outcome, after a review of what is open ------------------------
  const OUTCOME_KIND = { release: 'go', refer: 'warn', seize: 'danger' };
  const proposal = h('p', { class: 'banner banner-warn', hidden: true, id: 'proposal' });
  const outcomeButtons = h('div', { class: 'outcome-buttons' },
    h('button', { class: 'btn btn-go', type: 'button', dataset: { outcome: 'release' } }, 'Release'),
    h('button', { class: 'btn btn-warn', type: 'button', dataset: { outcome: 'refer' } }, 'Refer'),
    h('button', { class: 'btn btn-danger', type: 'button', dataset: { outcome: 'seize' } }, 'Seize'));
  const outcomeForm = h('div', { id: 'outcome-form' }, proposal, outcomeButtons, h('p', { class: 'form-error', role: 'alert' }));
  outcomeButtons.addEventListener('click', (event) => {
    const button = event.target.closest('[data-outcome]');
    if (button) busy(button, () => review(button.dataset.outcome));
  });

  /** The open flags by code: every one needs a reason to release (docs/officer-api.md). */
  function flagGroups() {
    const groups = new Map();
    for (const f of record.flags || []) {
      if (!groups.has(f.code)) groups.set(f.code, []);
      groups.get(f.code).push(f.message);
    }
    return groups;
  }

  function missingSteps() {
    return [['document', 'Passport'], ['scale', 'Weight'], ['trace', 'Trace']]
      .filter(([kind]) => !attachedOf(kind).length).map(([, text]) => `${text}: nothing attached`);
  }

  function unticked() {
    const done = (record.checklist && record.checklist.done) || {};
    return ((record.checklist && record.checklist.items) || []).filter((item) => !(done[item] && done[item].checked));
  }

  /** Release / Refer / Seize: a sheet lists open flags, unticked checklist items and missing steps;
   *  releasing needs a reason for each open flag. */
  async function review(outcome) {
    const releasing = outcome === 'release';
    const groups = flagGroups();
    const reasons = new Map();
    const flagItems = [...groups].map(([code, messages]) => {
      const text = h('textarea', { maxlength: '2000', rows: 2, dataset: { flagReason: code }, placeholder: 'Why release despite this' });
      const answerable = code !== BLOCKING_FLAG; // no reason releases an alarm nobody adjudicated
      if (answerable) reasons.set(code, text);
      return h('li', { class: 'review-flag', dataset: { flag: code } },
        h('strong', {}, FLAG_TEXT[code] || fmt.label(code)), h('ul', {}, messages.map((m) => h('li', {}, m))),
        !answerable ? h('p', { class: 'review-blocks' }, 'Do not release before adjudication: record what it was on the Radiation step.')
        : releasing ? field(`flag_reasons.${code}`, `Reason to release despite: ${(FLAG_TEXT[code] || fmt.label(code)).toLowerCase()}`, text) : null);
    });
    const general = h('textarea', { maxlength: '2000', rows: 2, id: 'outcome-reason', placeholder: releasing ? 'Optional' : `Why ${outcome}` });
    const steps = missingSteps();
    const open = unticked();
    const blocked = releaseBlocked(record); // a radiation alarm not adjudicated: no reason releases it
    const body = [
      h('p', { class: 'review-vehicle' }, 'Vehicle ', h('strong', { class: 'mono' }, record.plate),
        ` · inspection started ${fmt.time(record.started_at)}`),
      h('h3', {}, groups.size ? `Open flags (${groups.size})` : 'No open flags'),
      groups.size ? h('ul', { class: 'list review-flags', id: 'review-flags' }, flagItems) : null,
      steps.length ? [h('h3', {}, 'Steps not done'), h('ul', { class: 'reasons', id: 'review-steps' }, steps.map((t) => h('li', {}, t)))] : null,
      open.length ? [h('h3', {}, `Checklist not ticked (${open.length})`), h('ul', { class: 'reasons', id: 'review-checklist' }, open.map((t) => h('li', {}, t)))] : null,
      field('reason', releasing ? 'Note (optional)' : 'Reason', general),
    ];
    const verb = outcome === 'seize' ? 'Go on to record the seizure' : `Confirm: ${outcome.toUpperCase()} ${record.plate}`;
    const chosen = await ask({
      id: 'review', title: `Review before ${outcome === 'seize' ? 'seizing from' : outcome === 'refer' ? 'referring' : 'releasing'} ${record.plate}`, body,
      actions: [{ text: verb, kind: OUTCOME_KIND[outcome], id: 'confirm-outcome', value: true,
        check: () => {
          if (!releasing) return null;
          if (blocked) return blocked;
          const blank = [...reasons].filter(([, t]) => !t.value.trim());
          blank.forEach(([code, t]) => t.setAttribute('aria-invalid', 'true'));
          if (blank.length) blank[0][1].focus();
          return blank.length ? `Give a reason for each open flag to release (${blank.map(([c]) => (FLAG_TEXT[c] || c).toLowerCase()).join(', ')}).` : null;
        } }],
    });
    if (!chosen) return;
    if (outcome === 'seize') {
      location.hash = `#/inspections/${id}/seize`;
      return;
    }
    const requestBody = { id: outbox.newId(), ts: outbox.nowIso(), outcome };
    if (general.value.trim()) requestBody.reason = general.value.trim();
    const given = Object.fromEntries([...reasons].map(([code, t]) => [code, t.value.trim()]).filter(([, v]) => v));
    if (Object.keys(given).length) requestBody.flag_reasons = given;
    clearErrors(outcomeForm);
    try {
      const result = await outbox.submit({ path: `/inspections/${id}/outcome`, body: requestBody, label: `Outcome ${outcome} for ${record.plate}`, record: { type: 'inspection', id, kind: 'outcome' } });
      toast(result.sent ? `Outcome recorded: ${outcome} ${record.plate}` : `Outcome ${outcome} kept on the tablet — sent when the box is reachable`);
      if (result.sent) await load(); else await drawWaiting();
    } catch (err) {
      formError(outcomeForm, api.describe(err));
    }
  }

  // ----- drawing -------------------------------------------------------
  function hasFlag(code) {
    return Boolean(record && (record.flags || []).some((f) => f.code === code));
  }

  function drawHeader() {
    replace(title, 'Inspection ', h('span', { class: 'mono' }, record.plate));
    const closed = record.status === 'closed';
    replace(statusSlot,
      closed ? h('span', { class: `outcome-done outcome-${record.outcome}`, id: 'outcome-badge' }, `${String(record.outcome).toUpperCase()}`) : badge('OPEN', 'info'),
      record.local ? badge('NOT ON THE BOX YET', 'warn') : null);
    reportButton.disabled = Boolean(record.local);
    reportButton.title = record.local ? 'The report is made by the box: it waits until the box has this inspection.'
      : 'The printable record of this inspection, with every event hash and the chain check';
    replace(summary,
      h('dl', { class: 'kv' },
        h('dt', {}, 'Plate'), h('dd', { class: 'mono big' }, record.plate),
        h('dt', {}, 'Containers'), h('dd', {}, (record.containers || []).length
          ? (record.containers || []).map((c) => h('div', { class: 'mono' }, pretty(c), ' ', checkContainer(c).state === 'valid' ? badge('CHECK DIGIT RIGHT', 'ok') : badge('CHECK DIGIT WRONG', 'bad'))) : 'none'),
        h('dt', {}, 'Declaration'), h('dd', {}, record.declaration_ref || 'none given'),
        h('dt', {}, 'Type'), h('dd', {}, fmt.sentence(record.inspection_type)),
        h('dt', {}, 'Started'), h('dd', {}, `${fmt.dateTime(record.started_at)}${offline(record.started_acted_at)} by ${record.started_by || '—'}`),
        closed ? [h('dt', {}, 'Closed'), h('dd', {}, `${fmt.dateTime(record.closed_at)}${offline(record.closed_acted_at)}${record.outcome_reason ? ` — ${record.outcome_reason}` : ''}`)] : null));
  }

  function drawRisk() {
    const flags = record.flags || [];
    replace(riskCard, h('h2', {}, 'Risk'), riskPanel(record.risk, record.watchlist_hits || (record.risk && record.risk.watchlist_hits) || []),
      flags.length ? h('div', { class: 'flags', id: 'flags' }, flags.map((f) => h('span', { class: `badge ${['trace_alarm', BLOCKING_FLAG, 'radiation_threat'].includes(f.code) ? 'badge-bad' : 'badge-warn'}`, title: f.message, dataset: { flag: f.code } }, FLAG_TEXT[f.code] || fmt.label(f.code)))) : null,
      null);
  }

  function drawDeclaration() {
    const d = record.declaration;
    if (!d) {
      replace(declarationCard, h('h2', {}, 'Declaration'), h('p', { class: 'muted' }, record.local ? 'Shown when the box has the inspection.' : 'No declaration found for this vehicle.'));
      return;
    }
    replace(declarationCard, h('h2', {}, `Declaration ${d.ref}`),
      h('dl', { class: 'kv' },
        h('dt', {}, 'Origin'), h('dd', {}, d.origin || '—'),
        h('dt', {}, 'Gross weight'), h('dd', {}, d.gross_weight_kg != null ? `${fmt.number(d.gross_weight_kg)} kg` : '—'),
        h('dt', {}, 'Consignor'), h('dd', {}, d.consignor || '—'),
        h('dt', {}, 'Consignee'), h('dd', {}, d.consignee || '—'),
        h('dt', {}, 'Haulier'), h('dd', {}, d.haulier || '—')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Goods'), h('th', {}, 'HS'), h('th', { class: 'num' }, 'Quantity'), h('th', { class: 'num' }, 'Value'))),
        h('tbody', {}, (d.goods || []).map((g) => h('tr', {}, h('td', {}, g.description), h('td', { class: 'mono' }, g.hs_code),
          h('td', { class: 'num' }, `${fmt.number(g.quantity)} ${g.unit || ''}`), h('td', { class: 'num' }, fmt.money(Number(g.value).toFixed(2), g.currency)))))));
  }

  /** "✓ Attached to EK48213": what the step recorded, for this vehicle, not a live tile; no ✓ for
   *  readings none of which can be relied on. */
  function attachedHead(kind) {
    const n = attachedOf(kind).length;
    const count = n > 1 ? ` (${n})` : '';
    return standing(kind) === 'unverified'
      ? h('h3', { class: 'attached-unverified' }, `⚠ Attached to ${record.plate}${count} — NOT VERIFIED`)
      : h('h3', {}, `✓ Attached to ${record.plate}${count}`);
  }

  function drawAttached() {
    const doc = record.document;
    if (doc) {
      const mrz = readingData(doc).mrz || doc.mrz || {};
      const a = doc.assessment || {};
      replace(docAttached, h('div', { class: 'attached', id: 'document-attached' },
        attachedHead('document'),
        h('p', { class: 'big' }, doc.erased ? `Personal data ${(record.erasure && record.erasure.words) || 'erased'}` : holderName(mrz)),
        h('p', {}, [mrz.document_number, mrz.nationality, mrz.expiry_date ? `expires ${mrz.expiry_date}` : null].filter(Boolean).join(' · ')),
        h('div', { class: 'btn-row' },
          (a.valid ?? mrz.valid) ? badge('VALID', 'ok') : badge('INVALID', 'bad'),
          (a.expired ?? isExpired(mrz)) ? badge('EXPIRED', 'bad') : null,
          (a.watchlist_hits || []).length ? badge('WATCHLISTED', 'bad') : null, dueBadge(doc)),
        overrides(doc),
        h('p', { class: 'muted' }, who(doc))));
    } else replace(docAttached);

    const weights = record.weights || [];
    replace(weightAttached, weights.length ? h('div', { class: 'attached', id: 'weights-attached' }, attachedHead('scale'),
      h('ul', { class: 'list' }, weights.map((w) => {
        const data = readingData(w);
        const a = w.assessment || {};
        const pct = a.difference_pct ?? null;
        const bad = (a.flags || []).some((f) => f.code === 'weight_discrepancy');
        return h('li', {}, h('strong', { class: 'big' }, fmt.weight(data.weight, data.unit)), ' ',
          bad ? badge('DISCREPANCY', 'bad') : (a.declared_kg != null ? badge('MATCHES DECLARATION', 'ok') : null),
          a.declared_kg != null ? h('div', {}, `declared ${fmt.number(a.declared_kg)} kg${pct != null ? `, difference ${Number(pct) > 0 ? '+' : ''}${fmt.number(pct, 1)} %` : ''}${a.tolerance_pct != null ? ` (tolerance ${a.tolerance_pct} %)` : ''}`) : null,
          dueBadge(w), overrides(w),
          h('div', { class: 'muted' }, who(w)));
      }))) : null);

    const traces = record.traces || [];
    replace(traceAttached, traces.length ? h('div', { class: 'attached', id: 'traces-attached' }, attachedHead('trace'),
      h('ul', { class: 'list' }, traces.map((t) => {
        const data = readingData(t);
        const verdict = traceVerdict(data, isDue(t));
        const kind = data.result === 'alarm' ? 'bad' : verdict.kind === 'clear' ? 'ok' : verdict.kind === 'unverified' ? 'bad' : 'warn';
        return h('li', {}, verdict.kind === 'unverified' ? null : badge(verdict.text, kind), ' ', dueBadge(t), ' ',
          (data.substances || []).map((s) => `${s.name} (${s.class}) ${s.amplitude}`).join(', '), overrides(t),
          h('div', { class: 'muted' }, `sample ${data.sample_id || '—'} · ${who(t)}`));
      }))) : null);
  }

  function findingItem(f, waiting = null) {
    const hashes = f.photos || [];
    return h('li', { class: waiting ? (waiting.state === 'rejected' ? 'is-rejected' : 'is-waiting') : '', dataset: { finding: f.event_id || f.id || '' } },
      h('div', { class: 'btn-row', style: { margin: 0 } }, badge(String(f.category).toUpperCase(), 'info'),
        waiting ? badge(waiting.state === 'rejected' ? 'NOT ACCEPTED' : 'WAITING TO SEND', waiting.state === 'rejected' ? 'bad' : 'warn') : null,
        h('span', { class: 'muted' }, waiting ? `made ${fmt.time(f.ts)}` : who(f))),
      h('p', { class: 'finding-note', style: { margin: '8px 0', whiteSpace: 'pre-wrap' } }, f.note),
      waiting && waiting.error ? h('p', { class: 'field-error' }, waiting.error.message) : null,
      hashes.length ? h('div', { class: 'photo-list' }, hashes.map((sha, n) => {
        const img = h('img', { alt: `photo ${n + 1} of this finding` });
        const caption = h('figcaption', {}, `Photo ${n + 1}`);
        if (photoUrls.has(sha)) img.src = photoUrls.get(sha);
        else if (!waiting) {
          api.blobUrl(`/photos/${sha}`).then(({ url }) => { photoUrls.set(sha, url); img.src = url; }).catch((err) => {
            if (err instanceof api.ApiError && err.status === 410) { img.remove(); caption.textContent = err.message; } // a person's photo, erased
          });
        }
        // the fingerprint is the report's (with each photo printed beside it); here it is the photo's title
        return h('figure', { class: 'photo', dataset: { sha256: sha }, title: `SHA-256 ${sha}` }, img, caption);
      })) : null);
  }

  async function drawWaiting() {
    const pending = await outbox.forRecord('inspection', id);
    const waitingFindings = pending.filter((p) => p.record.kind === 'finding');
    const stored = (record && record.findings) || [];
    replace(findingsList,
      stored.map((f) => findingItem(f)),
      waitingFindings.filter((p) => !stored.some((f) => f.event_id === p.id)).map((p) => findingItem(p.body, p)));
    if (!findingsList.childElementCount) findingsList.append(h('li', { class: 'empty' }, 'No findings yet.'));
    drawChecklist(pending.filter((p) => p.record.kind === 'checklist'));
    radiation.draw(record, pending);
    placeStep(stepsBox, radiation.card, record);
    drawOutcome(pending.filter((p) => p.record.kind === 'outcome'));
    const rejected = pending.filter((p) => p.state === 'rejected');
    const waiting = pending.filter((p) => p.state === 'waiting');
    replace(banners,
      record && hasFlag('trace_alarm') && record.status !== 'closed'
        ? h('div', { class: 'banner banner-bad', id: 'alarm-banner' }, 'TRACE ALARM — referral proposed. ',
          h('button', { class: 'btn', type: 'button', onclick: (e) => busy(e.currentTarget, () => review('refer')) }, 'Refer'))
        : null,
      waiting.length ? h('div', { class: 'banner banner-warn', id: 'waiting-banner' }, `${waiting.length} change${waiting.length === 1 ? '' : 's'} to this inspection waiting to be sent.`) : null,
      rejected.map((p) => h('div', { class: 'banner banner-bad' }, `Not accepted by the box: ${p.label} — ${p.error.message} `,
        h('a', { class: 'btn', href: '#/outbox' }, 'Review'))),
      offlineNote ? h('div', { class: 'banner banner-info', id: 'offline-banner' }, offlineNote) : null);
  }

  function drawChecklist(pending = []) {
    const list = (record.checklist && record.checklist.items) || [];
    const done = (record.checklist && record.checklist.done) || {};
    if (!list.length) { replace(checklistBox, h('p', { class: 'muted' }, 'No checklist for this inspection type.')); return; }
    replace(checklistBox, list.map((item) => {
      const waiting = pending.filter((p) => p.body.item === item).pop();
      const checked = waiting ? waiting.body.checked : Boolean(done[item] && done[item].checked);
      const info = done[item];
      return h('button', {
        class: `checklist-item${waiting ? ' is-waiting' : ''}`, type: 'button', 'aria-pressed': String(checked), dataset: { item },
        disabled: record.status === 'closed',
        onclick: (event) => busy(event.currentTarget, () => toggleChecklist(item, !checked)),
      }, h('span', { class: 'box', 'aria-hidden': 'true' }, checked ? '✓' : ''), h('span', {}, item),
      h('span', { class: 'who' }, waiting ? 'waiting to send' : info && info.by ? `${info.by} ${fmt.time(info.at)}` : ''));
    }));
  }

  async function toggleChecklist(item, checked) {
    const body = { id: outbox.newId(), ts: outbox.nowIso(), item, checked };
    try {
      const result = await outbox.submit({ path: `/inspections/${id}/checklist`, body, label: `Checklist "${item}" ${checked ? 'done' : 'undone'}`, record: { type: 'inspection', id, kind: 'checklist' } });
      if (result.sent) await load(); else await drawWaiting();
    } catch (err) {
      toast(api.describe(err), { bad: true });
    }
  }

  function drawOutcome(pending = []) {
    const waiting = pending.find((p) => p.state === 'waiting');
    if (record.status === 'closed') {
      replace(outcomeBox, h('p', {}, h('span', { class: `outcome-done outcome-${record.outcome}` }, String(record.outcome).toUpperCase()),
        ` ${fmt.dateTime(record.closed_at)}`));
      return;
    }
    if (waiting) {
      replace(outcomeBox, h('p', { class: 'banner banner-warn' }, `Outcome ${waiting.body.outcome.toUpperCase()} waiting to be sent.`));
      return;
    }
    const alarm = hasFlag('trace_alarm');
    proposal.hidden = !alarm;
    proposal.textContent = alarm ? 'A trace alarm was recorded: referral is proposed. Releasing needs a reason.' : '';
    outcomeButtons.querySelector('[data-outcome="refer"]').classList.toggle('is-proposed', alarm);
    if (alarm) outcomeButtons.querySelector('[data-outcome="refer"]').setAttribute('aria-describedby', 'proposal');
    if (!outcomeBox.contains(outcomeForm)) replace(outcomeBox, outcomeForm);
  }

  function drawDutyAndSeizures() {
    const duty = record.duty || [];
    replace(dutyBox,
      duty.length ? h('ul', { class: 'list' }, duty.map((d) => {
        const a = d.assessment || d;
        const eventId = d.event_id || d.id;
        return h('li', {}, h('strong', {}, `${a.hs_code}: total ${fmt.money(a.total, a.local_currency)}`),
          h('div', { class: 'muted' }, `customs value ${fmt.money(a.customs_value_local, a.local_currency)} · duty ${fmt.money(a.duty, a.local_currency)} · VAT ${fmt.money(a.vat, a.local_currency)}`),
          eventId ? h('button', { class: 'btn', type: 'button', onclick: (e) => busy(e.currentTarget, () => openPdf(`/duty/${eventId}/receipt.pdf`, e.currentTarget)) }, 'Receipt PDF') : null);
      })) : h('p', { class: 'muted' }, 'No duty assessed.'),
      // duty is recorded only on an open inspection: before the outcome (seizing closes it)
      record.local || record.status === 'closed' ? null : [
        h('p', { class: 'hint', id: 'duty-order' }, `Duty is recorded only before the outcome: releasing, referring or seizing closes ${record.plate}'s inspection.`),
        h('a', { class: 'btn', href: `#/inspections/${id}/duty`, id: 'assess-duty' }, 'Assess duty')]);
    const seizures = record.seizures || [];
    replace(seizureBox,
      seizures.length ? h('ul', { class: 'list' }, seizures.map((s, n) => {
        const sid = typeof s === 'string' ? s : s.id;
        const which = seizures.length > 1 ? `Seizure ${n + 1}` : 'The seizure';
        return h('li', {}, h('a', { class: 'btn btn-block', href: `#/seizures/${sid}`, dataset: { seizure: sid } }, `${which} from ${record.plate} — bags, labels, custody, report`));
      })) : h('p', { class: 'muted' }, 'Nothing seized.'),
      record.status !== 'closed' && !record.local ? h('a', { class: 'btn btn-danger', href: `#/inspections/${id}/seize` }, 'Seize goods') : null);
  }

  function drawLog() {
    const events = record.events || [];
    // in words for the officer; every event's type, id and hash are in the report (and the technician's views)
    replace(logBox, events.length ? h('details', { class: 'log card' }, h('summary', {}, `What was recorded (${events.length})`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'What'), h('th', {}, 'Who'))),
        h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, fmt.time(e.ts)), h('td', {}, fmt.eventWords(e.type)), h('td', {}, e.actor)))))) : null);
  }

  async function draw() {
    if (!alive || !record) return;
    drawHeader();
    drawVehicleBar();
    drawRisk();
    drawDeclaration();
    drawAttached();
    drawDutyAndSeizures();
    drawLog();
    await drawWaiting();
    for (const step of [documentStep, weightStep, traceStep]) {
      step.redraw(); // readings from before this inspection's start are not shown as its own
      step.update();
    }
    findingForm.hidden = record.status === 'closed';
  }

  async function load() {
    try {
      record = await getJustified(`/inspections/${id}`, { record: id, what: 'this traveller\'s document',
        first: ['case_follow_up', 'court_request', 'this_inspection'] });
      offlineNote = '';
      cachePut(`inspection:${id}`, record);
    } catch (err) {
      const cached = await cacheGet(`inspection:${id}`);
      if (err instanceof api.ApiError && err.status === 404 && !(cached && cached.local)) {
        replace(view, h('p', { class: 'banner banner-bad' }, `No inspection ${id} on this lane.`));
        alive = false;
        return;
      }
      record = record || cached;
      if (!record) {
        replace(view, h('p', { class: 'banner banner-bad' }, `${api.describe(err)} This inspection has not been seen on this tablet yet.`));
        alive = false;
        return;
      }
      offlineNote = err instanceof api.ApiError && err.status === 404
        ? 'The box does not have this inspection yet: it is waiting in the outbox.'
        : `${api.describe(err)} Showing the inspection as last seen${record.local ? ' on this tablet' : ''}.`;
    }
    await draw();
  }

  // which lorry this is, at every step: the plate stays on screen with the steps and their marks
  const STEPS = [['step-document', 'Passport'], ['step-weight', 'Weight'], ['step-trace', 'Trace'], ['step-findings', 'Findings'],
    ['step-checklist', 'Checklist'], ['step-duty', 'Duty'], ['step-seizure', 'Seizure'], ['step-outcome', 'Outcome']];
  const stepButtons = STEPS.map(([target, text]) => h('button', { class: 'btn', type: 'button', dataset: { step: target },
    onclick: () => document.getElementById(target).scrollIntoView({ behavior: smooth(), block: 'start' }) }, text));
  const barPlate = h('span', { class: 'vehicle-plate mono', id: 'vehicle-plate' });
  const barStarted = h('span', { class: 'vehicle-started' });
  const vehicleBar = h('div', { class: 'vehicle-bar no-print', id: 'vehicle-bar' },
    h('div', { class: 'vehicle-id' }, barPlate, barStarted),
    // the steps scroll sideways where they do not fit; the outcome stays in view at the end
    h('nav', { class: 'step-nav', 'aria-label': 'Steps' },
      h('div', { class: 'step-scroll' }, radiation.navButton, stepButtons.filter((b) => b.dataset.step !== 'step-outcome')),
      stepButtons.find((b) => b.dataset.step === 'step-outcome')));
  // the bar sticks under the top bar, however tall that is (its tabs wrap on a portrait tablet)
  const topbar = document.querySelector('.topbar');
  const keepUnderTopbar = () => { if (topbar) document.documentElement.style.setProperty('--topbar-height', `${topbar.offsetHeight}px`); };
  const topbarWatch = typeof ResizeObserver === 'function' ? new ResizeObserver(keepUnderTopbar) : null;
  if (topbarWatch && topbar) topbarWatch.observe(topbar);
  keepUnderTopbar();
  disposers.push(() => topbarWatch && topbarWatch.disconnect());

  function drawVehicleBar() {
    barPlate.textContent = record.plate;
    barStarted.textContent = record.status === 'closed' ? `${String(record.outcome).toUpperCase()} ${fmt.time(record.closed_at)}`
      : `inspection started ${fmt.time(record.started_at)}`;
    const done = { 'step-document': standing('document'), 'step-weight': standing('scale'),
      'step-trace': standing('trace'), 'step-findings': (record.findings || []).length,
      'step-checklist': ((record.checklist && record.checklist.items) || []).length && !unticked().length,
      'step-duty': (record.duty || []).length, 'step-seizure': (record.seizures || []).length,
      'step-outcome': record.status === 'closed' };
    stepButtons.forEach((b) => {
      const [, text] = STEPS.find(([target]) => target === b.dataset.step);
      const unverified = done[b.dataset.step] === 'unverified'; // attached, but nothing to rely on: no ✓
      const label = unverified ? `⚠ ${text}` : done[b.dataset.step] ? `✓ ${text}` : text;
      if (b.textContent !== label) b.textContent = label;
      b.classList.toggle('is-done', Boolean(done[b.dataset.step]) && !unverified);
      b.classList.toggle('is-unverified', unverified);
    });
  }

  const stepsBox = h('div', { class: 'steps' },
    documentStep.card, weightStep.card, traceStep.card, radiation.card,
    h('section', { class: 'card', id: 'step-findings' }, h('h2', {}, 'Findings'), findingsList, findingForm),
    h('section', { class: 'card', id: 'step-checklist' }, h('h2', {}, 'Checklist'), checklistBox),
    h('section', { class: 'card', id: 'step-duty' }, h('h2', {}, 'Duty'), dutyBox),
    h('section', { class: 'card', id: 'step-seizure' }, h('h2', {}, 'Seizure'), seizureBox),
    h('section', { class: 'card', id: 'step-outcome' }, h('h2', {}, 'Outcome'), outcomeBox));
  add(view,
    h('div', { class: 'page-head' }, title, h('div', { class: 'btn-row', style: { margin: 0 } }, statusSlot, reportButton)),
    vehicleBar,
    banners,
    h('div', { class: 'grid-2' }, summary, riskCard),
    declarationCard,
    h('h2', {}, 'Steps'),
    stepsBox,
    logBox);

  // the outbox sent something about this inspection: show the box's view
  let reloadTimer = null;
  const onSent = (event) => {
    const r = event.detail.entry.record;
    if (r && r.type === 'inspection' && r.id === id) {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(load, 150);
    }
  };
  window.addEventListener('lanebox:sent', onSent);
  window.addEventListener('lanebox:rejected', onSent);
  const offOutbox = outbox.onChange(() => { if (record) drawWaiting(); });
  await restoreDraft();
  await load();
  return () => {
    alive = false;
    clearTimeout(reloadTimer);
    window.removeEventListener('lanebox:sent', onSent);
    window.removeEventListener('lanebox:rejected', onSent);
    offOutbox();
    disposers.forEach((fn) => fn());
  };
}

/** Fetch a PDF with the token and open it (a blob: URL in a new tab). */
export async function openPdf(path, near) {
  try {
    const { url, type } = await justified((headers) => api.blobUrl(path, { headers }),
      { record: path, what: 'this report', first: ['case_follow_up', 'court_request', 'this_inspection'] });
    let link = document.getElementById('pdf-link');
    if (!link) {
      link = h('a', { id: 'pdf-link', class: 'btn', target: '_blank', rel: 'noopener' });
      near.insertAdjacentElement('afterend', link);
    }
    link.href = url;
    link.dataset.type = type;
    link.textContent = 'Open the PDF again';
    window.open(url, '_blank');
  } catch (err) {
    toast(api.describe(err), { bad: true, ms: 6000 });
  }
}
