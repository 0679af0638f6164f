// The board's live state: every lane's row and every alarm, loaded from the
// hub's API and kept current by the /board Socket.IO namespace. Screens
// subscribe and redraw; nothing here touches the DOM.

import * as api from '/app/js/api.js';

const lanes = new Map(); // lane id → row as GET /hub/lanes lists it
const alarms = new Map(); // alarm id → alarm, active ones (not cleared)
let shelves = []; // shelves in force, as GET /hub/shelves lists them
let settings = { severity: {}, levels: ['critical', 'major', 'minor', 'warning'], labels: {}, inspection_warn_min: 20 };
let unregistered = [];
let loadedOnce = false;
let offlineAfterS = 15;
let socket = null;
const listeners = new Set();

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(type, payload) {
  for (const fn of [...listeners]) {
    try {
      fn(type, payload);
    } catch (err) {
      console.error('board listener failed', err);
    }
  }
}

export const allLanes = () => [...lanes.values()].sort((a, b) => a.lane.localeCompare(b.lane));
export const lane = (id) => lanes.get(id) || null;
export const unregisteredLanes = () => unregistered;
/** Whether the hub has answered at least once (before that, no lanes means "not known yet", not "none"). */
export const loaded = () => loadedOnce;

/** A kind's (or a device trouble's) severity as the hub weighs it. */
export const severityOf = (kind) => settings.severity[kind] || 'major';
/** 0 for critical … 3 for warning; 4 for nothing at all. */
export const rank = (severity) => {
  const at = settings.levels.indexOf(severity);
  return at < 0 ? settings.levels.length : at;
};
export const inspectionWarnMs = () => settings.inspection_warn_min * 60000;
export const labelOf = (kind) => settings.labels[kind] || kind.replace(/_/g, ' ');

/** The shelf in force now over a lane's alarms of one kind, or null. */
export function shelfOf(laneId, kind, now = Date.now()) {
  return shelves.find((s) => s.lane === laneId && s.kind === kind && Date.parse(s.until) > now) || null;
}
export const activeShelves = (now = Date.now()) => shelves.filter((s) => Date.parse(s.until) > now);

const newestFirst = (a, b) => b.id - a.id;
/** Active alarms the board shows: not cleared, not shelved. */
export const shownAlarms = () => [...alarms.values()].filter((a) => !shelfOf(a.lane, a.kind)).sort(newestFirst);
export const openAlarms = () => shownAlarms().filter((a) => !a.acknowledged_at);
/** A lane's active alarms, shelved ones included (its detail lists them, marked). */
export const laneAlarms = (id) => [...alarms.values()].filter((a) => a.lane === id).sort(newestFirst);

export async function load() {
  const [listing, recent, shelved, weights] = await Promise.all([
    api.get('/hub/lanes'), api.get('/hub/alarms?state=active&limit=500'), api.get('/hub/shelves'),
    api.get('/hub/alarm-settings')]);
  offlineAfterS = listing.offline_after_s;
  lanes.clear();
  for (const row of listing.lanes) lanes.set(row.lane, row);
  unregistered = listing.unregistered || [];
  alarms.clear();
  for (const alarm of recent.alarms) alarms.set(alarm.id, alarm);
  shelves = shelved.shelves;
  settings = weights;
  loadedOnce = true;
  emit('loaded');
}

let shelvedNow = '';
/** A shelf's time running out is silence, not a message: look every second. */
setInterval(() => {
  const now = activeShelves().map((s) => s.id).join(',');
  if (now !== shelvedNow) {
    shelvedNow = now;
    emit('shelves', shelves);
  }
}, 1000);

function keep(alarm) {
  const known = alarms.has(alarm.id);
  if (alarm.state === 'cleared') alarms.delete(alarm.id);
  else alarms.set(alarm.id, alarm);
  return !known && alarm.state !== 'cleared';
}

export function offlineAfter() {
  return offlineAfterS;
}

/** Connect to /board; `onUnauthorized` when the hub refuses the token. */
export function connect(token, onUnauthorized) {
  if (socket) socket.disconnect();
  if (typeof window.io !== 'function') {
    emit('link', { up: false, detail: 'live updates unavailable' });
    return;
  }
  socket = window.io('/board', { auth: { token }, transports: ['websocket', 'polling'], tryAllTransports: true, reconnectionDelayMax: 3000 });
  socket.on('connect', () => {
    emit('link', { up: true, detail: 'LIVE' });
    load().catch(() => {}); // what changed while the link was down
  });
  socket.on('disconnect', () => emit('link', { up: false, detail: 'NO LINK TO HUB' }));
  socket.on('connect_error', (err) => {
    emit('link', { up: false, detail: 'NO LINK TO HUB' });
    if (err && err.data && err.data.code === 'unauthorized') onUnauthorized();
  });
  socket.on('lane', (row) => {
    lanes.set(row.lane, row);
    unregistered = unregistered.filter((u) => u.lane !== row.lane);
    emit('lane', row);
  });
  socket.on('alarm', (alarm) => {
    const fresh = keep(alarm);
    emit('alarm', alarm);
    if (fresh && !alarm.acknowledged_at && !shelfOf(alarm.lane, alarm.kind)) emit('raised', alarm);
  });
  socket.on('shelves', (body) => {
    shelves = body.shelves;
    emit('shelves', shelves);
  });
}

async function step(path, body) {
  const { alarm } = await api.post(path, body);
  keep(alarm);
  emit('alarm', alarm);
  return alarm;
}

export const acknowledge = (id, note = '') => step(`/hub/alarms/${id}/ack`, { note });
export const clear = (id, note = '') => step(`/hub/alarms/${id}/clear`, { note });
export const assign = (id, assignee, note = '') => step(`/hub/alarms/${id}/assign`, { assignee, note });

export async function acknowledgeLane(laneId, note = '') {
  const done = await api.post(`/hub/alarms/lane/${encodeURIComponent(laneId)}/ack`, { note });
  for (const alarm of done.alarms) keep(alarm);
  emit('alarm', null);
  return done.alarms;
}

export async function shelve(laneId, kind, minutes, reason) {
  const { shelf } = await api.post('/hub/shelves', { lane: laneId, kind, minutes, reason });
  shelves = [...shelves.filter((s) => !(s.lane === laneId && s.kind === kind)), shelf];
  emit('shelves', shelves);
  return shelf;
}

export async function unshelve(id) {
  await api.post(`/hub/shelves/${id}/unshelve`, {});
  shelves = shelves.filter((s) => s.id !== id);
  emit('shelves', shelves);
}
