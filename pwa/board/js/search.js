// Search across lanes for inspections and seizures — by container, plate,
// passport/document number, bag id, lane and date — and export what was
// found as CSV. The query lives in the URL, so a search can be shared.

import * as api from '/app/js/api.js';
import { getJustified, justified } from '/app/js/justify.js';
import * as feed from './feed.js';
import { h, replace, showError, clearErrors, value } from '/app/js/ui.js';
import { dateTime, label } from '/app/js/format.js';

const FIELDS = ['q', 'lane', 'kind', 'from', 'to'];

export function caseTable(cases) {
  if (!cases.length) return h('p', { class: 'muted', id: 'no-results' }, 'Nothing found.');
  return h('table', { class: 'table results' },
    h('thead', {}, h('tr', {}, ['Lane', 'Kind', 'Plate', 'Containers', 'Documents', 'Bags', 'Status', 'Started'].map((t) => h('th', {}, t)))),
    h('tbody', {}, cases.map((c) => h('tr', { dataset: { case: c.id } },
      h('td', {}, c.lane),
      h('td', {}, h('a', { href: `#/case/${encodeURIComponent(c.lane)}/${encodeURIComponent(c.id)}` }, c.kind)),
      h('td', {}, c.plate || '—'),
      h('td', { class: 'mono' }, (c.terms.container || []).join(' ')),
      h('td', { class: 'mono' }, (c.terms.document || []).join(' ')),
      h('td', { class: 'mono' }, (c.terms.bag || []).join(' ')),
      h('td', {}, c.outcome ? `${c.status} (${label(c.outcome)})` : c.status),
      h('td', {}, dateTime(c.started_at))))));
}

/** What the control room did to alarms: each step, who and when, and the case it was raised at. */
export function logTable(entries) {
  if (!entries.length) return h('p', { class: 'muted', id: 'no-steps' }, 'No alarm steps found.');
  return h('table', { class: 'table alarm-log' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Step', 'Lane', 'Alarm', 'Case', 'Note or reason'].map((t) => h('th', {}, t)))),
    h('tbody', {}, entries.map((e) => h('tr', { dataset: { seq: e.seq, action: e.action } },
      h('td', {}, dateTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action === 'assigned' ? `assigned to ${e.detail.assignee}` : e.action),
      h('td', {}, e.lane), h('td', {}, label(e.kind || '')),
      h('td', {}, e.case_id ? h('a', { href: `#/case/${encodeURIComponent(e.lane)}/${encodeURIComponent(e.case_id)}` }, e.case_id) : '—'),
      h('td', {}, e.detail.note || e.detail.reason || '')))));
}

/** The alarm log takes the same words, lane and dates (who, or the case id, in q). */
function logQuery(params) {
  const q = new URLSearchParams();
  for (const name of ['q', 'lane', 'from', 'to']) if (params[name]) q.set(name, params[name]);
  return q.toString();
}

function queryString(params) {
  const q = new URLSearchParams();
  for (const name of FIELDS) if (params[name]) q.set(name, params[name]);
  return q.toString();
}

/** A search finds people's documents and plates: the board asks why once a session. */
const WHY_SEARCH = { record: 'board-search', what: 'this search', first: ['case_follow_up', 'court_request', 'audit'] };

export function render(view, params) {
  const results = h('div', { id: 'results' });
  const form = h('form', { class: 'search-form', id: 'search-form', novalidate: true },
    h('div', { class: 'field wide', dataset: { field: 'q' } }, h('label', { for: 's-q' }, 'Container, plate, passport, bag or case'),
      h('input', { id: 's-q', name: 'q', value: params.q || '', maxlength: 64, autocomplete: 'off' }), h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'lane' } }, h('label', { for: 's-lane' }, 'Lane'),
      h('select', { id: 's-lane', name: 'lane' }, h('option', { value: '' }, 'all lanes'),
        feed.allLanes().map((l) => h('option', { value: l.lane, selected: l.lane === params.lane }, l.lane)))),
    h('div', { class: 'field', dataset: { field: 'kind' } }, h('label', { for: 's-kind' }, 'Kind'),
      h('select', { id: 's-kind', name: 'kind' }, ['', 'inspection', 'seizure'].map((k) =>
        h('option', { value: k, selected: k === (params.kind || '') }, k || 'both')))),
    h('div', { class: 'field', dataset: { field: 'from' } }, h('label', { for: 's-from' }, 'From'),
      h('input', { id: 's-from', name: 'from', type: 'date', value: params.from || '' }), h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'to' } }, h('label', { for: 's-to' }, 'To'),
      h('input', { id: 's-to', name: 'to', type: 'date', value: params.to || '' }), h('p', { class: 'field-error' })),
    h('button', { class: 'btn btn-primary', type: 'submit' }, 'Search'),
    h('button', { class: 'btn', type: 'button', id: 'export-csv', onclick: () => exportCsv(params) }, 'Export CSV'),
    h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = Object.fromEntries(FIELDS.map((name) => [name, value(form, name)]));
    window.location.hash = `#/search?${queryString(next)}`;
  });
  const steps = h('section', { id: 'alarm-steps', class: 'panel' });
  replace(view, h('h1', {}, 'Search inspections and seizures'), form, results, steps);
  if (FIELDS.some((name) => params[name])) {
    replace(results, h('p', { class: 'muted' }, 'Searching…'));
    getJustified(`/hub/search?${queryString(params)}`, WHY_SEARCH).then((data) => {
      clearErrors(form);
      replace(results, h('p', { class: 'count' }, `${data.cases.length} found`), caseTable(data.cases));
    }).catch((err) => { replace(results); showError(form, err); });
    api.get(`/hub/alarm-log?${logQuery(params)}`).then((data) => {
      replace(steps, h('h2', {}, 'Alarm steps'), logTable(data.entries));
    }).catch(() => replace(steps));
  }
}

async function exportCsv(params) {
  const { url } = await justified((headers) => api.blobUrl(`/hub/search.csv?${queryString(params)}`, { headers }), WHY_SEARCH);
  const link = h('a', { href: url, download: 'lanebox-search.csv' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
