// One inspection: declaration, watchlist and risk; the steps (passport,
// weight, trace, findings with photos, checklist, duty, seizure), the
// outcome and the printable report. Works from the copy last seen when the
// box cannot be reached; writes go through the outbox and show as waiting
// until the box has them.

import * as api from '../api.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import { cacheGet, cachePut } from '../db.js';
import { createTile, holderName, isExpired } from '../tiles.js';
import { pretty, checkContainer } from '../iso6346.js';
import { add, badge, busy, clearErrors, field, formError, h, replace, setFieldError, showError, toast } from '../ui.js';
import * as fmt from '../format.js';

const CATEGORIES = [['goods', 'Goods'], ['concealment', 'Concealment'], ['documents', 'Documents'], ['biosecurity', 'Biosecurity'], ['other', 'Other']];
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO = 10 * 1024 * 1024;
const FLAG_TEXT = {
  watchlist_hit: 'Watchlist hit', weight_discrepancy: 'Weight discrepancy', trace_alarm: 'Trace alarm',
  document_invalid: 'Document invalid', document_expired: 'Document expired', document_watchlisted: 'Document watchlisted',
};
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

/** The mark on a reading taken while its device's calibration was overdue or failed (docs/architecture.md, decision 5). */
function dueBadge(entry) {
  const due = entry.calibration_due || (entry.calibration && ['due', 'failed'].includes(entry.calibration.status));
  return due ? badge('CALIBRATION DUE', 'warn') : null;
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

  // ----- attaching live readings ---------------------------------------
  function attachStep(kind, stepId, heading, buttonText, attachedSlot, canAttach) {
    const tile = createTile({ kind, compact: true });
    disposers.push(tile.dispose);
    const button = h('button', { class: 'btn btn-primary btn-block', type: 'button', id: `attach-${kind}` }, buttonText);
    const why = h('p', { class: 'hint' });
    const card = h('section', { class: 'card', id: stepId }, h('h2', {}, heading), tile.el, button, why,
      h('p', { class: 'form-error', role: 'alert' }), attachedSlot);
    function update() {
      const d = live.ofKind(kind);
      const reason = !record ? 'Loading…'
        : record.local ? 'Waits until the box has this inspection.'
          : record.status === 'closed' ? 'The inspection is closed.'
            : !d ? `No ${kind} device on this lane.`
              : !live.linkState().up ? 'No live link to the box.'
                : d.state === 'locked' ? 'Device locked by a supervisor.'
                  : !d.reading ? 'Nothing read yet.'
                    : live.isStale(d) ? 'The reading is old.'
                      : canAttach(d.reading.data);
      button.disabled = Boolean(reason);
      why.textContent = reason || '';
      const label = kind === 'scale' && d && d.reading && !reason ? `Attach ${fmt.weight(d.reading.data.weight, d.reading.data.unit)}` : buttonText;
      if (button.textContent !== label) button.textContent = label;
    }
    button.addEventListener('click', () => busy(button, async () => {
      const d = live.ofKind(kind);
      clearErrors(card);
      try {
        // reading_seq: the box records the very reading shown on this tile
        await api.post('/attachments', { id: outbox.newId(), device_id: d.id, record_type: 'inspection', record_id: id, reading_seq: d.reading.seq });
        toast(`${heading}: attached`);
        await load();
      } catch (err) {
        formError(card, err instanceof api.NetworkError
          ? 'No connection to the box — a live reading can only be attached while connected. Try again when the Wi-Fi is back.'
          : api.describe(err));
      }
      update();
    }));
    const unsubscribe = live.subscribe(() => update());
    const timer = setInterval(update, 1000);
    disposers.push(unsubscribe, () => clearInterval(timer));
    return { card, update };
  }

  const documentStep = attachStep('document', 'step-document', 'Passport', 'Attach passport', docAttached,
    (data) => (data.mrz ? '' : 'Not a travel document.'));
  const weightStep = attachStep('scale', 'step-weight', 'Weight', 'Attach weight', weightAttached,
    (data) => (data.status !== 'ok' ? `The scale shows ${data.status}.` : data.stable ? '' : 'Wait for STABLE — the weight is still moving.'));
  const traceStep = attachStep('trace', 'step-trace', 'Trace', 'Attach trace result', traceAttached,
    (data) => (data.result ? '' : 'No result.'));

  // ----- findings with photos ------------------------------------------
  const photos = []; // {sha256, name, state: 'hashing'|'waiting'|'stored'|'failed', url}
  const photoList = h('div', { class: 'photo-list', id: 'photo-list' });
  const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, id: 'photo-input' });
  const category = h('select', {}, CATEGORIES.map(([v, t]) => h('option', { value: v }, t)));
  const note = h('textarea', { maxlength: '4000', placeholder: 'What was found, where, how it was concealed…' });
  const findingForm = h('form', { id: 'finding-form', novalidate: true },
    field('category', 'Category', category),
    field('note', 'Note', note),
    field('photos', 'Photos', photoInput, { hint: 'Take or choose photos; each is fingerprinted (SHA-256) on this tablet.' }),
    photoList,
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { class: 'btn btn-primary btn-block', type: 'submit' }, 'Record finding'));

  function drawPhotos() {
    replace(photoList, photos.map((p, i) => h('figure', { class: 'photo', dataset: { sha256: p.sha256 || '' } },
      p.url ? h('img', { src: p.url, alt: p.name }) : null,
      h('figcaption', {},
        h('div', {}, p.state === 'stored' ? badge('STORED', 'ok') : p.state === 'waiting' ? badge('WAITING', 'warn') : p.state === 'failed' ? badge('NOT STORED', 'bad') : badge('…', 'info')),
        h('div', { class: 'hash' }, `SHA-256 ${p.sha256 || '…'}`),
        h('button', { class: 'btn', type: 'button', onclick: () => { photos.splice(i, 1); drawPhotos(); } }, 'Remove')))));
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
      const entry = { name: file.name, state: 'hashing', sha256: null, url: URL.createObjectURL(file) };
      photos.push(entry);
      drawPhotos();
      entry.sha256 = await sha256(await file.arrayBuffer());
      if (entry.sha256) photoUrls.set(entry.sha256, entry.url);
      drawPhotos();
      try {
        const result = await outbox.submit({ path: '/photos', blob: file, contentType: file.type, label: `Photo ${file.name}`, record: { type: 'inspection', id, kind: 'photo' } });
        if (result.sent) {
          if (entry.sha256 && result.data.sha256 !== entry.sha256) {
            setFieldError(findingForm, 'photos', `The box fingerprinted ${file.name} differently (${result.data.sha256}); take it again.`);
            entry.state = 'failed';
          } else {
            entry.sha256 = result.data.sha256;
            photoUrls.set(entry.sha256, entry.url);
            entry.state = 'stored';
          }
        } else if (entry.sha256) {
          entry.state = 'waiting';
        } else {
          entry.state = 'failed';
          setFieldError(findingForm, 'photos', 'No connection, and this browser cannot fingerprint photos itself: take it again when connected.');
        }
      } catch (err) {
        entry.state = 'failed';
        setFieldError(findingForm, 'photos', `${file.name}: ${api.describe(err)}`);
      }
      drawPhotos();
    }
  });

  findingForm.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(findingForm.querySelector('button[type=submit]'), async () => {
      clearErrors(findingForm);
      const text = note.value.trim();
      if (!text) { setFieldError(findingForm, 'note', 'Write what was found (up to 4000 characters).'); note.focus(); return; }
      if (photos.some((p) => p.state === 'hashing')) { setFieldError(findingForm, 'photos', 'Wait until every photo has its fingerprint.'); return; }
      if (photos.some((p) => p.state === 'failed')) { setFieldError(findingForm, 'photos', 'Remove the photos marked NOT STORED first.'); return; }
      const body = { id: outbox.newId(), ts: outbox.nowIso(), category: category.value, note: text, photos: photos.map((p) => p.sha256) };
      try {
        const result = await outbox.submit({ path: `/inspections/${id}/findings`, body, label: `Finding (${category.value}) on ${record ? record.plate : 'inspection'}`, record: { type: 'inspection', id, kind: 'finding' } });
        note.value = '';
        photos.splice(0, photos.length);
        drawPhotos();
        toast(result.sent ? 'Finding recorded' : 'Finding kept on the tablet — it is sent when the box is reachable');
        if (result.sent) await load();
        else await drawWaiting();
      } catch (err) {
        showError(findingForm, err);
      }
    });
  });

  // ----- outcome ---------------------------------------------------------
  let chosen = null;
  const reason = h('textarea', { maxlength: '2000', placeholder: 'Why this outcome (required to release after a trace alarm)' });
  const proposal = h('p', { class: 'banner banner-warn', hidden: true });
  const confirm = h('button', { class: 'btn btn-big btn-block', type: 'button', id: 'confirm-outcome', hidden: true });
  const outcomeButtons = h('div', { class: 'outcome-buttons' },
    h('button', { class: 'btn btn-go', type: 'button', dataset: { outcome: 'release' } }, 'Release'),
    h('button', { class: 'btn btn-warn', type: 'button', dataset: { outcome: 'refer' } }, 'Refer'),
    h('button', { class: 'btn btn-danger', type: 'button', dataset: { outcome: 'seize' } }, 'Seize'));
  const outcomeForm = h('form', { id: 'outcome-form', novalidate: true }, proposal, outcomeButtons,
    field('reason', 'Reason', reason), h('p', { class: 'form-error', role: 'alert' }), confirm);
  outcomeButtons.addEventListener('click', (event) => {
    const button = event.target.closest('[data-outcome]');
    if (!button) return;
    choose(button.dataset.outcome);
  });
  function choose(outcome) {
    chosen = outcome;
    outcomeButtons.querySelectorAll('[data-outcome]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.outcome === outcome)));
    outcomeButtons.querySelectorAll('[data-outcome]').forEach((b) => { b.style.outline = b.dataset.outcome === outcome ? '6px solid #0a0a0a' : ''; });
    confirm.hidden = false;
    confirm.className = `btn btn-big btn-block ${outcome === 'release' ? 'btn-go' : outcome === 'refer' ? 'btn-warn' : 'btn-danger'}`;
    confirm.textContent = outcome === 'seize' ? 'Go on to record the seizure' : `Confirm: ${outcome.toUpperCase()} ${record ? record.plate : ''}`;
  }
  confirm.addEventListener('click', () => busy(confirm, async () => {
    clearErrors(outcomeForm);
    if (chosen === 'seize') {
      location.hash = `#/inspections/${id}/seize`;
      return;
    }
    const alarm = hasFlag('trace_alarm');
    if (chosen === 'release' && alarm && !reason.value.trim()) {
      setFieldError(outcomeForm, 'reason', 'A trace alarm was recorded: give the reason for releasing.');
      reason.focus();
      return;
    }
    const body = { id: outbox.newId(), ts: outbox.nowIso(), outcome: chosen };
    if (reason.value.trim()) body.reason = reason.value.trim();
    try {
      const result = await outbox.submit({ path: `/inspections/${id}/outcome`, body, label: `Outcome ${chosen} for ${record ? record.plate : 'inspection'}`, record: { type: 'inspection', id, kind: 'outcome' } });
      toast(result.sent ? `Outcome recorded: ${chosen}` : `Outcome ${chosen} kept on the tablet — sent when the box is reachable`);
      if (result.sent) await load(); else await drawWaiting();
    } catch (err) {
      showError(outcomeForm, err, err.code === 'reason_required' ? 'reason' : null);
    }
  }));

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
          ? (record.containers || []).map((c) => h('div', { class: 'mono' }, pretty(c), ' ', checkContainer(c).state === 'valid' ? badge('ISO 6346 OK', 'ok') : badge('CHECK DIGIT WRONG', 'bad'))) : 'none'),
        h('dt', {}, 'Declaration'), h('dd', {}, record.declaration_ref || 'none given'),
        h('dt', {}, 'Type'), h('dd', {}, record.inspection_type),
        h('dt', {}, 'Started'), h('dd', {}, `${fmt.dateTime(record.started_at)}${offline(record.started_acted_at)} by ${record.started_by || '—'}`),
        closed ? [h('dt', {}, 'Closed'), h('dd', {}, `${fmt.dateTime(record.closed_at)}${offline(record.closed_acted_at)}${record.outcome_reason ? ` — ${record.outcome_reason}` : ''}`)] : null,
        h('dt', {}, 'Inspection id'), h('dd', { class: 'hash' }, record.id)));
  }

  function drawRisk() {
    const flags = record.flags || [];
    replace(riskCard, h('h2', {}, 'Risk'), riskPanel(record.risk, record.watchlist_hits || (record.risk && record.risk.watchlist_hits) || []),
      flags.length ? h('div', { class: 'flags', id: 'flags' }, flags.map((f) => h('span', { class: `badge ${f.code === 'trace_alarm' ? 'badge-bad' : 'badge-warn'}`, title: f.message, dataset: { flag: f.code } }, FLAG_TEXT[f.code] || fmt.label(f.code)))) : null,
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

  function drawAttached() {
    const doc = record.document;
    if (doc) {
      const mrz = readingData(doc).mrz || doc.mrz || {};
      const a = doc.assessment || {};
      replace(docAttached, h('div', { class: 'attached', id: 'document-attached' },
        h('h3', {}, 'Attached'), h('p', { class: 'big' }, holderName(mrz)),
        h('p', {}, [mrz.document_number, mrz.nationality, mrz.expiry_date ? `expires ${mrz.expiry_date}` : null].filter(Boolean).join(' · ')),
        h('div', { class: 'btn-row' },
          (a.valid ?? mrz.valid) ? badge('VALID', 'ok') : badge('INVALID', 'bad'),
          (a.expired ?? isExpired(mrz)) ? badge('EXPIRED', 'bad') : null,
          (a.watchlist_hits || []).length ? badge('WATCHLISTED', 'bad') : null, dueBadge(doc)),
        h('p', { class: 'muted' }, who(doc))));
    } else replace(docAttached);

    const weights = record.weights || [];
    replace(weightAttached, weights.length ? h('div', { class: 'attached', id: 'weights-attached' }, h('h3', {}, 'Attached'),
      h('ul', { class: 'list' }, weights.map((w) => {
        const data = readingData(w);
        const a = w.assessment || {};
        const pct = a.difference_pct ?? null;
        const bad = (a.flags || []).some((f) => f.code === 'weight_discrepancy');
        return h('li', {}, h('strong', { class: 'big' }, fmt.weight(data.weight, data.unit)), ' ',
          bad ? badge('DISCREPANCY', 'bad') : (a.declared_kg != null ? badge('MATCHES DECLARATION', 'ok') : null),
          a.declared_kg != null ? h('div', {}, `declared ${fmt.number(a.declared_kg)} kg${pct != null ? `, difference ${Number(pct) > 0 ? '+' : ''}${fmt.number(pct, 1)} %` : ''}${a.tolerance_pct != null ? ` (tolerance ${a.tolerance_pct} %)` : ''}`) : null,
          dueBadge(w),
          h('div', { class: 'muted' }, who(w)));
      }))) : null);

    const traces = record.traces || [];
    replace(traceAttached, traces.length ? h('div', { class: 'attached', id: 'traces-attached' }, h('h3', {}, 'Attached'),
      h('ul', { class: 'list' }, traces.map((t) => {
        const data = readingData(t);
        return h('li', {}, data.result === 'alarm' ? badge('ALARM', 'bad') : data.result === 'clear' ? badge('CLEAR', 'ok') : badge(String(data.result).toUpperCase(), 'warn'), ' ', dueBadge(t), ' ',
          (data.substances || []).map((s) => `${s.name} (${s.class}) ${s.amplitude}`).join(', '), h('div', { class: 'muted' }, `sample ${data.sample_id || '—'} · ${who(t)}`));
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
      hashes.length ? h('div', { class: 'photo-list' }, hashes.map((sha) => {
        const img = h('img', { alt: `photo ${sha.slice(0, 12)}` });
        if (photoUrls.has(sha)) img.src = photoUrls.get(sha);
        else if (!waiting) api.blobUrl(`/photos/${sha}`).then(({ url }) => { photoUrls.set(sha, url); img.src = url; }).catch(() => {});
        return h('figure', { class: 'photo' }, img, h('figcaption', { class: 'hash' }, `SHA-256 ${sha}`));
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
    drawOutcome(pending.filter((p) => p.record.kind === 'outcome'));
    const rejected = pending.filter((p) => p.state === 'rejected');
    const waiting = pending.filter((p) => p.state === 'waiting');
    replace(banners,
      record && hasFlag('trace_alarm') && record.status !== 'closed'
        ? h('div', { class: 'banner banner-bad', id: 'alarm-banner' }, 'TRACE ALARM — referral proposed. ',
          h('button', { class: 'btn', type: 'button', onclick: () => { choose('refer'); outcomeForm.scrollIntoView({ behavior: 'smooth' }); } }, 'Refer'))
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
    if (alarm && !chosen) choose('refer');
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
      record.local ? null : h('a', { class: 'btn', href: `#/inspections/${id}/duty` }, 'Assess duty'));
    const seizures = record.seizures || [];
    replace(seizureBox,
      seizures.length ? h('ul', { class: 'list' }, seizures.map((s) => {
        const sid = typeof s === 'string' ? s : s.id;
        return h('li', {}, h('a', { class: 'btn btn-block', href: `#/seizures/${sid}`, dataset: { seizure: sid } }, `Seizure ${fmt.shortId(sid)} — bags, labels, custody, report`));
      })) : h('p', { class: 'muted' }, 'Nothing seized.'),
      record.status !== 'closed' && !record.local ? h('a', { class: 'btn btn-danger', href: `#/inspections/${id}/seize` }, 'Seize goods') : null);
  }

  function drawLog() {
    const events = record.events || [];
    replace(logBox, events.length ? h('details', { class: 'log card' }, h('summary', {}, `Evidence log (${events.length} events)`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Seq'), h('th', {}, 'Event'), h('th', {}, 'When'), h('th', {}, 'Who'), h('th', {}, 'Hash'))),
        h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, e.seq), h('td', {}, e.type), h('td', {}, fmt.time(e.ts)), h('td', {}, e.actor), h('td', { class: 'hash' }, String(e.hash).slice(0, 16))))))) : null);
  }

  async function draw() {
    if (!alive || !record) return;
    drawHeader();
    drawRisk();
    drawDeclaration();
    drawAttached();
    drawDutyAndSeizures();
    drawLog();
    await drawWaiting();
    documentStep.update();
    weightStep.update();
    traceStep.update();
    findingForm.hidden = record.status === 'closed';
  }

  async function load() {
    try {
      record = await api.get(`/inspections/${id}`);
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

  add(view, 
    h('div', { class: 'page-head' }, title, h('div', { class: 'btn-row', style: { margin: 0 } }, statusSlot, reportButton)),
    banners,
    h('nav', { class: 'step-nav no-print', 'aria-label': 'Steps' },
      [['step-document', 'Passport'], ['step-weight', 'Weight'], ['step-trace', 'Trace'], ['step-findings', 'Findings'],
        ['step-checklist', 'Checklist'], ['step-duty', 'Duty'], ['step-seizure', 'Seizure'], ['step-outcome', 'Outcome']]
        .map(([target, text]) => h('button', { class: 'btn', type: 'button', onclick: () => document.getElementById(target).scrollIntoView({ behavior: 'smooth', block: 'start' }) }, text))),
    h('div', { class: 'grid-2' }, summary, riskCard),
    declarationCard,
    h('h2', {}, 'Steps'),
    h('div', { class: 'steps' },
      documentStep.card, weightStep.card, traceStep.card,
      h('section', { class: 'card', id: 'step-findings' }, h('h2', {}, 'Findings'), findingsList, findingForm),
      h('section', { class: 'card', id: 'step-checklist' }, h('h2', {}, 'Checklist'), checklistBox),
      h('section', { class: 'card', id: 'step-duty' }, h('h2', {}, 'Duty'), dutyBox),
      h('section', { class: 'card', id: 'step-seizure' }, h('h2', {}, 'Seizure'), seizureBox),
      h('section', { class: 'card', id: 'step-outcome' }, h('h2', {}, 'Outcome'), outcomeBox)),
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
    const { url, type } = await api.blobUrl(path);
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
