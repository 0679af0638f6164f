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
