// One inspection or seizure as the court will read it: what it is, every
// event of its story with its hash, each evidence bag's chain of custody,
// and the alarms raised at it with every step the control room took.

import { getJustified } from '/app/js/justify.js';
import { h, replace } from '/app/js/ui.js';
import { alarmHistory, severityBadge } from './alarms.js';
import { dateTime, label, shortId } from '/app/js/format.js';

function summary(event) {
  const p = event.payload || {};
  if (event.type === 'reading.attached' && p.reading) {
    const flags = ((p.assessment || {}).flags || []).map((f) => f.code.replace(/_/g, ' '));
    return `${p.reading.kind} reading${flags.length ? ` — ${flags.join(', ')}` : ''}`;
  }
  if (event.type === 'seizure.custody') return `${label(p.action)} ${p.bag_id}${p.to ? ` → ${p.to}` : ''}`;
  if (event.type === 'inspection.closed') return `closed: ${label(p.outcome)}${p.reason ? ` — ${p.reason}` : ''}`;
  if (event.type === 'inspection.started') return `${p.plate || ''} ${(p.containers || []).join(' ')}`;
  return p.note || p.item || p.description || '';
}

export async function render(view, laneId, caseId) {
  replace(view, h('p', { class: 'muted' }, 'Loading…'));
  let data;
  try {
    data = await getJustified(`/hub/cases/${encodeURIComponent(laneId)}/${encodeURIComponent(caseId)}`,
      { record: `${laneId}/${caseId}`, what: 'this case', first: ['case_follow_up', 'court_request', 'audit'] });
  } catch (err) {
    replace(view, h('p', { class: 'form-error' }, err.message));
    return;
  }
  const c = data.case;
  const link = (id) => h('a', { href: `#/case/${encodeURIComponent(laneId)}/${encodeURIComponent(id)}` }, shortId(id));
  replace(view,
    h('div', { class: 'detail-head' }, h('h1', {}, `${label(c.kind)} ${c.plate || ''}`),
      h('span', { class: 'lane-word' }, c.outcome ? `${c.status} · ${label(c.outcome)}` : c.status),
      h('span', {}, `lane ${c.lane} · ${dateTime(c.started_at)}${c.closed_at ? ` → ${dateTime(c.closed_at)}` : ''}`)),
    h('section', { class: 'panel' },
      h('dl', { class: 'terms' }, Object.entries(c.terms).map(([type, terms]) => [h('dt', {}, label(type)), h('dd', { class: 'mono' }, terms.join(' '))])),
      data.seizures.length ? h('p', {}, 'Seizures: ', data.seizures.map(link)) : null,
      c.inspection_id ? h('p', {}, 'From inspection ', link(c.inspection_id)) : null),
    h('section', { class: 'panel', id: 'custody' }, h('h2', {}, 'Chain of custody'),
      Object.keys(data.custody).length ? Object.entries(data.custody).map(([bag, steps]) => h('div', { class: 'custody' },
        h('h3', { class: 'mono' }, bag),
        h('ol', { class: 'custody-steps' }, steps.map((s) => h('li', { dataset: { action: s.action } },
          h('strong', {}, label(s.action)), ` by ${s.by} at ${dateTime(s.at)}`,
          s.to ? ` → ${s.to}` : '', s.location ? ` (${s.location})` : '',
          h('span', { class: 'hash mono' }, shortId(s.hash)))))))
        : h('p', { class: 'muted' }, 'No evidence bags.')),
    h('section', { class: 'panel', id: 'case-alarms' }, h('h2', {}, 'Alarms'),
      data.alarms.length ? h('ul', { class: 'plain' }, data.alarms.map((a) => h('li', { class: 'case-alarm', dataset: { alarm: a.id, state: a.state } },
        severityBadge(a.severity), ' ', h('strong', {}, a.label), ` — ${a.state}${a.assignee ? `, assigned to ${a.assignee}` : ''}`,
        alarmHistory(a))))
        : h('p', { class: 'muted' }, 'No alarms.')),
    h('section', { class: 'panel' }, h('h2', {}, 'Timeline'),
      h('table', { class: 'table timeline' }, h('tbody', {}, data.timeline.map((e) => h('tr', {},
        h('td', {}, dateTime(e.ts)), h('td', {}, h('strong', {}, e.type)), h('td', {}, e.actor || ''),
        h('td', {}, summary(e)), h('td', { class: 'mono muted', title: e.hash }, `#${e.seq} ${shortId(e.hash)}`)))))));
}
