// Duty: HS code, a transaction value or FOB + freight + insurance, and a
// currency (filled from the inspection's declared goods) → the box's quote as
// a breakdown; recorded against an open inspection as an assessment, with its
// receipt PDF. The screen says whether it records or only quotes.

import * as api from '../api.js';
import * as outbox from '../outbox.js';
import { cacheGet } from '../db.js';
import { loadReference, currencies } from '../reference.js';
import { add, busy, clearErrors, field, h, replace, setFieldError, showError, toast } from '../ui.js';
import * as fmt from '../format.js';
import { openPdf } from './inspection.js';

const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

export function breakdownTable(b) {
  const cur = b.local_currency;
  const row = (label, value, cls = '') => h('tr', { class: cls }, h('td', {}, label), h('td', { class: 'num', dataset: { value: String(value) } }, value));
  return h('table', { class: 'breakdown', id: 'breakdown' },
    h('tbody', {},
      row('HS code', `${b.hs_code}${b.tariff && b.tariff.description ? ` — ${b.tariff.description}` : ''}`),
      row(b.basis === 'CIF' ? 'Customs value (CIF)' : 'Customs value (transaction)', fmt.money(b.customs_value, b.currency)),
      row('Exchange rate', `1 ${b.currency} = ${b.exchange_rate} ${cur}`),
      row(`Customs value in ${cur}`, fmt.money(b.customs_value_local, cur), 'customs-value-local'),
      row(`Duty at ${fmt.percent(b.duty_rate)}`, fmt.money(b.duty, cur), 'duty'),
      row('VAT base (value + duty)', fmt.money(b.vat_base, cur), 'vat-base'),
      row(`VAT at ${fmt.percent(b.vat_rate)}`, fmt.money(b.vat, cur), 'vat'),
      row('Total to pay (duty + VAT)', fmt.money(b.total, cur), 'total')));
}

/** What the screen does for this inspection: records duty on it, or only quotes (and why). */
function modeOf(inspection) {
  if (!inspection) {
    return { records: false, kind: 'info', text: 'Quote only — nothing is recorded. To record duty, choose an open inspection above.' };
  }
  const plate = inspection.plate;
  if (inspection.status === 'closed') {
    return { records: false, kind: 'warn', text: `Quote only: ${plate}'s inspection is closed (${String(inspection.outcome).toUpperCase()}), so it takes no more duty.` };
  }
  if (inspection.local) {
    return { records: false, kind: 'warn', text: `Quote only for now: ${plate}'s inspection is not on the box yet. Duty can be recorded once it is.` };
  }
  return { records: true, kind: 'info', text: `Records duty on ${plate}'s inspection. Record it before the outcome: releasing, referring or seizing closes the inspection, and a closed inspection takes no duty.` };
}

/** The inspection as the box has it (as last seen on this tablet when the box is out of reach). */
async function inspectionOf(id) {
  if (!id) return null;
  try {
    return await api.get(`/inspections/${id}`);
  } catch {
    return cacheGet(`inspection:${id}`);
  }
}

