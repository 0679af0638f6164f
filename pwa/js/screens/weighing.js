// Weighbridge transactions: the first weighing of a plate (or its only one,
// against its stored tare), storing an empty vehicle's tare, then the
// second weighing, gross − tare = net, and the ticket. Every pass is the
// stable weight shown on the scale's tile: the box records that very reading
// (reading_seq) with the scale's calibration standing, and refuses what is no
// weighing result (moving, below the weighbridge's Min, a net display).

import * as api from '../api.js';
import * as live from '../live.js';
import * as outbox from '../outbox.js';
import * as router from '../router.js';
import * as fmt from '../format.js';
import { createTile } from '../tiles.js';
import { openPdf } from './inspection.js';
import { add, badge, busy, clearErrors, field, h, replace, showError } from '../ui.js';

/** Why the scale's current reading cannot be weighed now, or '' when it can. */
function notReady(d) {
  if (!d) return 'No scale on this lane.';
  if (!live.linkState().up) return 'No live link to the box.';
  if (d.state === 'locked') return 'The scale is locked by a supervisor.';
  if (!d.reading) return 'Nothing read yet.';
  if (live.isStale(d)) return 'The reading is old.';
  if (d.reading.data.status !== 'ok') return `The scale shows ${d.reading.data.status}.`;
  if (!d.reading.data.stable) return 'The weight is still moving: wait for the stable mark.';
  return '';
}

/** A button that weighs the scale's current stable reading; `send(scale, seq)` does the write. */
function weighButton(id, text, form, send, disposers) {
  const button = h('button', { class: 'btn btn-primary btn-big', type: 'button', id }, text);
  const why = h('p', { class: 'hint', id: `${id}-why` });
  function update() {
    const d = live.ofKind('scale');
    const reason = notReady(d);
    button.disabled = Boolean(reason);
    why.textContent = reason;
    const label = reason ? text : `${text}: ${fmt.weight(d.reading.data.weight, d.reading.data.unit)}`;
    if (button.textContent !== label) button.textContent = label;
  }
  button.addEventListener('click', () => busy(button, async () => {
    clearErrors(form);
    const d = live.ofKind('scale');
    try {
      await send(d, d.reading.seq);
    } catch (err) {
      showError(form, err);
    }
    update();
  }));
  const timer = setInterval(update, 1000);
  disposers.push(live.subscribe(() => update()), () => clearInterval(timer));
  update();
  return [button, why];
}

export async function renderNew(view, _params, query) {
  const disposers = [];
  const tile = createTile({ kind: 'scale' });
  disposers.push(tile.dispose);
  const inspectionId = query.get('inspection');
  const plate = h('input', { name: 'plate', autocomplete: 'off', value: query.get('plate') || '', 'aria-label': 'plate' });
  const useTare = h('input', { type: 'checkbox', name: 'stored_tare' });
  const form = h('form', { class: 'card', id: 'weighing-start', novalidate: true },
    field('plate', 'Plate', plate),
    h('label', { class: 'check-row' }, useTare, 'One weighing: use the tare stored for this plate'),
    inspectionId ? h('p', { class: 'note' }, `For inspection ${inspectionId}`) : null,
    h('p', { class: 'form-error', role: 'alert' }));
  const body = () => ({ id: outbox.newId(), plate: plate.value.trim() });
  const [first, firstWhy] = weighButton('first-weighing', 'First weighing', form, async (d, seq) => {
    const answer = await api.post('/weighings', { ...body(), device_id: d.id, reading_seq: seq,
      ...(useTare.checked ? { stored_tare: true } : {}), ...(inspectionId ? { inspection_id: inspectionId } : {}) });
    router.go(`/weighings/${answer.transaction.id}`);
  }, disposers);
  const [tare, tareWhy] = weighButton('store-tare', 'Store as this plate\'s tare', form, async (d, seq) => {
    const answer = await api.post('/tares', { ...body(), device_id: d.id, reading_seq: seq });
    add(form, h('p', { class: 'banner banner-info', id: 'tare-stored' },
      `Tare of ${answer.event.payload.plate} stored: ${answer.event.payload.pass.weight} ${answer.event.payload.pass.unit}`));
  }, disposers);
  add(form, h('div', { class: 'btn-row' }, first, tare), firstWhy, tareWhy);
  add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Weighbridge')), tile.el, form);
  return () => disposers.forEach((fn) => fn());
}

function passRows(transaction) {
  const unit = transaction.scale.unit;
  const rows = transaction.passes.map((p, n) => [`Weighing ${n + 1}`, p]);
  if (transaction.stored_tare) rows.push(['Stored tare', transaction.stored_tare]);
  return h('table', { class: 'passes-table', id: 'passes' },
    h('thead', {}, h('tr', {}, ['', 'Weight', 'At', 'By', 'Calibration'].map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map(([name, p]) => h('tr', { dataset: { weight: p.weight } },
      h('td', {}, name), h('td', { class: 'num' }, `${p.weight} ${unit}`), h('td', {}, fmt.dateTime(p.at)),
      h('td', {}, p.by), h('td', {}, p.calibration_due ? badge('CALIBRATION DUE', 'bad') : badge(p.calibration.status, 'ok'))))));
}

export async function render(view, { id }) {
  const disposers = [];
  const slot = h('div', { id: 'weighing' });
  add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Weighbridge ticket'),
    h('a', { class: 'btn btn-quiet', href: '#/weighing' }, 'New weighing')), slot);

  function draw(transaction) {
    disposers.splice(0).forEach((fn) => fn());
    const unit = transaction.scale.unit;
    const result = transaction.result;
    const head = h('section', { class: 'card', id: 'weighing-head', dataset: { status: transaction.status } },
      h('h2', {}, `Plate ${transaction.plate}`),
      h('p', { class: 'note' }, `Weighbridge: Max ${transaction.scale.max} ${unit}, e = ${transaction.scale.e} ${unit}, Min ${transaction.scale.min} ${unit}`),
      passRows(transaction));
    let next = null;
    if (result) {
      next = h('section', { class: 'card', id: 'weighing-result', dataset: { gross: result.gross, tare: result.tare, net: result.net } },
        h('p', { class: 'big' }, `Gross ${result.gross} ${unit} · Tare ${result.tare} ${unit} · Net ${result.net} ${unit}`),
        transaction.calibration_due ? h('p', { class: 'banner banner-warn' }, 'CALIBRATION DUE at a pass of this ticket') : null,
        h('div', { class: 'btn-row' }, h('button', { class: 'btn btn-primary btn-big', type: 'button', id: 'ticket-button',
          onclick: (e) => busy(e.currentTarget, () => openPdf(`/weighings/${transaction.id}/ticket.pdf`, e.currentTarget)) }, 'Ticket (PDF)')));
    } else {
      const tile = createTile({ kind: 'scale' });
      disposers.push(tile.dispose);
      const form = h('form', { class: 'card', novalidate: true }, h('p', { class: 'form-error', role: 'alert' }));
      const [second, why] = weighButton('second-weighing', 'Second weighing', form, async (d, seq) => {
        const answer = await api.post(`/weighings/${transaction.id}/second`, { id: outbox.newId(), device_id: d.id, reading_seq: seq });
        draw(answer.transaction);
      }, disposers);
      add(form, h('div', { class: 'btn-row' }, second), why);
      next = h('div', {}, tile.el, form);
    }
    replace(slot, head, next);
  }

  draw(await api.get(`/weighings/${encodeURIComponent(id)}`));
  return () => disposers.forEach((fn) => fn());
}
