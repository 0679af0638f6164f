// Drafts of forms the officer has begun (a finding with its photos, the
// start form, the seizure form), kept in IndexedDB as they are typed, so a
// tab change, a reload or an app restart loses nothing. Photos are kept here
// as blobs and sent only with the finding they belong to: an abandoned
// finding leaves no photo behind on the box. Drafts are kept per officer.

import { CACHE, get, put, remove } from './db.js';
import * as session from './session.js';

// each officer's own: another signing in on the same tablet does not see them
const key = (name) => `draft:${session.username() || '-'}:${name}`;

export async function load(name) {
  try {
    const row = await get(CACHE, key(name));
    return row ? row.value : null;
  } catch {
    return null;
  }
}

async function save(stored, value) {
  try {
    await put(CACHE, { key: stored, value, at: new Date().toISOString() });
  } catch (err) {
    console.warn('could not keep the draft', stored, err);
  }
}

async function drop(stored) {
  try {
    await remove(CACHE, stored);
  } catch (err) {
    console.warn('could not drop the draft', stored, err);
  }
}

/**
 * Keep a form's draft as it changes: `read()` gives what to keep (null when
 * there is nothing), saved a moment after the last change; `shown(kept)`, if
 * given, is told after each save so the form can say so. Returns
 * {changed(), dirty(), flush(), clear()}.
 */
export function keeper(name, read, shown = null) {
  const stored = key(name); // the officer who began it, even if the flush comes after signing out
  let timer = null;
  async function flush() {
    clearTimeout(timer);
    timer = null;
    const value = read();
    if (value) await save(stored, value);
    else await drop(stored);
    if (shown) shown(Boolean(value));
  }
  return {
    changed() {
      clearTimeout(timer);
      timer = setTimeout(flush, 250);
    },
    /** Does the form hold anything not yet recorded? */
    dirty: () => Boolean(read()),
    flush,
    async clear() {
      clearTimeout(timer);
      timer = null;
      await drop(stored);
    },
  };
}
