// The board's live state: every lane's row and every alarm, loaded from the
// hub's API and kept current by the /board Socket.IO namespace. Screens
// subscribe and redraw; nothing here touches the DOM.

import * as api from '/app/js/api.js';

const lanes = new Map(); // lane id → row as GET /hub/lanes lists it
const alarms = new Map(); // alarm id → alarm
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
export const openAlarms = () => [...alarms.values()].filter((a) => !a.acknowledged_at).sort((a, b) => b.id - a.id);
export const laneAlarms = (id) => [...alarms.values()].filter((a) => a.lane === id).sort((a, b) => b.id - a.id);

export async function load() {
  const [listing, recent] = await Promise.all([api.get('/hub/lanes'), api.get('/hub/alarms?limit=500')]);
  offlineAfterS = listing.offline_after_s;
  lanes.clear();
  for (const row of listing.lanes) lanes.set(row.lane, row);
  unregistered = listing.unregistered || [];
  alarms.clear();
  for (const alarm of recent.alarms) alarms.set(alarm.id, alarm);
  loadedOnce = true;
  emit('loaded');
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
    alarms.set(alarm.id, alarm);
    emit('alarm', alarm);
  });
}

export async function acknowledge(id) {
  const { alarm } = await api.post(`/hub/alarms/${id}/ack`, {});
  alarms.set(alarm.id, alarm);
  emit('alarm', alarm);
  return alarm;
}