export async function render(view, params, query) {
  const ref = await loadReference().catch(() => null);
  let inspectionId = params.id || query.get('inspection') || '';
  let inspection = null;
  const form = h('form', { class: 'card', id: 'duty-form', novalidate: true });
  const hs = h('input', { inputmode: 'numeric', class: 'mono', maxlength: '10', placeholder: 'e.g. 030489' });
  const currency = h('select', {}, currencies(ref).map((c) => h('option', { value: c, selected: c === 'EUR' }, c)));
  const value = h('input', { inputmode: 'decimal', placeholder: '0.00' });
  const fob = h('input', { inputmode: 'decimal', placeholder: '0.00' });
  const freight = h('input', { inputmode: 'decimal', placeholder: '0.00' });
  const insurance = h('input', { inputmode: 'decimal', placeholder: '0.00' });
  const quantity = h('input', { inputmode: 'decimal', placeholder: 'optional' });
  const basisTx = h('input', { type: 'radio', name: 'basis', value: 'transaction', checked: true });
  const basisCif = h('input', { type: 'radio', name: 'basis', value: 'cif' });
  const txBox = h('div', { id: 'transaction-fields' }, field('value', 'Transaction value', value));
  const cifBox = h('div', { class: 'grid-3', id: 'cif-fields', hidden: true },
    field('fob', 'FOB value', fob), field('freight', 'Freight', freight), field('insurance', 'Insurance', insurance));
  const result = h('div', { id: 'duty-result' });
  const inspectionPick = h('select', { id: 'duty-inspection' }, h('option', { value: '' }, 'None — quote only'));
  const title = h('h1', {}, 'Duty');
  const mode = h('p', { class: 'banner banner-info', id: 'duty-mode', role: 'status' });
  const goodsBox = h('div', { id: 'declared-goods' });
  const assessButton = h('button', { class: 'btn btn-go btn-big', type: 'button', id: 'assess-button', disabled: true }, 'Record assessment');
  let lastQuote = null;

  const toggle = () => {
    const cif = basisCif.checked;
    txBox.hidden = cif;
    cifBox.hidden = !cif;
  };
  basisTx.addEventListener('change', toggle);
  basisCif.addEventListener('change', toggle);
  const forgetQuote = () => { lastQuote = null; drawAssessState(); };
  form.addEventListener('input', forgetQuote);
  inspectionPick.addEventListener('change', async () => {
    inspectionId = inspectionPick.value;
    inspection = await inspectionOf(inspectionId);
    drawInspection();
  });

  function drawAssessState() {
    const { records } = modeOf(inspection);
    assessButton.hidden = !records;
    assessButton.disabled = !records || !lastQuote;
  }

  /** Fill the form from one line of the declared goods (the officer may change any of it). */
  function fillFrom(goods) {
    hs.value = goods.hs_code || '';
    value.value = goods.value !== null && goods.value !== undefined ? Number(goods.value).toFixed(2) : '';
    if (goods.currency && ![...currency.options].some((o) => o.value === goods.currency)) {
      currency.append(h('option', { value: goods.currency }, goods.currency));
    }
    if (goods.currency) currency.value = goods.currency;
    basisTx.checked = true;
    toggle();
    clearErrors(form);
    forgetQuote();
  }

  function drawGoods() {
    const declaration = inspection && inspection.declaration;
    const goods = (declaration && declaration.goods) || [];
    if (!goods.length) {
      replace(goodsBox, inspection ? h('p', { class: 'hint' }, 'No declared goods to fill the form from: type the figures.') : null);
      return;
    }
    const words = (g) => `${g.description} — HS ${g.hs_code}, ${fmt.money(Number(g.value).toFixed(2), g.currency)}`;
    if (goods.length === 1) {
      replace(goodsBox, h('p', { class: 'hint', id: 'filled-from' }, `Filled from declaration ${declaration.ref}: ${words(goods[0])}. Change any figure if it is wrong.`));
    } else {
      replace(goodsBox, h('fieldset', {}, h('legend', {}, `Declared goods (declaration ${declaration.ref})`),
        goods.map((g, n) => h('label', { class: 'radio-row' },
          h('input', { type: 'radio', name: 'goods-line', value: String(n), checked: n === 0, onchange: () => fillFrom(g) }), words(g)))));
    }
    fillFrom(goods[0]);
  }

  function drawInspection() {
    const now = modeOf(inspection);
    mode.className = `banner banner-${now.kind}`;
    mode.textContent = now.text;
    replace(title, now.records ? `Record duty — ${inspection.plate}` : `Duty quote${inspection ? ` — ${inspection.plate}` : ''}`);
    drawGoods();
    drawAssessState();
  }

  add(form, 
    params.id ? null : field('inspection', 'Record against inspection', inspectionPick),
    goodsBox,
    h('div', { class: 'grid-3' }, field('hs_code', 'HS code', hs), field('currency', 'Currency', currency), field('quantity', 'Quantity', quantity)),
    h('fieldset', { dataset: { field: 'basis' } }, h('legend', {}, 'Customs value'),
      h('div', { class: 'choice-row' },
        h('label', { class: 'radio-row' }, basisTx, 'Transaction value'),
        h('label', { class: 'radio-row' }, basisCif, 'FOB + freight + insurance (CIF)')),
      txBox, cifBox),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'btn-row' }, h('button', { class: 'btn btn-primary btn-big', type: 'submit', id: 'quote-button' }, 'Quote'), assessButton));
  /** The quote request from the form, or null after showing what is wrong. */
  function request() {
    clearErrors(form);
    let ok = true;
    const bad = (name, message) => { setFieldError(form, name, message); ok = false; };
    const code = hs.value.replace(/[\s.]/g, '');
    if (!/^\d{4,10}$/.test(code)) bad('hs_code', 'An HS code is 4 to 10 digits, e.g. 030489.');
    const money = (el, name, required) => {
      const text = el.value.trim().replace(/,/g, '');
      if (!text && !required) return undefined;
      if (!MONEY.test(text)) { bad(name, 'An amount like 10000 or 10000.50 (no currency sign).'); return undefined; }
      return Number(text);
    };
    const body = { hs_code: code, currency: currency.value };
    if (basisTx.checked) {
      body.value = money(value, 'value', true);
    } else {
      body.fob = money(fob, 'fob', true);
      const f = money(freight, 'freight', false);
      const i = money(insurance, 'insurance', false);
      if (f !== undefined) body.freight = f;
      if (i !== undefined) body.insurance = i;
    }
    const q = quantity.value.trim();
    if (q) {
      if (!(Number(q) > 0)) bad('quantity', 'A quantity above 0, or leave it empty.');
      else body.quantity = Number(q);
    }
    return ok ? body : null;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('#quote-button'), async () => {
      const body = request();
      if (!body) return;
      try {
        const quote = await api.post('/duty/quote', body);
        lastQuote = { body, quote };
        replace(result, h('div', { class: 'card' }, h('h2', {}, 'Quote'), breakdownTable(quote),
          h('p', { class: 'muted' }, modeOf(inspection).records ? 'Not recorded yet: press Record assessment.' : 'A quote only — nothing is recorded.')));
        drawAssessState();
      } catch (err) {
        showError(form, err, { unknown_hs_code: 'hs_code', unknown_currency: 'currency' }[err.code] || null);
        replace(result);
      }
    });
  });

  assessButton.addEventListener('click', () => busy(assessButton, async () => {
    if (!lastQuote || !modeOf(inspection).records) return;
    const body = { id: outbox.newId(), ts: outbox.nowIso(), ...lastQuote.body };
    try {
      const sent = await outbox.submit({ path: `/inspections/${inspectionId}/duty`, body, label: `Duty ${body.hs_code}`, record: { type: 'inspection', id: inspectionId, kind: 'duty' } });
      if (sent.sent) {
        const { assessment, event_id: eventId } = sent.data;
        const receipt = h('button', { class: 'btn btn-primary', type: 'button', id: 'receipt-button', onclick: (e) => busy(e.currentTarget, () => openPdf(`/duty/${eventId}/receipt.pdf`, e.currentTarget)) }, 'Receipt PDF');
        replace(result, h('div', { class: 'card', id: 'assessment' }, h('h2', {}, 'Assessed and recorded'), breakdownTable(assessment),
          h('p', { class: 'muted' }, `On ${inspection.plate}'s inspection, ${fmt.time(new Date().toISOString())}`),
          h('div', { class: 'btn-row' }, receipt, h('a', { class: 'btn', href: `#/inspections/${inspectionId}` }, 'Back to inspection'))));
        toast('Duty assessment recorded');
      } else {
        toast('Assessment kept on the tablet — sent when the box is reachable');
        replace(result, h('p', { class: 'banner banner-warn' }, 'Assessment waiting to be sent; its receipt appears on the inspection once the box has it.'));
      }
      lastQuote = null;
      drawAssessState();
    } catch (err) {
      showError(form, err, { unknown_hs_code: 'hs_code', unknown_currency: 'currency' }[err.code] || null);
    }
  }));

  if (params.id) {
    inspection = await inspectionOf(params.id);
  } else {
    api.get('/inspections?status=open&limit=50').then(({ inspections }) => {
      for (const i of inspections) inspectionPick.append(h('option', { value: i.id, selected: i.id === inspectionId }, `${i.plate} — ${fmt.time(i.started_at)}`));
    }).catch(() => {});
    inspection = await inspectionOf(inspectionId);
  }
  add(view, h('div', { class: 'page-head' }, title,
    params.id ? h('a', { class: 'btn', href: `#/inspections/${params.id}` }, 'Back to inspection') : null), mode, form, result);
  drawInspection();
  hs.focus();
}
