// Duty: HS code, a transaction value or FOB + freight + insurance, and a
// currency → the box's quote as a breakdown; recorded against an inspection
// as an assessment, with its receipt PDF.

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

export async function render(view, params, query) {
  const ref = await loadReference().catch(() => null);
  let inspectionId = params.id || query.get('inspection') || '';
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
  const assessButton = h('button', { class: 'btn btn-go btn-big', type: 'button', id: 'assess-button', disabled: true }, 'Record assessment');
  let lastQuote = null;

  const toggle = () => {
    const cif = basisCif.checked;
    txBox.hidden = cif;
    cifBox.hidden = !cif;
  };
  basisTx.addEventListener('change', toggle);
  basisCif.addEventListener('change', toggle);
  form.addEventListener('input', () => { assessButton.disabled = true; lastQuote = null; });
  inspectionPick.addEventListener('change', () => { inspectionId = inspectionPick.value; drawAssessState(); });

  function drawAssessState() {
    assessButton.hidden = !inspectionId;
    assessButton.disabled = !lastQuote;
  }

  add(form, 
    params.id ? null : field('inspection', 'Record against inspection', inspectionPick),
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
          h('p', { class: 'muted' }, inspectionId ? 'Not recorded yet: press Record assessment.' : 'A quote only — nothing is recorded.')));
        drawAssessState();
      } catch (err) {
        showError(form, err, { unknown_hs_code: 'hs_code', unknown_currency: 'currency' }[err.code] || null);
        replace(result);
      }
    });
  });

  assessButton.addEventListener('click', () => busy(assessButton, async () => {
    if (!lastQuote || !inspectionId) return;
    const body = { id: outbox.newId(), ts: outbox.nowIso(), ...lastQuote.body };
    try {
      const sent = await outbox.submit({ path: `/inspections/${inspectionId}/duty`, body, label: `Duty ${body.hs_code}`, record: { type: 'inspection', id: inspectionId, kind: 'duty' } });
      if (sent.sent) {
        const { assessment, event_id: eventId } = sent.data;
        const receipt = h('button', { class: 'btn btn-primary', type: 'button', id: 'receipt-button', onclick: (e) => busy(e.currentTarget, () => openPdf(`/duty/${eventId}/receipt.pdf`, e.currentTarget)) }, 'Receipt PDF');
        replace(result, h('div', { class: 'card', id: 'assessment' }, h('h2', {}, 'Assessed and recorded'), breakdownTable(assessment),
          h('p', { class: 'muted' }, 'Event ', h('span', { class: 'hash' }, eventId)),
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

  let plate = '';
  if (params.id) {
    const insp = await cacheGet(`inspection:${params.id}`);
    plate = insp ? insp.plate : '';
  } else {
    api.get('/inspections?status=open&limit=50').then(({ inspections }) => {
      for (const i of inspections) inspectionPick.append(h('option', { value: i.id, selected: i.id === inspectionId }, `${i.plate} — ${fmt.time(i.started_at)}`));
    }).catch(() => {});
  }
  add(view, h('div', { class: 'page-head' }, h('h1', {}, `Duty${plate ? ` — ${plate}` : ''}`),
    params.id ? h('a', { class: 'btn', href: `#/inspections/${params.id}` }, 'Back to inspection') : null), form, result);
  drawAssessState();
  hs.focus();
}
