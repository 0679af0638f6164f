// Drafts of forms the officer has begun (a finding with its photos, the
// start form, the seizure form), kept in IndexedDB as they are typed, so a
// tab change, a reload or an app restart loses nothing. Photos are kept here
// as blobs and sent only with the finding they belong to: an abandoned
// finding leaves no photo behind on the box.

import { CACHE, get, put, remove } from './db.js';

const key = (name) => `draft:${name}`;

export async function load(name) {
  try {
    const row = await get(CACHE, key(name));
    return row ? row.value : null;
  } catch {
    return null;
  }
}

export async function save(name, value) {
  try {
    await put(CACHE, { key: key(name), value, at: new Date().toISOString() });
  } catch (err) {
    console.warn('could not keep the draft', name, err);
  }
}

export async function drop(name) {
  try {
    await remove(CACHE, key(name));
  } catch (err) {
    console.warn('could not drop the draft', name, err);
  }
}

/**
 * Keep a form's draft as it changes: `read()` gives what to keep (null when
 * there is nothing), saved a moment after the last change; `shown(kept)`, if
 * given, is told after each save so the form can say so. Returns
 * {changed(), dirty(), flush(), clear()}.
 */
export function keeper(name, read, shown = null) {
  let timer = null;
  async function flush() {
    clearTimeout(timer);
    timer = null;
    const value = read();
    if (value) await save(name, value);
    else await drop(name);
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
      await drop(name);
    },
  };
}
