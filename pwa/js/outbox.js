// The outbox: every write the officer makes goes into IndexedDB first,
// with an id made here (crypto.randomUUID) and the time it was made, and
// is sent to the box in the order it was made — now if the box answers,
// else when it is reachable again (on `online`, on a timer, after any
// request that got through). The box treats a replay of the same id and
// body as done (200), so sending twice is harmless.
//
// What happens to a write sent:
//   200/201 → done, removed;  network failure, 5xx, 429 → stays, retried;
//   401 → stays, sent after the officer signs in again;
//   other 4xx (409 id_reused included) → kept aside with the box's message.

import * as api from './api.js';
import { OUTBOX, add, getAll, put, remove } from './db.js';

const RETRY_MS = 10000;
const listeners = new Set();
const fates = new Map(); // seq → {ok, status, data} | {error}, for a submitter waiting on it
const awaited = new Set();
let currentUser = () => null;
let flushing = null;
let again = false;
let persisted = null;

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // not a secure context (plain http on a LAN address): still a v4 UUID
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function nowIso() {
  return new Date().toISOString();
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function changed() {
  const s = await summary();
  for (const fn of [...listeners]) {
    try {
      fn(s);
    } catch (err) {
      console.error(err);
    }
  }
}

export async function items() {
  return (await getAll(OUTBOX)).sort((a, b) => a.seq - b.seq);
}

export async function summary() {
  const list = await items();
  return {
    items: list,
    waiting: list.filter((i) => i.state === 'waiting').length,
    rejected: list.filter((i) => i.state === 'rejected').length,
    persisted,
  };
}

/** Writes about one record (e.g. an inspection), for showing them as waiting. */
export async function forRecord(type, id) {
  return (await items()).filter((i) => i.record && i.record.type === type && i.record.id === id);
}

/**
 * Put a write in the outbox. `body` is a JSON object (its `id` is the event
 * id) or `blob` a file (a photo). `label` says in words what it is;
 * `record` {type, id, kind} ties it to what it changes.
 */
export async function enqueue({ method = 'POST', path, body = null, blob = null, contentType = null, label, record = null }) {
  const entry = {
    method, path, body, blob, contentType, label, record,
    id: body && body.id ? body.id : null,
    made_at: nowIso(),
    username: currentUser(),
    state: 'waiting',
    attempts: 0,
    last_error: null,
  };
  entry.seq = await add(OUTBOX, entry);
  await changed();
  return entry;
}

/**
 * Enqueue and try to send at once. Returns {sent: true, status, data} when
 * the box took it, {queued: true} when it waits (offline, signed out).
 * A refusal (4xx) is thrown as the ApiError and the write is dropped from
 * the outbox — the form is on screen to fix it.
 */
export async function submit(spec) {
  const entry = await enqueue(spec);
  awaited.add(entry.seq);
  try {
    await flush();
  } finally {
    awaited.delete(entry.seq);
  }
  const fate = fates.get(entry.seq);
  fates.delete(entry.seq);
  if (!fate) return { queued: true, entry };
  if (fate.error) {
    await remove(OUTBOX, entry.seq);
    await changed();
    throw fate.error;
  }
  return { sent: true, status: fate.status, data: fate.data, entry };
}

/** Send what waits, oldest first; one run at a time. */
export function flush() {
  if (flushing) {
    again = true;
    return flushing;
  }
  flushing = (async () => {
    try {
      do {
        again = false;
        await drain();
      } while (again);
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

async function drain() {
  const user = currentUser();
  if (!user) return;
  for (;;) {
    const next = (await items()).find((i) => i.state === 'waiting' && i.username === user);
    if (!next) return;
    if (!(await send(next))) return;
  }
}

/** Send one write; true to go on with the next. */
async function send(entry) {
  try {
    const { status, data } = await api.request(entry.method, entry.path, {
      body: entry.blob || entry.body || undefined, contentType: entry.contentType, withStatus: true, background: true,
    });
    await remove(OUTBOX, entry.seq);
    if (awaited.has(entry.seq)) fates.set(entry.seq, { ok: true, status, data });
    await changed();
    // awaited: a form's own submit, which redraws after it; a listener need not reload for it
    window.dispatchEvent(new CustomEvent('lanebox:sent', { detail: { entry, status, data, awaited: awaited.has(entry.seq) } }));
    return true;
  } catch (err) {
    const stays = err instanceof api.NetworkError || !(err instanceof api.ApiError)
      || err.status === 401 || err.status === 408 || err.status === 429 || err.status >= 500;
    if (stays) {
      entry.attempts += 1;
      entry.last_error = api.describe(err);
      await put(OUTBOX, entry);
      await changed();
      return false;
    }
    entry.state = 'rejected';
    entry.attempts += 1;
    entry.error = { status: err.status, code: err.code, message: err.message, field: err.field };
    await put(OUTBOX, entry);
    if (awaited.has(entry.seq)) {
      fates.set(entry.seq, { error: err }); // its form is on screen: submit() hands it back
      return true;
    }
    await changed();
    window.dispatchEvent(new CustomEvent('lanebox:rejected', { detail: { entry } }));
    return true;
  }
}

/** Put a kept-aside write back in the queue (e.g. after fixing the cause). */
export async function retry(seq) {
  const entry = (await items()).find((i) => i.seq === seq);
  if (!entry) return;
  entry.state = 'waiting';
  entry.error = null;
  await put(OUTBOX, entry);
  await changed();
  flush();
}

export async function discard(seq) {
  await remove(OUTBOX, seq);
  await changed();
}

let soon = null;
/** After a request got through: the box is there, send what waits. */
export function flushSoon() {
  clearTimeout(soon);
  soon = setTimeout(async () => {
    if ((await summary()).waiting) flush();
  }, 200);
}

/** Start: who owns the writes, when to retry, ask to keep the data. */
export async function init({ user }) {
  currentUser = user;
  window.addEventListener('online', () => flush());
  setInterval(async () => {
    if ((await summary()).waiting) flush();
  }, RETRY_MS);
  if (navigator.storage && navigator.storage.persist) {
    try {
      persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch {
      persisted = false;
    }
  }
  await changed();
  flush();
}
