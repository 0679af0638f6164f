// The alarm strip over every screen: each unacknowledged alarm, in red,
// with an Acknowledge button for supervisors (viewers see it, greyed).

import * as feed from './feed.js';
import { isSupervisor } from './session.js';
import { h, replace, toast } from '/app/js/ui.js';
import { time } from '/app/js/format.js';

/** One line saying what the alarm is about. */
export function alarmText(alarm) {
  const d = alarm.detail || {};
  if (d.message) return d.message;
  if (d.substances && d.substances.length) {
    return `${d.device_id || 'detector'}: ${d.substances.map((s) => s.name).join(', ')}${d.sample_id ? ` (sample ${d.sample_id})` : ''}`;
  }
  if (alarm.kind === 'conflict' || alarm.kind === 'chain_broken' || alarm.kind === 'hash_mismatch') {
    return `the lane's log at seq ${alarm.seq} does not match what the hub holds`;
  }
  return d.device_id || '';
}

export function ackButton(alarm) {
  if (alarm.acknowledged_at) {
    return h('span', { class: 'acked' }, `acknowledged by ${alarm.acknowledged_by} at ${time(alarm.acknowledged_at)}`);
  }
  const allowed = isSupervisor();
  return h('button', {
    class: 'btn btn-ack', type: 'button', disabled: !allowed,
    title: allowed ? 'Acknowledge this alarm' : 'Only a supervisor acknowledges alarms',
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await feed.acknowledge(alarm.id);
      } catch (err) {
        toast(err.message, { bad: true });
      }
    },
  }, 'Acknowledge');
}

export function alarmRow(alarm) {
  return h('li', { class: `alarm${alarm.acknowledged_at ? ' is-acked' : ''}`, dataset: { alarm: alarm.id, kind: alarm.kind } },
    h('a', { class: 'alarm-lane', href: `#/lane/${encodeURIComponent(alarm.lane)}` }, alarm.lane),
    h('strong', { class: 'alarm-label' }, alarm.label),
    h('span', { class: 'alarm-text' }, alarmText(alarm)),
    h('time', { class: 'alarm-time' }, time(alarm.at)),
    ackButton(alarm));
}

export function mountStrip() {
  const strip = document.getElementById('alarms');
  const draw = () => {
    const open = feed.openAlarms();
    strip.hidden = open.length === 0;
    document.body.classList.toggle('has-alarms', open.length > 0);
    replace(strip,
      h('h2', { class: 'alarms-title' }, `${open.length} ALARM${open.length === 1 ? '' : 'S'} TO ACKNOWLEDGE`),
      h('ul', { class: 'alarm-list' }, open.slice(0, 6).map(alarmRow)),
      open.length > 6 ? h('p', { class: 'more' }, `and ${open.length - 6} more`) : null);
  };
  feed.subscribe((type) => { if (type === 'alarm' || type === 'loaded') draw(); });
  draw();
}
