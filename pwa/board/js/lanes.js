// Every lane on one screen: a card per lane, coloured by what matters most —
// an open alarm (red), offline (dark, struck), a device in trouble (amber),
// all well (green) — readable from across the control room.

import * as feed from './feed.js';
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

/** The lane's overall standing: alarm, offline, attention or ok. */
export function standing(row) {
  if (feed.laneAlarms(row.lane).some((a) => !a.acknowledged_at)) return 'alarm';
  if (!row.online) return 'offline';
  const devices = (row.status && row.status.devices) || [];
  if (devices.some((d) => !DEVICE_OK.has(d.state))) return 'attention';
  return 'ok';
}

const WORD = { alarm: 'ALARM', offline: 'OFFLINE', attention: 'CHECK DEVICES', ok: 'OPEN' };

export function deviceChip(device) {
  return h('li', { class: `chip state-${device.state}`, title: device.detail || device.state },
    h('span', { class: 'chip-kind' }, device.kind || device.id), ' ', h('span', { class: 'chip-state' }, device.state.replace(/_/g, ' ')));
}

function card(row) {
  const status = row.status || {};
  const mood = standing(row);
  const inspection = (status.inspections || [])[0];
  const open = feed.laneAlarms(row.lane).filter((a) => !a.acknowledged_at).length;
  return h('a', { class: `lane-card is-${mood}`, href: `#/lane/${encodeURIComponent(row.lane)}`, dataset: { lane: row.lane, standing: mood } },
    h('header', { class: 'lane-head' },
      h('span', { class: 'lane-id' }, row.lane),
      h('span', { class: 'lane-word' }, WORD[mood])),
    h('ul', { class: 'chips' }, (status.devices || []).map(deviceChip)),
    h('p', { class: 'lane-line' }, inspection
      ? [h('span', { class: 'muted' }, 'Inspecting '), h('strong', {}, inspection.plate || '—'), ' ',
        h('span', { class: 'elapsed', dataset: { since: inspection.started_at || '' } }, elapsed(inspection.started_at))]
      : h('span', { class: 'muted' }, 'no inspection open')),
    h('p', { class: 'lane-foot' },
      h('span', {}, `backlog ${row.backlog === null || row.backlog === undefined ? '—' : number(row.backlog)}`),
      h('span', { class: open ? 'alarm-count' : 'muted' }, `${open} alarm${open === 1 ? '' : 's'}`),
      h('span', { class: 'muted' }, row.last_seen ? `heard ${ago(Date.parse(row.last_seen))}` : 'never heard')));
}

export function render(view) {
  const draw = () => {
    const rows = feed.allLanes();
    const unregistered = feed.unregisteredLanes();
    replace(view,
      h('div', { class: 'grid', id: 'lane-grid' }, rows.length ? rows.map(card)
        : h('p', { class: 'muted' }, feed.loaded()
          ? 'No lanes registered yet: lanebox hub add-lane --config hub.toml --lane ID'
          : 'The lanes show when the hub answers.')),
      unregistered.length ? h('section', { class: 'unregistered' },
        h('h2', {}, 'Heard on the network, not registered'),
        h('ul', {}, unregistered.map((u) => h('li', { dataset: { lane: u.lane } }, h('strong', {}, u.lane), ` at ${u.url} — register with `,
          h('code', {}, `lanebox hub add-lane --lane ${u.lane}`))))) : null);
  };
  const stop = feed.subscribe((type) => { if (type !== 'link') draw(); });
  const tick = setInterval(() => {
    view.querySelectorAll('.elapsed[data-since]').forEach((el) => { el.textContent = elapsed(el.dataset.since); });
  }, 1000);
  draw();
  return () => { stop(); clearInterval(tick); };
}
