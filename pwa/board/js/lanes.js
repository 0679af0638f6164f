// Every lane on one screen: a card per lane, first the lane that needs
// someone now — by its worst alarm's severity, then an inspection open
// longer than the hub's threshold — and coloured by what matters most: its
// worst alarm (critical red, major orange, minor and warning yellow), offline
// (dark, struck), a device in trouble (amber), all well (green). Device
// trouble stays on the card beside an alarm, and every open inspection shows.

import * as feed from './feed.js';
import { worst } from './alarms.js';
import { h, replace } from '/app/js/ui.js';
import { ago, number } from '/app/js/format.js';

const DEVICE_OK = new Set(['connected']);

/** "12 min 04 s" since an ISO time. */
export function elapsed(iso, now = Date.now()) {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return '';
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Device trouble a lane reports, each with its severity (calibration due, disconnected …). */
export function deviceTrouble(row) {
  const devices = (row.status && row.status.devices) || [];
  return devices.filter((d) => !DEVICE_OK.has(d.state)).map((d) => ({ device: d, severity: feed.severityOf(d.state) }));
}

/** The lane's overall standing: alarm, offline, attention or ok. */
export function standing(row) {
  if (feed.openAlarms().some((a) => a.lane === row.lane)) return 'alarm';
  if (!row.online) return 'offline';
  if (deviceTrouble(row).length) return 'attention';
  return 'ok';
}

/** The worst severity of a lane's shown alarms ('' for none). */
export function laneSeverity(laneId) {
  return worst(feed.shownAlarms().filter((a) => a.lane === laneId));
}

/** How long the lane's longest open inspection has run, in ms (0: none open). */
function longestOpen(row, now) {
  const started = ((row.status && row.status.inspections) || []).map((i) => Date.parse(i.started_at)).filter((t) => !Number.isNaN(t));
  return started.length ? now - Math.min(...started) : 0;
}

/**
 * Which lane needs someone first: the worst open alarm, then an inspection
 * open beyond the threshold, then offline, then device trouble, then the
 * longest open inspection; the lane id last, so the order is stable.
 */
export function urgency(row, now = Date.now()) {
  const troubles = deviceTrouble(row).map((t) => feed.rank(t.severity));
  const open = longestOpen(row, now);
  return [feed.rank(laneSeverity(row.lane)), open > feed.inspectionWarnMs() ? 0 : 1, row.online ? 1 : 0,
    troubles.length ? Math.min(...troubles) : 9, -open];
}

function compare(a, b, now) {
  const ua = urgency(a, now);
  const ub = urgency(b, now);
  for (let i = 0; i < ua.length; i += 1) if (ua[i] !== ub[i]) return ua[i] - ub[i];
  return a.lane.localeCompare(b.lane);
}

const WORD = { alarm: 'ALARM', offline: 'OFFLINE', attention: 'CHECK DEVICES', ok: 'OPEN' };

/** A device as the board names it: by its kind, and by its id too when the lane has two of
 *  that kind (a weighbridge and a bench scale), so the control room knows which one is down. */
export function deviceChip(device, twin = false) {
  const trouble = !DEVICE_OK.has(device.state);
  const id = device.kind && twin ? [' ', h('span', { class: 'chip-id' }, device.id)] : null; // "SCALE bench-1", not "SCALE BENCH-1"
  return h('li', { class: `chip state-${device.state}${trouble ? ` sev-${feed.severityOf(device.state)}` : ''}`, title: device.detail || device.state },
    h('span', { class: 'chip-kind' }, device.kind || device.id), id, ' ', h('span', { class: 'chip-state' }, device.state.replace(/_/g, ' ')));
}

function deviceChips(devices) {
  const count = {};
  devices.forEach((d) => { count[d.kind] = (count[d.kind] || 0) + 1; });
  return devices.map((d) => deviceChip(d, count[d.kind] > 1));
}

function inspectionLine(row, inspection, now) {
  const over = now - Date.parse(inspection.started_at) > feed.inspectionWarnMs();
  return h('li', { class: `inspection${over ? ' is-overdue' : ''}`, dataset: { inspection: inspection.id || '' } },
    h('span', { class: 'muted' }, 'Inspecting '), h('strong', {}, inspection.plate || '—'), ' ',
    h('span', { class: 'elapsed', dataset: { since: inspection.started_at || '' } }, elapsed(inspection.started_at, now)),
    over ? h('span', { class: 'overdue-word' }, ` OVER ${feed.inspectionWarnMs() / 60000} MIN`) : null);
}

function alarmCounts(laneId) {
  const shown = feed.shownAlarms().filter((a) => a.lane === laneId);
  const by = new Map();
  for (const a of shown) {
    const s = a.severity || feed.severityOf(a.kind);
    by.set(s, (by.get(s) || 0) + 1);
  }
  return [...by.entries()].sort(([a], [b]) => feed.rank(a) - feed.rank(b))
    .map(([s, n]) => h('span', { class: `count-sev sev-${s}` }, `${n} ${s}`));
}

function card(row, now) {
  const status = row.status || {};
  const mood = standing(row);
  const severity = laneSeverity(row.lane);
  const inspections = status.inspections || [];
  const overdue = inspections.some((i) => now - Date.parse(i.started_at) > feed.inspectionWarnMs());
  return h('a', {
    class: `lane-card is-${mood}${severity ? ` sev-${severity}` : ''}${overdue ? ' has-overdue' : ''}`,
    href: `#/lane/${encodeURIComponent(row.lane)}`,
    dataset: { lane: row.lane, standing: mood, severity },
  },
  h('header', { class: 'lane-head' },
    h('span', { class: 'lane-id' }, row.lane),
    severity ? h('span', { class: 'lane-sev' }, severity.toUpperCase()) : null,
    h('span', { class: 'lane-word' }, WORD[mood])),
  h('ul', { class: 'chips', 'aria-label': 'Devices' }, deviceChips(status.devices || [])),
  inspections.length
    ? h('ul', { class: 'inspections' }, inspections.map((i) => inspectionLine(row, i, now)))
    : h('p', { class: 'lane-line muted' }, 'no inspection open'),
  h('p', { class: 'lane-foot' },
    h('span', {}, `backlog ${row.backlog === null || row.backlog === undefined ? '—' : number(row.backlog)}`),
    h('span', { class: 'alarm-counts' }, alarmCounts(row.lane).length ? alarmCounts(row.lane) : h('span', { class: 'muted' }, 'no alarms')),
    h('span', { class: 'muted' }, row.last_seen ? `heard ${ago(Date.parse(row.last_seen))}` : 'never heard')));
}

export function render(view) {
  const draw = () => {
    const now = Date.now();
    const rows = feed.allLanes().sort((a, b) => compare(a, b, now));
    const unregistered = feed.unregisteredLanes();
    const online = rows.filter((r) => r.online).length;
    replace(view,
      h('h1', { class: 'screen-title' }, 'Lanes', h('span', { class: 'muted' }, ` · ${online} of ${rows.length} online · the lane that needs someone first`)),
      h('div', { class: 'grid', id: 'lane-grid' }, rows.length ? rows.map((row) => card(row, now))
        : h('p', { class: 'muted' }, feed.loaded()
          ? 'No lanes registered yet: lanebox hub add-lane --config hub.toml --lane ID'
          : 'The lanes show when the hub answers.')),
      unregistered.length ? h('section', { class: 'unregistered' },
        h('h2', {}, 'Heard on the network, not registered'),
        h('ul', {}, unregistered.map((u) => h('li', { dataset: { lane: u.lane } }, h('strong', {}, u.lane), ` at ${u.url} — register with `,
          h('code', {}, `lanebox hub add-lane --lane ${u.lane}`))))) : null);
  };
  const stop = feed.subscribe((type) => { if (type !== 'link' && type !== 'raised') draw(); });
  let ticks = 0;
  const tick = setInterval(() => {
    ticks += 1;
    if (ticks % 15 === 0) {
      draw(); // an inspection may have crossed the threshold: mark it and reorder
      return;
    }
    view.querySelectorAll('.elapsed[data-since]').forEach((el) => { el.textContent = elapsed(el.dataset.since); });
  }, 1000);
  draw();
  return () => { stop(); clearInterval(tick); };
}
