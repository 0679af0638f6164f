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
const CAL_BADGE = { ok: ['IN CALIBRATION', 'ok'], due: ['CALIBRATION DUE', 'warn'], failed: ['CALIBRATION FAILED', 'bad'], unknown: ['NOT GATED', 'grey'] };

export function calibrationBadge(calibration) {
  const [text, kind] = CAL_BADGE[(calibration && calibration.status) || 'unknown'] || CAL_BADGE.unknown;
  return badge(text, kind);
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
      h('span', { class: 'btn-row', style: { margin: 0 } }, calibrationBadge(cal), stateBadge(d.state === 'calibration_due' ? d.link_state : d.state))),
    d.state !== 'connected' && d.detail ? h('p', { class: 'banner banner-warn device-detail' }, d.detail) : null,
    h('dl', { class: 'kv device-kv' },
      h('dt', {}, 'Driver'), h('dd', {}, d.driver),
      h('dt', {}, 'Port'), h('dd', { class: 'port' }, d.port),
      h('dt', {}, 'Serial'), h('dd', {}, serialLine(d.serial)),
      h('dt', {}, 'Identity'), h('dd', { class: 'identity' }, identityLine(d.identity || {})),
      h('dt', {}, 'Counters'), h('dd', { class: 'counters' }, countersLine(d.counters)),
      h('dt', {}, 'Last error'), h('dd', {}, d.counters.last_error || '—'),
      h('dt', {}, 'Last reading'), h('dd', { class: 'last-reading' }, readingLine(d.last_reading)),
      h('dt', {}, 'Calibration'), h('dd', { class: 'calibration' },
        cal.status === 'ok' || cal.status === 'due' ? `${cal.status === 'ok' ? 'valid' : 'overdue'}${cal.due_at ? `, due ${fmt.dateTime(cal.due_at)}` : ''}` : fmt.label(cal.status),
        d.calibration_interval_days ? ` · every ${d.calibration_interval_days} day${d.calibration_interval_days === 1 ? '' : 's'}` : ' · no interval set'),
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
