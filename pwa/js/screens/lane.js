// Lane screen: the vehicles waiting at the lane (screens/vehicles.js), one
// live tile per device, and the way into an inspection.

import { watchHub } from '../hub_status.js';
import * as live from '../live.js';
import { createTile } from '../tiles.js';
import { add, h, replace } from '../ui.js';
import { vehicleList } from './vehicles.js';

// the weighbridge and the portal first (this lorry), the bench scale (seized goods) last
const ORDER = { scale: 0, radiation: 1, trace: 2, document: 3, barcode: 4 };
const rank = (d) => (ORDER[d.kind] ?? 9) + (d.use === 'bench' ? 10 : 0);

export function render(view) {
  const linkBadge = h('span', { class: 'badge', id: 'link-badge' });
  const hubBadge = h('span', { class: 'badge', id: 'hub-badge', hidden: true });
  const grid = h('div', { class: 'tiles', id: 'tiles' });
  const vehicles = vehicleList();
  add(view, 
    h('div', { class: 'page-head' },
      h('div', { class: 'lane-status' }, h('h1', {}, 'Lane'), linkBadge, hubBadge),
      h('a', { class: 'btn btn-primary', href: '#/inspections/new' }, '+ Start inspection')),
    h('div', { class: 'lane-body' }, vehicles.el, grid),
    h('div', { class: 'btn-row' }, h('a', { class: 'btn', href: '#/verify', id: 'verify-link' }, 'Check a bag label')));

  const tiles = new Map();
  document.body.classList.add('fit');
  function drawLink() {
    const link = live.linkState();
    linkBadge.className = `badge ${link.up ? 'badge-ok' : 'badge-bad'}`;
    linkBadge.textContent = link.up ? 'LIVE' : 'NO LINK';
    linkBadge.title = link.detail;
  }
  let shownOrder = '';
  function drawTiles() {
    const devices = live.all().filter((d) => d.kind).sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
    let added = false;
    for (const d of devices) {
      if (!tiles.has(d.id)) {
        tiles.set(d.id, createTile({ id: d.id }));
        added = true;
      }
    }
    const order = devices.map((d) => d.id).join(' ');
    if (added || order !== shownOrder) replace(grid, devices.map((d) => tiles.get(d.id).el));
    shownOrder = order;
    if (!devices.length) replace(grid, h('p', { class: 'tile-empty' }, live.linkState().up ? 'Loading devices…' : 'No link to the lane box yet — devices appear when it answers.'));
  }
  const unsubscribe = live.subscribe((type) => {
    if (type === 'link') drawLink();
    if (type === 'device') drawTiles();
  });
  drawLink();
  drawTiles();
  const stopHub = watchHub(hubBadge);
  if (!live.all().length) live.loadDevices().then(drawTiles).catch(() => {});
  return () => {
    document.body.classList.remove('fit');
    unsubscribe();
    stopHub();
    vehicles.dispose();
    for (const t of tiles.values()) t.dispose();
  };
}
