// Alarms on the board: the strip over every screen, one line per lane with
// a count per kind coloured by severity (not one line per alarm, so 25
// alarms never push the lanes off the screen), and each alarm's own line in
// a lane's detail with the steps of its lifecycle — acknowledge with a note,
// assign, clear — each asked for in a small dialog. Supervisors act;
// viewers see the buttons greyed.

import * as feed from './feed.js';
import { isSupervisor } from './session.js';
import { h, replace } from '/app/js/ui.js';
import { time, dateTime } from '/app/js/format.js';

/** One line saying what the alarm is about. */
export function alarmText(alarm) {
  const d = alarm.detail || {};
  // a radiation alarm the lane adjudicated: the code in words, as the officer recorded it
  if (alarm.adjudication) return `${d.message || alarm.label} — adjudicated: ${alarm.adjudication}`;
  if (d.message) return d.message;
  if (d.substances && d.substances.length) {
    return `${d.device_id || 'detector'}: ${d.substances.map((s) => s.name).join(', ')}${d.sample_id ? ` (sample ${d.sample_id})` : ''}`;
  }
  if (alarm.kind === 'conflict' || alarm.kind === 'chain_broken' || alarm.kind === 'hash_mismatch') {
    return `the lane's log at seq ${alarm.seq} does not match what the hub holds`;
  }
  return d.device_id || '';
}

/** The severity as a word on its colour (never colour alone). */
export function severityBadge(severity) {
  return h('span', { class: `sev sev-${severity}` }, severity.toUpperCase());
}

const ONLY_SUPERVISORS = 'Only a supervisor takes alarms through their steps';

/** A button for a supervisor's step: greyed for a viewer, busy while it runs. */
function stepButton(text, title, work, extra = '') {
  const allowed = isSupervisor();
  return h('button', {
    class: `btn btn-step ${extra}`, type: 'button', disabled: !allowed, title: allowed ? title : ONLY_SUPERVISORS,
    onclick: (event) => work(event.currentTarget),
  }, text);
}

/**
 * Ask for what a step needs (a note, an assignee, minutes and a reason) in a
 * modal dialog; `run(values)` does it. The dialog stays open with the hub's
 * message when the step is refused.
 */
