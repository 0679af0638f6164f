// One lane in detail: its devices, open inspections, sync, its alarms with
// the steps of their lifecycle, its shelved sources, the alarms cleared
// lately, and the latest cases recorded there (shown when asked, with a reason).

import * as api from '/app/js/api.js';
import { getJustified } from '/app/js/justify.js';
import * as feed from './feed.js';
import { alarmRow, alarmText, askFor, alarmHistory, severityBadge } from './alarms.js';
import { isSupervisor } from './session.js';
import { elapsed, standing } from './lanes.js';
import { caseTable } from './search.js';
import { h, replace } from '/app/js/ui.js';
import { dateTime, number, time } from '/app/js/format.js';

const SHELVE_FOR = [['15', '15 minutes'], ['30', '30 minutes'], ['60', '1 hour'], ['240', '4 hours'], ['480', '8 hours'], ['1440', '24 hours']];

const UNSHELVABLE = new Set(['rpm_alarm']);

/** Shelving: each kind alarming at the lane may be shelved; each shelf in force may be ended. */
function shelving(laneId) {
  // a radiation alarm is never shelved: it waits for the lane's adjudication (the hub refuses it too)
  const kinds = [...new Set(feed.laneAlarms(laneId).map((a) => a.kind))].filter((k) => !feed.shelfOf(laneId, k) && !UNSHELVABLE.has(k));
  const shelves = feed.activeShelves().filter((s) => s.lane === laneId);
  const allowed = isSupervisor();
  const button = (text, attrs, work) => h('button', { class: 'btn btn-step', type: 'button', disabled: !allowed,
    title: allowed ? '' : 'Only a supervisor shelves alarms', onclick: work, ...attrs }, text);
  return h('section', { class: 'panel', id: 'shelving' }, h('h2', {}, 'Shelved sources'),
    shelves.length ? h('ul', { class: 'plain' }, shelves.map((s) => h('li', { dataset: { shelf: s.id, kind: s.kind } },
      h('strong', {}, feed.labelOf(s.kind)), ` shelved by ${s.by} until ${time(s.until)} — “${s.reason}” `,
      button('Unshelve', { dataset: { unshelve: s.id } }, () => feed.unshelve(s.id))))) : h('p', { class: 'muted' }, 'none'),
    kinds.length ? h('p', { class: 'shelve-kinds' }, kinds.map((kind) => button(`Shelve ${feed.labelOf(kind)}…`, { dataset: { shelve: kind } }, () => askFor({
      title: `Shelve ${feed.labelOf(kind)} at ${laneId}`, submit: 'Shelve',
      fields: [{ name: 'minutes', label: 'For', options: SHELVE_FOR }, { name: 'reason', label: 'Reason (kept with who and when)', multiline: true, required: true, max: 300 }],
      run: ({ minutes, reason }) => feed.shelve(laneId, kind, Number(minutes), reason),
    })))) : null);
}

function clearedList(cleared) {
  if (!cleared) return h('p', { class: 'muted' }, 'loading…');
  if (!cleared.length) return h('p', { class: 'muted' }, 'none');
  return h('ul', { class: 'alarm-list in-panel' }, cleared.map((a) => h('li', { class: 'alarm is-cleared', dataset: { alarm: a.id, state: 'cleared' } },
    severityBadge(a.severity), h('strong', { class: 'alarm-label' }, a.label),
    h('span', { class: 'alarm-text' }, alarmText(a)), h('time', { class: 'alarm-time', datetime: a.at }, time(a.at)),
    h('details', { class: 'alarm-history' }, h('summary', {}, h('span', { class: 'alarm-state' }, `cleared by ${a.cleared_by} at ${time(a.cleared_at)}`),
      h('span', { class: 'history-word' }, ' · history')), alarmHistory(a)))));
}

export function render(view, laneId) {
  let cases = null;
  let cleared = null;
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
      h('section', { class: 'panel', id: 'lane-alarms' }, h('h2', {}, 'Alarms'),
        feed.laneAlarms(laneId).length ? h('ul', { class: 'alarm-list in-panel' }, feed.laneAlarms(laneId).slice(0, 30).map(alarmRow))
          : h('p', { class: 'muted' }, 'none')),
      shelving(laneId),
      h('section', { class: 'panel' }, h('h2', {}, 'Cleared lately'), clearedList(cleared)),
      h('section', { class: 'panel', id: 'lane-cases' }, h('h2', {}, 'Latest cases'),
        cases ? caseTable(cases) : h('button', { class: 'btn btn-step', type: 'button', id: 'show-lane-cases', onclick: showCases },
          'Show the latest cases…')));
  };
  // the cases name vehicles and people: listed when asked, with a reason (the consultation log keeps it)
  function showCases() {
    getJustified(`/hub/search?lane=${encodeURIComponent(laneId)}&limit=20`,
      { record: `lane-cases:${laneId}`, what: `the latest cases at ${laneId}`, first: ['case_follow_up', 'audit'] })
      .then((data) => { cases = data.cases; draw(); }).catch(() => {});
  }
  const loadCleared = () => api.get(`/hub/alarms?lane=${encodeURIComponent(laneId)}&state=cleared&limit=10`)
    .then((data) => { cleared = data.alarms; draw(); }).catch(() => {});
  const stop = feed.subscribe((type, payload) => {
    if (type === 'alarm' && payload && payload.lane === laneId && payload.state === 'cleared') loadCleared();
    else if (type === 'loaded' || type === 'shelves' || (type === 'alarm' && !payload) || (payload && payload.lane === laneId)) draw();
  });
  loadCleared();
  draw();
  return stop;
}
