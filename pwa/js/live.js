// The /live Socket.IO link to the lane box and what it says about each
// device: its state, its last reading, and when we last heard of it.
// Screens subscribe; tiles.js draws.

import * as api from './api.js';

/** How long without a reading before a device's tile goes grey. The scale
 *  streams several readings a second; the others speak when used. */
export const STALE_MS = { scale: 5000, barcode: 300000, document: 300000, trace: 300000 };
const DEFAULT_STALE_MS = 60000;

const devices = new Map(); // id → {id, kind, state, detail, reading, readingAt, statusAt, settledTs}
const listeners = new Set();
let socket = null;
let link = { up: false, detail: 'not connected yet' };

function emit(type, payload) {
  for (const fn of [...listeners]) {
    try {
      fn(type, payload);
    } catch (err) {
      console.error('live listener failed', err);
    }
  }
}

/** fn(type, payload): type 'reading' (docs/contract.md), 'status'
 *  (device), 'device' (a new one known), 'link' ({up, detail}),
 *  'vehicle' (a VEHICLE at the lane changed), 'vehicle_gone' ({id}). */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function linkState() {
  return link;
}

function setLink(up, detail) {
  link = { up, detail };
  emit('link', link);
}

function device(id, kind, use) {
  let d = devices.get(id);
  if (!d) {
    d = { id, kind: kind || null, use: use || null, state: 'unknown', detail: '', reading: null, readingAt: null, statusAt: null, settledTs: null, shownKey: null };
    devices.set(id, d);
    emit('device', d);
  } else if ((kind && !d.kind) || (use && d.use !== use)) {
    d.kind = d.kind || kind;
    d.use = use || d.use;
    emit('device', d);
  }
  return d;
}

export function all() {
  return [...devices.values()];
}

export function get(id) {
  return devices.get(id) || null;
}

/** The lane's device of a kind (a lane has one of each; its scale is the weighbridge:
 *  a bench scale, for seized goods, never stands in for it). */
export function ofKind(kind) {
  return all().find((d) => d.kind === kind && d.use !== 'bench') || null;
}

/** Is what we know of this device too old to trust? */
export function isStale(d, now = Date.now()) {
  if (!link.up) return true;
  if (!d) return true;
  const limit = STALE_MS[d.kind] ?? DEFAULT_STALE_MS;
  const heard = Math.max(d.readingAt || 0, d.statusAt || 0);
  if (d.kind === 'scale') return !d.readingAt || now - d.readingAt > limit;
  return heard === 0 ? false : now - heard > limit;
}

/** What a scale shows, for telling when it last changed (a weight unchanged
 *  since before an inspection started is not this vehicle's: docs/officer-api.md). */
function shownKey(data) {
  return JSON.stringify(['weight', 'unit', 'stable', 'status', 'tare'].map((k) => (data ? data[k] : null)));
}

/** The box's time since which a scale has shown what it shows now (null: no change seen yet). */
export function shownSince(d) {
  return d ? d.settledTs : null;
}

/** Is this device's calibration or daily check overdue or failed? Then its readings are not verified. */
export function unverified(d) {
  return Boolean(d && d.state === 'calibration_due');
}

/** Learn every device's state and last reading from the API (when the
 *  socket (re)connects: what changed while it was away). */
export async function loadDevices() {
  const { devices: list } = await api.get('/devices');
  for (const item of list) {
    const d = device(item.id, item.kind, item.use);
    if (!d.statusAt) {
      d.state = item.state;
      d.detail = item.detail || '';
    }
    if (item.last_reading && !d.reading) {
      d.reading = item.last_reading;
      d.readingAt = Date.parse(item.last_reading.ts) || null;
      d.shownKey = shownKey(item.last_reading.data); // since when it shows this is not known: settledTs stays null
    }
    emit('status', d);
  }
  return all();
}

// socket.io's reasons for a lost link, in an officer's words (its own words are for developers)
const LOST = {
  'ping timeout': 'it stopped answering',
  'transport close': 'the connection dropped',
  'transport error': 'the connection dropped',
  'io server disconnect': 'the box ended the link',
};

export function connect(token) {
  disconnect();
  if (typeof window.io !== 'function') {
    setLink(false, 'live readings unavailable (socket.io-client did not load)');
    return;
  }
  // websocket first (no polling through the service worker); polling if a proxy refuses websockets
  socket = window.io('/live', { auth: { token }, transports: ['websocket', 'polling'], tryAllTransports: true, reconnectionDelayMax: 3000 });
  socket.on('connect', () => {
    setLink(true, 'live');
    loadDevices().catch(() => {});
  });
  socket.on('disconnect', (reason) => setLink(false, `no link to the lane box${LOST[reason] ? ` (${LOST[reason]})` : ''}`));
  socket.on('connect_error', (err) => {
    const unauthorized = (err && err.data && err.data.code === 'unauthorized')
      || /unauthori[sz]ed|token/i.test(String(err && err.message));
    setLink(false, unauthorized ? 'sign in again for live readings' : 'no link to the lane box');
    if (unauthorized) emit('unauthorized', err);
  });
  socket.on('reading', (message) => {
    const d = device(message.device_id, message.kind);
    const key = shownKey(message.data);
    if (key !== d.shownKey) {
      d.shownKey = key;
      d.settledTs = message.ts;
    }
    d.reading = message;
    d.readingAt = Date.now();
    emit('reading', message);
  });
  // the vehicles waiting at the lane (docs/officer-api.md): screens/vehicles.js keeps them
  socket.on('vehicle', (message) => emit('vehicle', message));
  socket.on('vehicle_gone', (message) => emit('vehicle_gone', message));
  socket.on('device_status', (message) => {
    const d = device(message.device_id, message.kind, message.use);
    d.state = message.state;
    d.detail = message.detail || '';
    d.statusAt = Date.now();
    emit('status', d);
  });
}

export function disconnect() {
  if (socket) {
    socket.removeAllListeners();
    socket.disconnect();
    socket = null;
  }
  setLink(false, 'signed out');
}

export function reconnectIfNeeded(token) {
  if (!socket || (!socket.connected && !socket.active)) connect(token);
}

/** Wait for a reading that `test` accepts (used by the handover scan). */
export function nextReading(test) {
  let stop;
  const promise = new Promise((resolve) => {
    stop = subscribe((type, message) => {
      if (type === 'reading' && test(message)) {
        stop();
        resolve(message);
      }
    });
  });
  return { promise, cancel: () => stop() };
}