export function askFor({ title, fields, submit, run }) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const controls = fields.map((f) => {
    const id = `step-${f.name}`;
    const control = f.options
      ? h('select', { id, name: f.name }, f.options.map(([v, text]) => h('option', { value: v }, text)))
      : h(f.multiline ? 'textarea' : 'input', { id, name: f.name, maxlength: f.max || 500, required: f.required || false, autocomplete: 'off' });
    return h('div', { class: 'field' }, h('label', { for: id }, f.label), control);
  });
  const dialog = h('dialog', { class: 'step-dialog', 'aria-labelledby': 'step-title' },
    h('form', { method: 'dialog', class: 'step-form' },
      h('h2', { id: 'step-title' }, title), controls, error,
      h('div', { class: 'step-actions' },
        h('button', { class: 'btn btn-primary', type: 'submit', value: 'go' }, submit),
        h('button', { class: 'btn', type: 'button', onclick: () => dialog.close() }, 'Cancel'))));
  dialog.querySelector('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(fields.map((f) => [f.name, dialog.querySelector(`[name=${f.name}]`).value.trim()]));
    const button = dialog.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await run(values);
      dialog.close();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

const NOTE = { name: 'note', label: 'Note (kept with who and when)', multiline: true };

/** The steps a supervisor may take on an alarm in its state. */
export function alarmSteps(alarm) {
  if (alarm.state === 'cleared') return [];
  const steps = [];
  if (alarm.state === 'unacknowledged') {
    steps.push(stepButton('Acknowledge', 'Acknowledge this alarm, with a note', () => askFor({
      title: `Acknowledge: ${alarm.label} at ${alarm.lane}`, fields: [NOTE], submit: 'Acknowledge',
      run: ({ note }) => feed.acknowledge(alarm.id, note),
    }), 'btn-ack'));
  } else {
    steps.push(stepButton('Clear', 'Clear this alarm once it is dealt with', () => askFor({
      title: `Clear: ${alarm.label} at ${alarm.lane}`, fields: [NOTE], submit: 'Clear',
      run: ({ note }) => feed.clear(alarm.id, note),
    }), 'btn-clear'));
  }
  steps.push(stepButton('Assign', 'Give this alarm to someone', () => askFor({
    title: `Assign: ${alarm.label} at ${alarm.lane}`, submit: 'Assign',
    fields: [{ name: 'assignee', label: 'Hub username', max: 64, required: true }, NOTE],
    run: ({ assignee, note }) => feed.assign(alarm.id, assignee, note),
  }), 'btn-assign'));
  return steps;
}

function historyLine(entry) {
  const d = entry.detail || {};
  const what = entry.action === 'assigned' ? `assigned to ${d.assignee}` : entry.action;
  return h('li', { dataset: { action: entry.action } },
    h('strong', {}, what), ` by ${entry.actor} at `, h('time', { datetime: entry.at }, dateTime(entry.at)),
    d.note ? ` — “${d.note}”` : '');
}

/** The alarm's story: raised, then every step, with who and when. */
export function alarmHistory(alarm) {
  return h('ol', { class: 'history' },
    h('li', {}, h('strong', {}, 'raised'), ' at ', h('time', { datetime: alarm.at }, dateTime(alarm.at))),
    (alarm.history || []).map(historyLine));
}

function stateWord(alarm) {
  if (alarm.state === 'cleared') return `cleared by ${alarm.cleared_by}`;
  if (alarm.state === 'acknowledged') return `acknowledged by ${alarm.acknowledged_by} at ${time(alarm.acknowledged_at)}`;
  return 'not acknowledged';
}

/** One alarm in a lane's detail: severity, what, state, assignee, steps, history. */
export function alarmRow(alarm) {
  const shelf = feed.shelfOf(alarm.lane, alarm.kind);
  return h('li', { class: `alarm is-${alarm.state}${shelf ? ' is-shelved' : ''}`, dataset: { alarm: alarm.id, kind: alarm.kind, state: alarm.state } },
    severityBadge(alarm.severity || feed.severityOf(alarm.kind)),
    h('strong', { class: 'alarm-label' }, alarm.label),
    h('span', { class: 'alarm-text' }, alarmText(alarm)),
    h('time', { class: 'alarm-time', datetime: alarm.at }, time(alarm.at)),
    h('span', { class: 'alarm-steps' }, alarmSteps(alarm)),
    h('details', { class: 'alarm-history' },
      h('summary', {}, h('span', { class: 'alarm-state' }, stateWord(alarm),
        alarm.assignee ? ` · assigned to ${alarm.assignee}` : '', shelf ? ` · shelved until ${time(shelf.until)}` : ''),
      h('span', { class: 'history-word' }, ' · history')),
      alarmHistory(alarm)));
}

/** The alarms shown now, grouped: lane → kind → alarms. */
export function grouped(alarms) {
  const lanes = new Map();
  for (const alarm of alarms) {
    if (!lanes.has(alarm.lane)) lanes.set(alarm.lane, new Map());
    const kinds = lanes.get(alarm.lane);
    if (!kinds.has(alarm.kind)) kinds.set(alarm.kind, []);
    kinds.get(alarm.kind).push(alarm);
  }
  return lanes;
}

/** The worst severity among alarms ('' for none). */
export function worst(alarms) {
  let best = null;
  for (const a of alarms) {
    const s = a.severity || feed.severityOf(a.kind);
    if (best === null || feed.rank(s) < feed.rank(best)) best = s;
  }
  return best || '';
}

function kindChip(kind, alarms) {
  const open = alarms.filter((a) => !a.acknowledged_at).length;
  const severity = worst(alarms);
  return h('li', { class: `kind-chip sev-${severity}${open ? ' has-open' : ''}`, dataset: { kind, count: alarms.length, open } },
    h('span', { class: 'kind-sev' }, severity.toUpperCase()), ' ',
    h('strong', {}, feed.labelOf(kind)), ' ',
    h('span', { class: 'kind-count' }, `×${alarms.length}`),
    open ? h('span', { class: 'kind-open' }, ` · ${open} new`) : null);
}

function laneLine(laneId, kinds) {
  const all = [...kinds.values()].flat();
  const open = all.filter((a) => !a.acknowledged_at).length;
  const sorted = [...kinds.entries()].sort(([, a], [, b]) => feed.rank(worst(a)) - feed.rank(worst(b)));
  return h('li', { class: `strip-lane sev-${worst(all)}`, dataset: { lane: laneId, count: all.length } },
    h('a', { class: 'alarm-lane', href: `#/lane/${encodeURIComponent(laneId)}` }, laneId),
    h('ul', { class: 'kind-chips' }, sorted.map(([kind, alarms]) => kindChip(kind, alarms))),
    open ? stepButton(`Acknowledge all ${open}`, `Acknowledge every alarm of ${laneId}, with one note`, () => askFor({
      title: `Acknowledge all ${open} alarms of ${laneId}`, fields: [NOTE], submit: 'Acknowledge all',
      run: ({ note }) => feed.acknowledgeLane(laneId, note),
    }), 'btn-ack btn-ack-lane') : h('span', { class: 'acked' }, 'all acknowledged'));
}

export function mountStrip() {
  const strip = document.getElementById('alarms');
  const draw = () => {
    const shown = feed.shownAlarms();
    const open = shown.filter((a) => !a.acknowledged_at);
    const severity = worst(open.length ? open : shown);
    strip.hidden = shown.length === 0;
    strip.className = `alarms sev-${severity}${open.length ? ' has-open' : ''}`;
    document.body.classList.toggle('has-alarms', shown.length > 0);
    const lanes = [...grouped(shown).entries()].sort(([, a], [, b]) =>
      feed.rank(worst([...a.values()].flat())) - feed.rank(worst([...b.values()].flat())));
    const shelved = feed.activeShelves().length;
    replace(strip,
      h('h2', { class: 'alarms-title' }, `${shown.length} ALARM${shown.length === 1 ? '' : 'S'}`,
        open.length ? ` · ${open.length} TO ACKNOWLEDGE` : ' · ALL ACKNOWLEDGED',
        shelved ? h('span', { class: 'shelved-note' }, ` · ${shelved} source${shelved === 1 ? '' : 's'} shelved`) : null),
      h('ul', { class: 'strip-lanes' }, lanes.map(([laneId, kinds]) => laneLine(laneId, kinds))));
  };
  feed.subscribe((type) => { if (type === 'alarm' || type === 'loaded' || type === 'shelves') draw(); });
  draw();
}
