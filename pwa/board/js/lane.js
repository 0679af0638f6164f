// One lane in detail: its devices, open inspections, sync, alarms and the
// latest cases recorded there.

import * as api from '/app/js/api.js';
import * as feed from './feed.js';
import { alarmRow } from './alarms.js';
import { elapsed, standing } from './lanes.js';
import { caseTable } from './search.js';
import { h, replace } from '/app/js/ui.js';
import { dateTime, number } from '/app/js/format.js';

export function render(view, laneId) {
  let cases = null;
  const draw = () => {
    const row = feed.lane(laneId);
    if (!row) {
      replace(view, h('p', {}, `Lane ${laneId} is not registered at this hub.`));
      return;
    }
    const status = row.status || {};
    const sync = status.sync || {};
    replace(view,
      h('div', { class: `detail-head is-${standing(row)}` },
        h('h1', {}, row.lane), h('span', { class: 'lane-word' }, row.online ? 'ONLINE' : 'OFFLINE'),
        h('span', {}, `last heard ${dateTime(row.last_seen)}`)),
      h('div', { class: 'columns' },
        h('section', { class: 'panel' }, h('h2', {}, 'Devices'),
          h('table', { class: 'table' }, h('tbody', {}, (status.devices || []).map((d) => h('tr', {},
            h('td', {}, h('strong', {}, d.id)), h('td', {}, d.kind || ''),
            h('td', { class: `state-text state-${d.state}` }, d.state.replace(/_/g, ' ')), h('td', { class: 'muted' }, d.detail || '')))))),
        h('section', { class: 'panel' }, h('h2', {}, 'Open inspections'),
          (status.inspections || []).length
            ? h('ul', { class: 'plain' }, status.inspections.map((i) => h('li', {},
              h('a', { href: `#/case/${encodeURIComponent(row.lane)}/${encodeURIComponent(i.id)}` }, h('strong', {}, i.plate || i.id)),
              ` — ${elapsed(i.started_at)}`)))
            : h('p', { class: 'muted' }, 'none'),
          h('h2', {}, 'Sync'),
          h('p', {}, `acked seq ${number(row.acked_seq)} · backlog ${row.backlog ?? '—'} · ${sync.state || 'state unknown'}`))),
      h('section', { class: 'panel' }, h('h2', {}, 'Alarms'),
        feed.laneAlarms(laneId).length ? h('ul', { class: 'alarm-list in-panel' }, feed.laneAlarms(laneId).slice(0, 20).map(alarmRow))
          : h('p', { class: 'muted' }, 'none')),
      h('section', { class: 'panel' }, h('h2', {}, 'Latest cases'),
        cases ? caseTable(cases) : h('p', { class: 'muted' }, 'loading…')));
  };
  const stop = feed.subscribe((type, payload) => {
    if (type === 'loaded' || (payload && payload.lane === laneId)) draw();
  });
  api.get(`/hub/search?lane=${encodeURIComponent(laneId)}&limit=20`).then((data) => { cases = data.cases; draw(); }).catch(() => {});
  draw();
  return stop;
}
