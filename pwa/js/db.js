// IndexedDB on the tablet: the outbox of writes waiting for the box, and
// copies of records last seen (so a screen still shows them offline).

const DB_NAME = 'lanebox';
const DB_VERSION = 1;
export const OUTBOX = 'outbox';
export const CACHE = 'cache';

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'seq', autoIncrement: true });
        if (!db.objectStoreNames.contains(CACHE)) db.createObjectStore(CACHE, { keyPath: 'key' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('the database is held open by an older tab'));
    });
  }
  return opening;
}

/** One request in its own transaction; resolves once the transaction has
 *  committed (so a write is on disk before the caller goes on). */
async function run(storeName, mode, makeRequest) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode, { durability: 'strict' });
    const request = makeRequest(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error || request.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

export const add = (store, value) => run(store, 'readwrite', (s) => s.add(value));
export const put = (store, value) => run(store, 'readwrite', (s) => s.put(value));
export const get = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const remove = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const getAll = (store) => run(store, 'readonly', (s) => s.getAll());

/** A copy of something the box sent, kept for offline viewing. */
export async function cachePut(key, value) {
  try {
    await put(CACHE, { key, value, at: new Date().toISOString() });
  } catch (err) {
    console.warn('could not keep a copy of', key, err);
  }
}

export async function cacheGet(key) {
  try {
    const row = await get(CACHE, key);
    return row ? row.value : null;
  } catch {
    return null;
  }
}
