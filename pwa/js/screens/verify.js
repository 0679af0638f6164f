// Checking a bag's label: the officer scans its QR code with a handheld
// scanner (it types the label into the field and presses Enter) or types
// it, and the tablet checks the signature with the lane keys it keeps — it
// needs no box, so a label is checked anywhere a tablet goes. The keys are
// every lane's of the port (a bag moves between lanes, the evidence store
// and the control room): the box hands on the list its hub signed. The
// control-room board shows this same screen with the hub's keys (screen()).

import { LabelRefused, loadKeys, verifyLabel } from '../labels_crypto.js';
import { add, busy, h, replace } from '../ui.js';
import * as fmt from '../format.js';

const REFUSED = {
  malformed: 'NOT A READABLE LABEL — do not accept',
  unknown_lane: 'CANNOT BE CHECKED — lane not known here; do not accept until checked',
  unknown_key: 'FORGED OR ALTERED — do not accept',
  bad_signature: 'FORGED OR ALTERED — do not accept',
};

function weightLine(says) {
  if (says.kg === null) return 'not weighed at sealing';
  const standing = says.cal_due === true ? ' — scale calibration was due' : says.cal_due === false ? ' — scale in calibration' : '';
  return `${says.kg} kg gross on ${says.scale}${standing}`;
}

function validCard(says) {
  const row = (name, value, id) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', { id }, value));
  return h('div', { class: 'card', id: 'verify-result', dataset: { result: 'valid' } },
    h('p', { class: 'banner banner-ok', id: 'verify-verdict' }, 'SIGNATURE VALID'),
    h('table', { class: 'breakdown' }, h('tbody', {},
      row('Bag', says.bag, 'verify-bag'),
      row('Seal', says.seal || 'no seal number recorded', 'verify-seal'),
      row('Weight', weightLine(says), 'verify-weight'),
      row('Sealed at lane', says.lane, 'verify-lane'),
      row('Sealed on', fmt.dateTime(says.at), 'verify-time'))),
    h('p', { class: 'note' }, 'Check the seal on the bag reads the same number, and the bag is whole.'));
}

function refusedCard(err) {
  return h('div', { class: 'card', id: 'verify-result', dataset: { result: err.code } },
    h('p', { class: 'banner banner-bad', id: 'verify-verdict' }, REFUSED[err.code] || REFUSED.bad_signature),
    h('p', {}, err.message), h('p', { class: 'note' }, 'Keep the bag as it is and call a supervisor.'));
}

function keysWords(kept, where) {
  const keys = (kept && kept.keys) || [];
  if (!keys.length) return `No lane keys here yet: open this screen once while ${where} is reachable.`;
  const lanes = [...new Set(keys.map((k) => k.lane))];
  const port = kept.port ? '' : ' Only this lane\'s so far: the other lanes\' come once the box hears the port hub.';
  return `Keys of ${lanes.join(', ')} kept here (updated ${fmt.dateTime(kept.at)}). Works without ${where}.${port}`;
}

/** The verify screen, keeping the keys `keysPath` serves; `where` names what it works without. */
export function screen(keysPath, where) {
  return (view) => renderWith(view, keysPath, where);
}

/** The tablet's: the box's keys (its lane's and, via its hub, every lane's of the port). */
export const render = screen('/lane/keys', 'the box');

async function renderWith(view, keysPath, where) {
  const input = h('input', { id: 'label-text', name: 'label', type: 'text', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Scan the label here', 'aria-label': 'Label text (scan or type)' });
  const result = h('div', { id: 'verify-result-slot' });
  const keysNote = h('p', { class: 'note', id: 'verify-keys' }, 'Loading the lane keys…');
  const form = h('form', { class: 'card', id: 'verify-form' },
    h('label', { for: 'label-text' }, 'Scan the QR label with the handheld scanner, or type it'), input,
    h('div', { class: 'btn-row' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Check label')));
  add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Check a bag label')), keysNote, form, result);

  const kept = await loadKeys(keysPath);
  const keys = (kept && kept.keys) || [];
  keysNote.textContent = keysWords(kept, where);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), async () => {
      const text = input.value.trim();
      if (!text) { input.focus(); return; }
      try {
        replace(result, validCard(await verifyLabel(text, keys)));
      } catch (err) {
        replace(result, refusedCard(err instanceof LabelRefused ? err : new LabelRefused('malformed', String(err.message || err))));
      }
      input.select(); // the next scan replaces it
    });
  });
  setTimeout(() => input.focus(), 0);
  return undefined;
}
