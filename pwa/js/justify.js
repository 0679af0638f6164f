// Saying why a person's data is opened (issue #17: the consultation log).
// The box or the hub answers 428 justification_required when a record needs a
// reason; then a sheet of big buttons asks for one, the most likely first, and
// the request goes again with it in X-Justification. The choice is remembered
// for that record until the app is reloaded or signed out, so an officer is
// asked once per record, not at every redraw. An open inspection is its own
// reason on the box's side: the officer working it is never asked.

import * as api from './api.js';
import { ask } from './sheet.js';
import { h } from './ui.js';

export const HEADER = 'X-Justification';
export const REASONS = [
  ['this_inspection', 'This inspection'],
  ['case_follow_up', 'Case follow-up'],
  ['court_request', 'Court request'],
  ['audit', 'Audit'],
  ['data_subject_request', 'Data subject request'],
];
const MAX_WORDS = 300;
const remembered = new Map();

/** Forget every remembered reason (signing out). */
export function forget() {
  remembered.clear();
}

/** The header value for a reason and optional words (percent-encoded: a header carries no other bytes). */
export function headerValue(code, words) {
  const text = (words || '').trim();
  return text ? `${code}: ${encodeURIComponent(text)}` : code;
}

/**
 * Run `send(headers)`; if the server asks why, ask the user (`first`: the codes
 * to offer first), remember the answer under `record` and send again. Resolves
 * with what `send` resolves; rejects with the 428 when the user cancels.
 */
export async function justified(send, { record, what = 'this record', first = [] } = {}) {
  const known = record && remembered.get(record);
  try {
    return await send(known ? { [HEADER]: known } : {});
  } catch (err) {
    if (!(err instanceof api.ApiError) || err.code !== 'justification_required') throw err;
    const reason = await askWhy(what, first);
    if (!reason) throw err;
    if (record) remembered.set(record, reason);
    return send({ [HEADER]: reason });
  }
}

/** The sheet: one big button per reason (the likely ones first), words to add, "Other" needing words. */
export function askWhy(what, first = []) {
  const words = h('textarea', { id: 'justify-words', rows: 2, maxlength: MAX_WORDS,
    'aria-label': 'Words to add (a reference, a case number)' });
  const ordered = [...REASONS].sort(([a], [b]) => rank(first, a) - rank(first, b));
  const actions = ordered.map(([code, text], index) => ({
    text, id: `justify-${code}`, kind: index === 0 ? 'primary' : 'go',
    value: () => headerValue(code, words.value),
  }));
  actions.push({ text: 'Other (say why below)', id: 'justify-other', kind: 'warn',
    check: () => (words.value.trim() ? null : 'Write why in the box first.'),
    value: () => headerValue('other', words.value) });
  return ask({
    id: 'justify', title: `Why do you open ${what}?`,
    body: [h('p', {}, 'Opening a person\'s data is recorded with your name and your reason.'),
      h('label', { for: 'justify-words' }, 'Add words (optional): a reference, a case number'), words],
    actions,
  });
}

function rank(first, code) {
  const at = first.indexOf(code);
  return at === -1 ? first.length : at;
}

/** A GET that may ask why: the JSON, or throws as api.get does. */
export function getJustified(path, options = {}) {
  return justified((headers) => api.get(path, { headers }), options);
}

// ----- reading the log back: an entry in words (the lane's and the board's review) -----

const RECORD_KIND = { document: 'inspection', 'inspection report': 'inspection', 'seizure report': 'seizure', seizure: 'seizure' };
const WHAT_WORDS = {
  document: (records) => `passport data of ${records}`,
  'inspection report': (records) => `report of ${records}`,
  'seizure report': (records) => `report of ${records}`,
  seizure: (records) => `persons named in ${records}`,
  "driver's copy": () => 'the driver\'s receipt or ticket',
  photo: () => 'an evidence photo',
  events: (_records, entry) => `the event log (${(entry.records || []).join(', ').replace(/seq /g, 'events ')})`,
  consultation_log: (_records, entry) => withQuery('this list of who looked at personal data', entry.query, ['user', 'since', 'until']),
  search: (_records, entry) => withQuery('search:', entry.query, ['q', 'lane', 'kind', 'from', 'to'], '—'),
  case: (_records, entry) => `case${lanesOf(entry)}`,
};

function withQuery(words, query, names, none = '') {
  const asked = names.filter((name) => query && query[name]).map((name) => (name === 'q' ? `“${query[name]}”` : `${name} ${query[name]}`));
  return asked.length ? `${words} ${asked.join(', ')}` : `${words}${none ? ` ${none}` : ''}`;
}

function lanesOf(entry) {
  const lanes = [...new Set((entry.records || []).map((record) => String(record).split('/')[0]))];
  return lanes.length ? ` at ${lanes.join(', ')}` : '';
}

/** The records an entry names, by their vehicle's plate where the log knows it ("inspection EK48213"). */
function recordsInWords(entry) {
  const kind = RECORD_KIND[entry.what] || 'record';
  const records = entry.records || [];
  const plates = records.map((record) => (entry.plates || {})[record]).filter(Boolean);
  const one = `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
  const plural = records.length === 1 ? '' : 's';
  if (plates.length && plates.length === records.length) return `${kind}${plural}${kind === 'seizure' ? ' from' : ''} ${plates.join(', ')}`;
  return records.length > 1 ? `${records.length} ${kind}${plural}` : one;
}

/** What an entry of the consultation log was about, in words. */
export function consultedWords(entry) {
  const words = WHAT_WORDS[entry.what];
  const text = words ? words(recordsInWords(entry), entry) : String(entry.what || '').replace(/_/g, ' ');
  return entry.action === 'export' ? `${text} (a copy taken)` : text;
}

/** Why, in words: the reason and the words typed with it. */
export function reasonWords(justification) {
  if (!justification) return 'No reason given';
  return justification.text ? `${justification.words}: “${justification.text}”` : justification.words;
}

/** Whether the user chose the reason or it was taken as given (an open inspection, an audit of this log). */
export function askedWords(justification) {
  if (!justification) return 'not asked';
  return justification.implicit ? 'not asked: taken as given' : 'asked, chosen by the user';
}
