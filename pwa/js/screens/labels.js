// The label sheet: one label per evidence bag — its QR code (from the box,
// fetched with the token: a sealed bag's signed label, an unsealed one's id),
// bag id, seizure, inspection and date, and whether the label is signed —
// laid out to print cleanly on A4, eight labels to a page.

import * as api from '../api.js';
import { cacheGet } from '../db.js';
import { add, h, replace } from '../ui.js';
import * as fmt from '../format.js';
import { loadSeizure } from './seizure.js';

export async function render(view, { id }) {
  const sheet = h('div', { class: 'sheet', id: 'label-sheet' });
  const note = h('p', { class: 'note no-print' });
  const urls = [];
  add(view, 
    h('div', { class: 'page-head no-print' }, h('h1', {}, 'Label sheet'),
      h('div', { class: 'btn-row', style: { margin: 0 } },
        h('button', { class: 'btn btn-primary', type: 'button', id: 'print-button', onclick: () => window.print() }, 'Print'),
        h('a', { class: 'btn', href: `#/seizures/${id}` }, 'Back to seizure'))),
    note, sheet);

  let seizure;
  try {
    ({ seizure } = await loadSeizure(id));
  } catch (err) {
    replace(sheet, h('p', { class: 'banner banner-bad' }, api.describe(err)));
    return undefined;
  }
  const inspection = await cacheGet(`inspection:${seizure.inspection_id}`);
  const bags = seizure.bags || [];
  note.textContent = bags.length
    ? `${bags.length} label${bags.length === 1 ? '' : 's'} · A4, eight to a page. Stick each on its bag, then scan it to confirm every custody step.`
    : 'No bags yet: add evidence bags to the seizure first.';
  const made = new Date();
  replace(sheet, bags.map((bag) => {
    const qr = h('div', { class: 'qr' }, h('span', { class: 'qr-missing' }, 'loading QR…'));
    api.blobUrl(`/bags/${encodeURIComponent(bag.bag_id)}/qr.svg`).then(({ url }) => {
      urls.push(url);
      replace(qr, h('img', { src: url, alt: `QR code ${bag.bag_id}` }));
    }).catch((err) => replace(qr, h('span', { class: 'qr-missing' }, `QR not available (${api.describe(err)}) — use the bag id`)));
    const sealed = (bag.custody || []).find((c) => c.action === 'sealed');
    // a sealed bag's QR is its signed label (seal, weight, lane): any tablet checks it, box or not
    const signedLine = sealed
      ? h('p', { class: 'label-line label-signed' }, h('strong', {}, 'Signed '), 'by this lane — any tablet checks it, box or not: Check a bag label')
      : h('p', { class: 'label-line label-unsigned' }, h('strong', {}, 'Not signed yet '), 'the bag is not sealed: print its label again once sealed');
    return h('article', { class: 'label', dataset: { bag: bag.bag_id, signed: String(Boolean(sealed)) } },
      qr,
      h('div', {},
        h('div', { class: 'label-title' }, 'Evidence — do not open'),
        h('div', { class: 'bag-id' }, bag.bag_id),
        h('p', { class: 'label-line' }, h('strong', {}, 'Seizure '), h('span', { class: 'mono' }, seizure.id)),
        h('p', { class: 'label-line' }, h('strong', {}, 'Inspection '), inspection ? `${inspection.plate} · ` : '', h('span', { class: 'mono' }, fmt.shortId(seizure.inspection_id))),
        h('p', { class: 'label-line' }, h('strong', {}, 'Date '), fmt.dateTime(seizure.created_at || made.toISOString())),
        h('p', { class: 'label-line' }, h('strong', {}, 'Contents '), String(bag.description || '').slice(0, 90)),
        h('p', { class: 'label-line' }, h('strong', {}, 'Officer '), seizure.created_by || ''),
        sealed && sealed.seal_number ? h('p', { class: 'label-line' }, h('strong', {}, 'Seal '), sealed.seal_number) : null,
        signedLine));
  }));
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
