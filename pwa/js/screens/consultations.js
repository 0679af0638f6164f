// The supervisor's review of the consultation log (issue #17): who looked at a
// person's data at this lane, when, what and why, newest first. Reading the
// log names people too, so the box logs the reading itself (as an audit
// unless a reason is given) and may ask why: justify.js answers that.

import * as api from '../api.js';
import * as session from '../session.js';
import { askedWords, consultedWords, getJustified, reasonWords } from '../justify.js';
import { add, badge, field, h, replace, value } from '../ui.js';
import * as fmt from '../format.js';

const FILTERS = ['user', 'since', 'until'];
const PAGE = 25;
const WHY_REVIEW = { record: 'consultation-log', what: 'the log of who looked at personal data', first: ['audit'] };

function entryItem(entry) {
  const why = entry.justification;
  return h('li', { class: 'consultation', dataset: { seq: String(entry.seq), what: entry.what } },
    h('dl', { class: 'kv' },
      h('dt', {}, 'When'), h('dd', { class: 'consultation-when' }, fmt.dateTime(entry.at)),
      h('dt', {}, 'Who'), h('dd', { class: 'consultation-who' }, `${entry.user}${entry.role ? ` (${entry.role})` : ''}`),
      h('dt', {}, 'What'), h('dd', { class: 'consultation-what' }, consultedWords(entry)),
      h('dt', {}, 'Why'), h('dd', { class: 'consultation-why' }, reasonWords(why), ' ',
        badge(askedWords(why), why && !why.implicit ? 'info' : 'warn'))));
}

function query(filters, before = null) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  FILTERS.forEach((name) => { if (filters[name]) q.set(name, filters[name]); });
  if (before) q.set('before', String(before));
  return q.toString();
}

/** A reader who is not a supervisor, or any other refusal, is told so in words. */
function refusal(err) {
  if (err instanceof api.ApiError && err.status === 403) {
    return `Only a supervisor can read who looked at personal data. You are signed in as ${session.username()}.`;
  }
  if (err instanceof api.ApiError && err.code === 'justification_required') return 'The log was not opened: no reason was given.';
  return api.describe(err);
}

export async function render(view, _params, params) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || '']));
  const list = h('ol', { class: 'list', id: 'consultation-list', 'aria-label': 'Consultations, newest first' });
  const status = h('div', { id: 'consultation-status' });
  const older = h('button', { class: 'btn btn-block', type: 'button', id: 'consultations-older', hidden: true }, 'Older…');
  const form = h('form', { id: 'consultation-filters', class: 'card', novalidate: true },
    h('div', { class: 'grid-3' },
      field('user', 'Who (username)', h('input', { value: filters.user, autocomplete: 'off', autocapitalize: 'none', maxlength: 128 }), { id: 'c-user' }),
      field('since', 'From (date)', h('input', { type: 'date', value: filters.since }), { id: 'c-since' }),
      field('until', 'Until (date)', h('input', { type: 'date', value: filters.until }), { id: 'c-until' })),
    h('div', { class: 'btn-row' },
      h('button', { class: 'btn btn-primary', type: 'submit' }, 'Show'),
      h('a', { class: 'btn', href: '#/consultations' }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries(FILTERS.map((name) => [name, value(form, name)]));
    const q = new URLSearchParams(Object.entries(chosen).filter(([, v]) => v));
    location.hash = `#/consultations${q.toString() ? `?${q}` : ''}`;
  });
  add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Who looked at personal data')),
    h('p', { class: 'note' }, 'Every time someone opens a traveller\'s passport data, a report or the event log, it is written here with their reason. Your reading of this list is written here too.'),
    form, status, list, older);

  let alive = true;
  let shown = 0;
  async function load(before) {
    older.hidden = true;
    try {
      const page = await getJustified(`/consultations?${query(filters, before)}`, WHY_REVIEW);
      if (!alive) return;
      shown += page.entries.length;
      add(list, page.entries.map(entryItem));
      replace(status, h('p', { class: 'count', id: 'consultation-count' },
        shown ? `${shown} shown, newest first${page.next_before ? '' : ' — that is all'}` : 'Nobody looked at personal data in this time.'));
      older.hidden = !page.next_before;
      older.onclick = () => load(page.next_before);
    } catch (err) {
      if (!alive) return;
      form.hidden = err instanceof api.ApiError && err.status === 403; // nothing to filter for one who may not read it
      replace(status, h('p', { class: 'banner banner-bad', role: 'alert', id: 'consultation-refused' }, refusal(err)));
    }
  }
  await load(null);
  return () => { alive = false; };
}
