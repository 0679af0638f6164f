// The port's figures over the last hours: inspections per hour (in this
// screen's local time), clearance time p50/p90 against the hub's inspection
// threshold, seizures, alarms and duty assessed — all lanes or one, over a
// time range from the last hour to the last week.

import * as api from '/app/js/api.js';
import * as feed from './feed.js';
import { bars } from './chart.js';
import { h, replace } from '/app/js/ui.js';
import { money, number } from '/app/js/format.js';

function minutes(seconds) {
  return seconds === null || seconds === undefined ? '—' : `${number(seconds / 60, 1)} min`;
}

function figure(name, value, id, threshold = null) {
  return h('div', { class: `figure${threshold && threshold.over ? ' is-over' : ''}`, dataset: { figure: id } },
    h('span', { class: 'figure-value' }, value), h('span', { class: 'figure-name' }, name),
    threshold ? h('span', { class: 'figure-threshold' }, `${threshold.over ? 'OVER ' : ''}threshold ${threshold.text}`) : null);
}

/** A clearance figure against the hub's inspection threshold (seconds vs minutes). */
function clearance(seconds) {
  const limit = feed.inspectionWarnMs() / 1000;
  return { over: seconds !== null && seconds !== undefined && seconds > limit, text: minutes(limit) };
}

/** "14" for the hour starting at an ISO instant, in this screen's time zone. */
function localHour(iso) {
  return String(new Date(iso).getHours()).padStart(2, '0');
}

const RANGES = [['1', 'hour'], ['6', '6 hours'], ['12', '12 hours'], ['24', '24 hours'], ['72', '3 days'], ['168', '7 days']];

export async function render(view, params) {
  const hours = params.hours || '24';
  const laneId = params.lane || '';
  const pick = (name, current, options) => h('select', {
    id: `m-${name}`,
    onchange: (event) => {
      const next = new URLSearchParams({ hours, lane: laneId, [name]: event.target.value });
      window.location.hash = `#/metrics?${next}`;
    },
  }, options.map(([v, text]) => h('option', { value: v, selected: v === current }, text)));
  const controls = h('div', { class: 'controls' },
    h('label', {}, 'Last ', pick('hours', hours, RANGES)),
    h('label', {}, 'Lane ', pick('lane', laneId, [['', 'all lanes'], ...feed.allLanes().map((l) => [l.lane, l.lane])])));
  replace(view, h('h1', {}, 'Metrics'), controls, h('p', { class: 'muted' }, 'Loading…'));
  let m;
  try {
    m = await api.get(`/hub/metrics?hours=${hours}${laneId ? `&lane=${encodeURIComponent(laneId)}` : ''}`);
  } catch (err) {
    replace(view, h('h1', {}, 'Metrics'), controls, h('p', { class: 'form-error' }, err.message));
    return;
  }
  const alarms = Object.values(m.alarms).reduce((a, b) => a + b, 0);
  const duty = Object.entries(m.duty).map(([currency, total]) => money(total, currency)).join(' + ') || '0';
  const perHour = m.per_hour.map((p) => ({ label: localHour(p.hour), value: p.inspections }));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  replace(view, h('h1', {}, 'Metrics'), controls,
    h('div', { class: 'figures' },
      figure('inspections', number(m.inspections), 'inspections'),
      figure('clearance p50', minutes(m.clearance_s.p50), 'p50', clearance(m.clearance_s.p50)),
      figure('clearance p90', minutes(m.clearance_s.p90), 'p90', clearance(m.clearance_s.p90)),
      figure('seizures', number(m.seizures), 'seizures'),
      figure('alarms', number(alarms), 'alarms'),
      figure('duty assessed', duty, 'duty')),
    h('section', { class: 'panel' }, h('h2', {}, `Inspections per hour (${zone})`),
      bars(perHour, { title: 'Inspections per hour', every: Math.ceil(perHour.length / 24) })),
    h('div', { class: 'columns' },
      h('section', { class: 'panel' }, h('h2', {}, 'Inspections by lane'),
        bars(Object.entries(m.by_lane).map(([label, value]) => ({ label, value })), { title: 'Inspections by lane', width: 600 })),
      h('section', { class: 'panel' }, h('h2', {}, 'Alarms by kind'),
        bars(Object.entries(m.alarms).map(([label, value]) => ({ label: label.replace(/_/g, ' '), value })), { title: 'Alarms by kind', width: 600 }))));
}
