// The board supervisor's review of the consultation logs (issue #17): who at
// the board (the hub's own log) or at a lane (its synced entries) looked at a
// person's data, when, what and why, newest first; and whether the board's
// log is still whole (its hash chain walked by the hub). Reading the log is
// itself logged by the hub, and the hub may ask why: justify.js answers that.

import * as api from '/app/js/api.js';
import { askedWords, consultedWords, getJustified, reasonWords } from '/app/js/justify.js';
import * as feed from './feed.js';
import { isSupervisor } from './session.js';
import { h, replace, showError, clearErrors, value } from '/app/js/ui.js';
import { dateTime } from '/app/js/format.js';

const FIELDS = ['lane', 'user', 'since', 'until'];
const PAGE = 50;
const WHY_REVIEW = { record: 'board-consultation-log', what: 'the log of who looked at personal data', first: ['audit'] };

function queryString(params, before = null) {
  const q = new URLSearchParams();
  for (const name of FIELDS) if (params[name]) q.set(name, params[name]);
  if (before) q.set('before', String(before));
  return q.toString();
}

function rows(entries) {
  return entries.map((e) => h('tr', { dataset: { seq: String(e.seq), what: e.what } },
    h('td', {}, dateTime(e.at)),
    h('td', {}, `${e.user}${e.role ? ` (${e.role})` : ''}`),
    h('td', {}, consultedWords(e)),
    h('td', {}, reasonWords(e.justification)),
    h('td', {}, askedWords(e.justification))));
}

/** The board's log walked link by link at the hub, in words. */
async function drawChain(panel) {
  try {
    const chain = await api.get('/hub/consultations/chain');
    const entries = (n) => `${n} ${n === 1 ? 'entry' : 'entries'}`;
    replace(panel, chain.ok
      ? h('p', { class: 'count', id: 'chain-state', dataset: { ok: 'true' } }, `The log is whole: ${entries(chain.checked)} checked.`)
      : h('p', { class: 'count sev sev-critical', id: 'chain-state', dataset: { ok: 'false' } },
        `THE LOG IS BROKEN at entry ${chain.first_broken_seq}: it was changed or removed after it was written`,
        chain.checked ? ` (the ${entries(chain.checked)} before it are whole).` : '.'));
  } catch (err) {
    replace(panel, h('p', { class: 'count', id: 'chain-state' }, `The log's chain could not be checked: ${api.describe(err)}`));
  }
}

export function render(view, params) {
  if (!isSupervisor()) {
    replace(view, h('h1', {}, 'Who looked at personal data'),
      h('p', { class: 'count', id: 'not-allowed' }, 'Only a supervisor can read who looked at personal data.'));
    return;
  }
  const chain = h('section', { class: 'panel', id: 'consultation-chain', 'aria-label': 'Is the board\'s log whole?' },
    h('p', { class: 'muted' }, 'Checking the log…'));
  const results = h('div', { id: 'consultation-results' });
  const form = h('form', { class: 'search-form', id: 'consultation-form', novalidate: true },
    h('div', { class: 'field', dataset: { field: 'lane' } }, h('label', { for: 'c-lane' }, 'Whose log'),
      h('select', { id: 'c-lane', name: 'lane' }, h('option', { value: '' }, 'the board (this hub)'),
        feed.allLanes().map((l) => h('option', { value: l.lane, selected: l.lane === params.lane }, `lane ${l.lane}`)))),
    h('div', { class: 'field', dataset: { field: 'user' } }, h('label', { for: 'c-user' }, 'Who (username)'),
      h('input', { id: 'c-user', name: 'user', value: params.user || '', maxlength: 128, autocomplete: 'off' }), h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'since' } }, h('label', { for: 'c-since' }, 'From'),
      h('input', { id: 'c-since', name: 'since', type: 'date', value: params.since || '' }), h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'until' } }, h('label', { for: 'c-until' }, 'Until'),
      h('input', { id: 'c-until', name: 'until', type: 'date', value: params.until || '' }), h('p', { class: 'field-error' })),
    h('button', { class: 'btn btn-primary', type: 'submit' }, 'Show'),
    h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = Object.fromEntries(FIELDS.map((name) => [name, value(form, name)]));
    window.location.hash = `#/consultations?${queryString(next)}`;
  });
  replace(view, h('h1', {}, 'Who looked at personal data'),
    h('p', { class: 'muted' }, 'Every search, case opened and export at the board, and every passport or report opened at a lane, with the reason given. Your reading of this list is written in the board\'s log too.'),
    chain, form, results);
  drawChain(chain);

  const body = h('tbody');
  const count = h('p', { class: 'count', id: 'consultation-count' });
  const older = h('button', { class: 'btn', type: 'button', id: 'consultations-older', hidden: true }, 'Older…');
  let shown = 0;
  function load(before) {
    older.hidden = true;
    return getJustified(`/hub/consultations?${queryString(params, before)}&limit=${PAGE}`, WHY_REVIEW).then((page) => {
      clearErrors(form);
      shown += page.entries.length;
      body.append(...rows(page.entries));
      count.textContent = shown ? `${shown} shown, newest first${page.next_before ? '' : ' — that is all'}` : 'Nobody looked at personal data in this time.';
      older.hidden = !page.next_before;
      older.onclick = () => load(page.next_before);
    }).catch((err) => showError(form, err));
  }
  replace(results, count, h('table', { class: 'table consultations' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Why', 'Asked?'].map((t) => h('th', {}, t)))), body), older);
  load(null);
}
