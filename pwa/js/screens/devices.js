// Devices (technicians and supervisors): every device's state, driver,
// port, serial settings, identity read from it, counters, last reading and
// calibration standing; the way to add, edit, watch, calibrate or lock it.

import * as api from '../api.js';
import * as live from '../live.js';
import * as fmt from '../format.js';
import { TITLES, stateBadge } from '../tiles.js';
import { add, badge, busy, h, replace, toast } from '../ui.js';
import { askReason, guard, isSupervisor, readingLine, serialLine } from '../technician.js';

const CHECK = { scale: ['Calibrate', 'calibrate'], trace: ['Daily check', 'check'], barcode: ['Functional check', 'check'], document: ['Functional check', 'check'] };
// A scale is calibrated, a trace detector verified each day, a reader checked: the badge says which,
// and a device with no interval and no record is simply not tracked (its readings are not marked).
const STANDING = {
  scale: { ok: 'IN CALIBRATION', due: 'CALIBRATION DUE', failed: 'CALIBRATION FAILED' },
  trace: { ok: 'VERIFIED', due: 'VERIFICATION DUE', failed: 'VERIFICATION FAILED' },
  reader: { ok: 'CHECKED', due: 'CHECK DUE', failed: 'CHECK FAILED' },
};
const STANDING_KIND = { ok: 'ok', due: 'warn', failed: 'bad', unknown: 'grey' };
const RECORD_DEVICE = { 'scale-r76': 'scale', 'etd-daily': 'trace', 'reader-functional': 'reader' };

/** 'scale', 'trace' or 'reader' from a device kind, or from the kind of its last record. */
export function standingOf(deviceKind, calibration) {
  if (deviceKind === 'barcode' || deviceKind === 'document') return 'reader';
  if (deviceKind) return deviceKind;
  return RECORD_DEVICE[calibration && calibration.last && calibration.last.kind] || 'scale';
}

export function calibrationBadge(calibration, deviceKind = null) {
  const status = (calibration && calibration.status) || 'unknown';
  const words = STANDING[standingOf(deviceKind, calibration)] || STANDING.scale;
  return badge(words[status] || 'NOT TRACKED', STANDING_KIND[status] || 'grey');
}

const NOUN = { scale: 'calibration', trace: 'daily verification', reader: 'functional check' };

/** Why a device is marked due, and what that does to its readings. */
function dueWords(d, cal) {
  const noun = NOUN[standingOf(d.kind, cal)];
  const why = cal.status === 'failed' ? `The last ${noun} failed` : cal.due_at ? `The ${noun} is overdue since ${fmt.dateTime(cal.due_at)}`
    : `No ${noun} recorded yet`;
  return `${why}: readings attached from it are marked until a ${noun} passes.`;
}

/** The standing in a line: "valid, next due …", "overdue since …", "last one failed", "no interval set". */
function standingLine(d, cal) {
  const trace = d.kind === 'trace';
  const when = cal.due_at ? fmt.dateTime(cal.due_at) : null;
  const state = cal.status === 'ok' ? `${trace ? 'verified' : 'valid'}${when ? `, next due ${when}` : ''}`
    : cal.status === 'due' ? (when ? `overdue since ${when}` : 'due: none recorded yet')
      : cal.status === 'failed' ? `the last ${trace ? 'verification' : d.kind === 'scale' ? 'calibration' : 'check'} failed`
        : 'not tracked';
  const every = trace ? 'a verification holds 24 hours'
    : d.calibration_interval_days ? `every ${d.calibration_interval_days} day${d.calibration_interval_days === 1 ? '' : 's'}` : 'no interval set';
  return `${state} · ${every}`;
}

function identityLine(identity) {
  const parts = [identity.model, identity.serial && `s/n ${identity.serial}`, identity.firmware && `firmware ${identity.firmware}`];
  return parts.filter(Boolean).join(' · ') || 'not read';
}

function countersLine(c) {
  return `frames ${c.frames} · drops ${c.drops} · reconnects ${c.reconnects} · in ${c.bytes_in} B · out ${c.bytes_out} B`;
}

