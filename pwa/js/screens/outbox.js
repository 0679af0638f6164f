// What waits to be sent, and what the box would not take (with its reason).

import * as api from '../api.js';
import * as outbox from '../outbox.js';
import * as session from '../session.js';
import { add, badge, h, replace } from '../ui.js';
import * as fmt from '../format.js';

function link(entry) {
  const r = entry.record;
  if (!r) return null;
  if (r.type === 'inspection') return `#/inspections/${r.id}`;
  if (r.type === 'seizure') return `#/seizures/${r.id}`;
  return null;
}

export async function render(view) {
  const list = h('ul', { class: 'list', id: 'outbox-list' });
  const head = h('div');
  add(view, h('div', { class: 'page-head' }, h('h1', {}, 'Outbox'),
    h('button', { class: 'btn btn-primary', type: 'button', onclick: () => outbox.flush() }, 'Send now')), head, list);

  async function draw() {
    const s = await outbox.summary();
    const me = session.username();
    replace(head,
      h('p', { class: 'note' }, api.isReachable() ? 'The lane box is reachable.' : 'No connection to the lane box: writes wait here, in the order they were made, and are sent when it is back.'),
      h('p', { class: 'note' }, s.persisted ? 'This tablet keeps the outbox even when storage runs low.' : 'The browser may clear stored data when storage runs low: connect to send these soon.'));
    replace(list, s.items.length ? s.items.map((e) => h('li', { class: e.state === 'rejected' ? 'is-rejected' : 'is-waiting', dataset: { seq: String(e.seq) } },
      h('div', { class: 'btn-row', style: { margin: 0 } },
        e.state === 'rejected' ? badge('NOT ACCEPTED', 'bad') : badge('WAITING', 'warn'),
        h('strong', {}, e.label),
        h('span', { class: 'muted' }, `made ${fmt.dateTime(e.made_at)} by ${e.username}`)),
      e.state === 'rejected' ? h('p', { class: 'field-error' }, `${e.error.message} (${e.error.code})`) : null,
      e.state === 'waiting' && e.username !== me ? h('p', {}, `Sent when ${e.username} signs in.`) : null,
      e.state === 'waiting' && e.last_error ? h('p', { class: 'muted' }, `Last try: ${e.last_error} (${e.attempts} tries)`) : null,
      h('div', { class: 'btn-row' },
        link(e) ? h('a', { class: 'btn', href: link(e) }, 'Open') : null,
        e.state === 'rejected' ? h('button', { class: 'btn', type: 'button', onclick: () => outbox.retry(e.seq) }, 'Try again') : null,
        e.state === 'rejected' ? h('button', { class: 'btn btn-danger', type: 'button', onclick: () => { if (window.confirm(`Discard "${e.label}"? It will never reach the box.`)) outbox.discard(e.seq); } }, 'Discard') : null)))
      : h('li', { class: 'empty' }, 'Nothing waiting: everything reached the lane box.'));
  }
  const off = outbox.onChange(draw);
  await draw();
  return off;
}