function card(d, redraw) {
  const cal = d.calibration || {};
  const [checkText, checkRoute] = CHECK[d.kind] || [];
  const lockButton = !isSupervisor() ? null : d.locked
    ? h('button', { class: 'btn', type: 'button', 'data-action': 'unlock', onclick: (e) => lockAction(e.currentTarget, d, 'unlock', redraw) }, 'Unlock')
    : h('button', { class: 'btn btn-warn', type: 'button', 'data-action': 'lock', onclick: (e) => lockAction(e.currentTarget, d, 'lock', redraw) }, 'Lock');
  return h('section', { class: `card device-card state-${d.state}`, dataset: { device: d.id, state: d.state } },
    h('header', { class: 'card-head' },
      h('h2', {}, `${TITLES[d.kind] || d.kind} `, h('small', {}, d.id)),
      // the calibration badge already says "due": beside it, say whether the link is up
      h('span', { class: 'btn-row', style: { margin: 0 } }, calibrationBadge(cal, d.kind), stateBadge(d.state === 'calibration_due' ? d.link_state : d.state))),
    d.state === 'calibration_due' ? h('p', { class: 'banner banner-warn device-detail' }, dueWords(d, cal))
      : d.state !== 'connected' && d.detail ? h('p', { class: 'banner banner-warn device-detail' }, d.detail) : null,
    h('dl', { class: 'kv device-kv' },
      h('dt', {}, 'Driver'), h('dd', {}, d.driver),
      h('dt', {}, 'Port'), h('dd', { class: 'port' }, d.port),
      h('dt', {}, 'Serial'), h('dd', {}, serialLine(d.serial)),
      h('dt', {}, 'Identity'), h('dd', { class: 'identity' }, identityLine(d.identity || {})),
      h('dt', {}, 'Counters'), h('dd', { class: 'counters' }, countersLine(d.counters)),
      h('dt', {}, 'Last error'), h('dd', {}, d.counters.last_error || '—'),
      h('dt', {}, 'Last reading'), h('dd', { class: 'last-reading' }, readingLine(d.last_reading)),
      h('dt', {}, d.kind === 'scale' ? 'Calibration' : d.kind === 'trace' ? 'Daily verification' : 'Functional check'),
      h('dd', { class: 'calibration' }, standingLine(d, cal)),
      d.locked ? [h('dt', {}, 'Locked'), h('dd', {}, `by ${d.locked.by}: ${d.locked.reason}`)] : null),
    h('div', { class: 'btn-row device-actions' },
      checkText ? h('a', { class: 'btn btn-primary', href: `#/devices/${encodeURIComponent(d.id)}/${checkRoute}` }, checkText) : null,
      h('a', { class: 'btn', href: `#/devices/${encodeURIComponent(d.id)}/console` }, 'Console'),
      h('a', { class: 'btn', href: `#/devices/${encodeURIComponent(d.id)}/history` }, 'History'),
      h('a', { class: 'btn', href: `#/devices/${encodeURIComponent(d.id)}/edit` }, 'Edit'),
      lockButton));
}

async function lockAction(button, d, action, redraw) {
  const reason = await askReason(action === 'lock' ? `Lock ${d.id}: its readings cannot be attached` : `Unlock ${d.id}`,
    action === 'lock' ? 'e.g. seal broken, awaiting repair' : 'e.g. repaired and recalibrated');
  if (!reason) return;
  await busy(button, async () => {
    try {
      await api.post(`/devices/${encodeURIComponent(d.id)}/${action}`, { reason });
      toast(`${d.id} ${action}ed`);
      await redraw();
    } catch (err) {
      toast(api.describe(err), { bad: true, ms: 6000 });
    }
  });
}

export async function render(view) {
  if (!guard(view)) return undefined;
  const list = h('div', { class: 'device-cards', id: 'device-cards' });
  add(view,
    h('div', { class: 'page-head' }, h('h1', {}, 'Devices'),
      h('a', { class: 'btn btn-primary', href: '#/devices/new', id: 'add-device' }, '+ Add device')),
    list);
  let pending = null;
  async function draw() {
    try {
      const { devices } = await api.get('/devices');
      replace(list, devices.length ? devices.map((d) => card(d, draw)) : h('p', { class: 'empty' }, 'No devices yet: add one.'));
    } catch (err) {
      replace(list, h('p', { class: 'banner banner-bad' }, api.describe(err)));
    }
  }
  const soon = () => { clearTimeout(pending); pending = setTimeout(draw, 300); };
  const unsubscribe = live.subscribe((type) => { if (type === 'status' || type === 'device') soon(); });
  const timer = setInterval(draw, 5000); // counters and last reading
  await draw();
  return () => { unsubscribe(); clearInterval(timer); clearTimeout(pending); };
}
