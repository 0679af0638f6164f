// The seizure's CEN sections (docs/seizure-export.md): how it was found, where it was
// hidden, the vehicle, the route, the persons and the companies — what the enforcement
// community exchanges about a seizure. The box proposes what the inspection already
// says (GET /inspections/{id}/seizure-prefill: the alarms and flags, the plate and
// containers, the declaration's origin and companies, the driver from the passport),
// so the officer confirms with a look and ticks how the goods were hidden.

import * as api from '../api.js';
import { add, field, h, replace } from '../ui.js';

export const DETECTION = [
  ['rpm', 'Radiation portal'], ['x_ray', 'X-ray or scanner'], ['detector_dog', 'Detector dog'], ['trace', 'Trace detector'],
  ['weight_check', 'Weight check'], ['risk_profile', 'Risk profile'], ['intelligence', 'Intelligence or watchlist'],
  ['document_check', 'Document check'], ['random', 'Random check'], ['physical_search', 'Physical search'],
  ['officer_observation', "Officer's observation"], ['other', 'Other'],
];
export const CONCEALMENT = [
  ['not_concealed', 'Not concealed'], ['in_cargo', 'Among the cargo'], ['inside_goods', 'Inside the goods'],
  ['false_compartment', 'False compartment'], ['natural_cavity', 'Natural cavity of the vehicle'],
  ['vehicle_structure', "In the vehicle's structure"], ['in_luggage', 'In luggage'], ['on_person', 'On the person'],
  ['in_body', 'Inside the body'], ['misdeclared', 'Misdeclared goods'], ['other', 'Other'],
];
const VEHICLES = [['lorry', 'Lorry'], ['lorry_with_trailer', 'Lorry with trailer'], ['van', 'Van'], ['car', 'Car'],
  ['bus', 'Bus or coach'], ['motorcycle', 'Motorcycle'], ['other', 'Other']];
const PERSON_ROLES = [['driver', 'Driver'], ['passenger', 'Passenger'], ['owner', 'Owner'], ['consignor', 'Consignor'],
  ['consignee', 'Consignee'], ['haulier', 'Haulier'], ['declarant', 'Declarant'], ['other', 'Other']];
const COMPANY_ROLES = [['consignor', 'Consignor'], ['consignee', 'Consignee'], ['haulier', 'Haulier'],
  ['declarant', 'Declarant'], ['owner', 'Owner'], ['other', 'Other']];
const DOCUMENT_TYPES = [['passport', 'Passport'], ['identity_card', 'Identity card'], ['driving_licence', 'Driving licence'],
  ['residence_permit', 'Residence permit'], ['other', 'Other']];
/** The port's country is the destination of most lorries: the last one given on this tablet is offered. */
const DESTINATION_KEY = 'lanebox.seizure.destination_country';
const COUNTRY = /^[A-Z]{2}$/;
const PLATE = /^[A-Z0-9]{2,12}$/;
const CONTAINER = /^[A-Z]{4}[0-9]{7}$/;

/** A country's name for its ISO 3166-1 code (the browser knows them), the code itself otherwise. */
export function countryName(code) {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** Words for a code of one of the lists above. */
export function wordsFor(list, code) {
  const found = list.find(([c]) => c === code);
  return found ? found[1] : code;
}

/** What the box proposes for a seizure from this inspection, or nothing (offline, or it asks why). */
export async function loadPrefill(inspectionId) {
  try {
    return await api.get(`/inspections/${inspectionId}/seizure-prefill`);
  } catch {
    return null;
  }
}

/** The form's state from the box's proposal (or nothing): plain data, kept in the draft as it is. */
export function initialState(offered) {
  const o = offered || {};
  const conveyance = o.conveyance || {};
  const route = o.route || {};
  let destination = '';
  try { destination = localStorage.getItem(DESTINATION_KEY) || ''; } catch { /* private mode */ }
  return {
    detection: [...((o.detection || {}).methods || [])], detectionDetails: '',
    concealment: [], place: '',
    vehicle: { type: conveyance.vehicle_type || 'lorry', plate: conveyance.plate || '', country: '', trailer: '',
      containers: (conveyance.containers || []).join(' ') },
    route: { origin: route.origin_country || '', departure: '', departurePlace: '', destination, destinationPlace: '', transit: '' },
    persons: (o.persons || []).map((p) => ({ role: p.role, surname: p.surname || '', given: p.given_names || '',
      nationality: p.nationality || '', birth: p.birth_date || '', docType: p.document_type || '',
      docNumber: p.document_number || '', docCountry: p.document_country || '', fromDocument: true })),
    companies: (o.companies || []).map((c) => ({ role: c.role, name: c.name || '', country: c.country || '', eori: c.eori || '' })),
  };
}

const up = (text) => String(text || '').trim().toUpperCase();
const packed = (text) => up(text).replace(/[\s-]+/g, '');
const words = (text) => up(text).split(/[\s,]+/).filter(Boolean);

/** The request's CEN sections from the state; empty sections are left out. */
export function cenBody(s) {
  const out = {};
  if (s.detection.length) out.detection = { methods: [...s.detection], ...(s.detectionDetails.trim() ? { details: s.detectionDetails.trim() } : {}) };
  if (s.concealment.length) out.concealment = { methods: [...s.concealment], ...(s.place.trim() ? { place: s.place.trim() } : {}) };
  const v = s.vehicle;
  out.conveyance = { vehicle_type: v.type, containers: words(v.containers).map((c) => c.replace(/-/g, '')) };
  if (packed(v.plate)) out.conveyance.plate = packed(v.plate);
  if (up(v.country)) out.conveyance.registration_country = up(v.country);
  if (packed(v.trailer)) out.conveyance.trailer_plate = packed(v.trailer);
  const r = s.route;
  const route = {};
  for (const [key, value] of [['origin_country', up(r.origin)], ['departure_country', up(r.departure)], ['destination_country', up(r.destination)]]) if (value) route[key] = value;
  if (r.departurePlace.trim()) route.departure_place = r.departurePlace.trim();
  if (r.destinationPlace.trim()) route.destination_place = r.destinationPlace.trim();
  if (words(r.transit).length) route.transit_countries = [...new Set(words(r.transit))];
  if (Object.keys(route).length) out.route = route;
  const persons = s.persons.filter((p) => p.surname.trim()).map((p) => {
    const person = { role: p.role, surname: p.surname.trim() };
    if (p.given.trim()) person.given_names = p.given.trim();
    if (up(p.nationality)) person.nationality = up(p.nationality);
    if (p.birth) person.birth_date = p.birth;
    if (p.docType) person.document_type = p.docType;
    if (packed(p.docNumber)) person.document_number = packed(p.docNumber);
    if (up(p.docCountry)) person.document_country = up(p.docCountry);
    return person;
  });
  if (persons.length) out.persons = persons;
  const companies = s.companies.filter((c) => c.name.trim()).map((c) => {
    const company = { role: c.role, name: c.name.trim() };
    if (up(c.country)) company.country = up(c.country);
    if (packed(c.eori)) company.eori = packed(c.eori);
    return company;
  });
  if (companies.length) out.companies = companies;
  return out;
}

/** Checks the box would refuse, said next to their fields; `bad(name, message)` marks one. */
export function cenCheck(s, bad) {
  const country = (name, value) => { if (up(value) && !COUNTRY.test(up(value))) bad(name, 'Two letters, e.g. GB, NO, AE.'); };
  if (s.place.trim() && !s.concealment.length) bad('concealment', 'Tick how the goods were hidden.');
  if (packed(s.vehicle.plate) && !PLATE.test(packed(s.vehicle.plate))) bad('conveyance.plate', 'A plate is 2 to 12 letters and digits.');
  if (packed(s.vehicle.trailer) && !PLATE.test(packed(s.vehicle.trailer))) bad('conveyance.trailer_plate', 'A plate is 2 to 12 letters and digits.');
  country('conveyance.registration_country', s.vehicle.country);
  if (words(s.vehicle.containers).some((c) => !CONTAINER.test(c.replace(/-/g, '')))) bad('conveyance.containers', 'Container numbers are 4 letters and 7 digits, e.g. CSQU3054383.');
  country('route.origin_country', s.route.origin);
  country('route.departure_country', s.route.departure);
  country('route.destination_country', s.route.destination);
  if (words(s.route.transit).some((c) => !COUNTRY.test(c))) bad('route.transit_countries', 'Two letters each, with spaces between.');
  s.persons.forEach((p, i) => {
    if (!p.surname.trim()) bad(`persons.${i}.surname`, 'A surname, or remove this person.');
    country(`persons.${i}.nationality`, p.nationality);
    if (packed(p.docNumber) && !/^[A-Z0-9]{1,20}$/.test(packed(p.docNumber))) bad(`persons.${i}.document_number`, 'Letters and digits, up to 20.');
  });
  s.companies.forEach((c, i) => {
    if (!c.name.trim()) bad(`companies.${i}.name`, 'A name, or remove this company.');
    country(`companies.${i}.country`, c.country);
    if (packed(c.eori) && !/^[A-Z]{2}[A-Z0-9]{1,15}$/.test(packed(c.eori))) bad(`companies.${i}.eori`, 'An EORI is a country code and up to 15 letters or digits.');
  });
}

/** Remember the destination given, for the next seizure on this tablet. */
export function rememberDestination(s) {
  try { if (COUNTRY.test(up(s.route.destination))) localStorage.setItem(DESTINATION_KEY, up(s.route.destination)); } catch { /* private mode */ }
}

/** The six sections as fieldsets, bound to `s`; `changed()` after every edit (the draft). */
export function cenSections(s, changed) {
  const box = h('div', { id: 'cen-sections' });

  const text = (obj, key, attrs = {}) => {
    const el = h('input', { ...attrs, value: obj[key] });
    el.addEventListener('input', () => { obj[key] = el.value; changed(); });
    return el;
  };
  const select = (obj, key, options, blank = null) => {
    const el = h('select', {}, blank ? h('option', { value: '' }, blank) : null,
      options.map(([code, label]) => h('option', { value: code, selected: code === obj[key] }, label)));
    el.addEventListener('change', () => { obj[key] = el.value; changed(); });
    return el;
  };
  const country = (obj, key) => text(obj, key, { maxlength: '2', class: 'upper mono', autocapitalize: 'characters', placeholder: 'e.g. GB' });
  const chips = (name, list, chosen) => h('div', { class: 'choice-row', role: 'group' }, list.map(([code, label]) => {
    const box = h('input', { type: 'checkbox', value: code, checked: chosen.includes(code) });
    box.addEventListener('change', () => {
      const at = chosen.indexOf(code);
      if (box.checked && at === -1) chosen.push(code);
      if (!box.checked && at !== -1) chosen.splice(at, 1);
      changed();
    });
    return h('label', { class: 'check-row', dataset: { [name]: code } }, box, label);
  }));

  function draw() {
    const v = s.vehicle;
    const r = s.route;
    replace(box,
      h('fieldset', { dataset: { field: 'detection' }, id: 'cen-detection' }, h('legend', {}, 'How it was found'),
        s.detection.length ? h('p', { class: 'note' }, 'Ticked from the inspection\'s alarms and flags: check them.') : null,
        chips('detection', DETECTION, s.detection),
        field('detection.details', 'More on how (optional)', text(s, 'detectionDetails', { maxlength: '200' })),
        h('p', { class: 'field-error', role: 'alert' })),
      h('fieldset', { dataset: { field: 'concealment' }, id: 'cen-concealment' }, h('legend', {}, 'Where it was hidden'),
        chips('concealment', CONCEALMENT, s.concealment),
        field('concealment.place', 'Exact place (optional)', text(s, 'place', { maxlength: '200', placeholder: 'e.g. behind the cab\'s rear panel' })),
        h('p', { class: 'field-error', role: 'alert' })),
      h('fieldset', { dataset: { field: 'conveyance' }, id: 'cen-vehicle' }, h('legend', {}, 'Vehicle'),
        h('div', { class: 'grid-3' },
          field('conveyance.vehicle_type', 'Type', select(v, 'type', VEHICLES)),
          field('conveyance.plate', 'Plate', text(v, 'plate', { maxlength: '16', class: 'upper mono' })),
          field('conveyance.registration_country', 'Registered in', country(v, 'country'))),
        h('div', { class: 'grid-2' },
          field('conveyance.trailer_plate', 'Trailer plate', text(v, 'trailer', { maxlength: '16', class: 'upper mono' })),
          field('conveyance.containers', 'Containers', text(v, 'containers', { class: 'upper mono', placeholder: 'none' })))),
      h('fieldset', { dataset: { field: 'route' }, id: 'cen-route' }, h('legend', {}, 'Route'),
        h('div', { class: 'grid-3' },
          field('route.origin_country', 'Goods from (country)', country(r, 'origin')),
          field('route.departure_country', 'Departed from (country)', country(r, 'departure')),
          field('route.departure_place', 'Departure place', text(r, 'departurePlace', { maxlength: '200' }))),
        h('div', { class: 'grid-3' },
          field('route.destination_country', 'Going to (country)', country(r, 'destination')),
          field('route.destination_place', 'Destination place', text(r, 'destinationPlace', { maxlength: '200' })),
          field('route.transit_countries', 'Through (countries)', text(r, 'transit', { class: 'upper mono', placeholder: 'e.g. TR BG' })))),
      h('fieldset', { dataset: { field: 'persons' }, id: 'cen-persons' }, h('legend', {}, 'Persons'),
        s.persons.map((p, i) => h('div', { class: 'item-row cen-person', dataset: { person: String(i) } },
          h('h3', { class: 'item-head' }, p.fromDocument ? `${wordsFor(PERSON_ROLES, p.role)} — from the passport read` : `Person ${i + 1}`,
            h('button', { class: 'btn', type: 'button', onclick: () => { s.persons.splice(i, 1); changed(); draw(); } }, 'Remove')),
          h('div', { class: 'grid-3' },
            field(`persons.${i}.role`, 'Role', select(p, 'role', PERSON_ROLES)),
            field(`persons.${i}.surname`, 'Surname', text(p, 'surname', { maxlength: '200' })),
            field(`persons.${i}.given_names`, 'Given names', text(p, 'given', { maxlength: '200' }))),
          h('div', { class: 'grid-3' },
            field(`persons.${i}.nationality`, 'Nationality', country(p, 'nationality')),
            field(`persons.${i}.birth_date`, 'Born', text(p, 'birth', { type: 'date' })),
            field(`persons.${i}.document_number`, 'Document number', text(p, 'docNumber', { maxlength: '24', class: 'upper mono' }))),
          h('div', { class: 'grid-2' },
            field(`persons.${i}.document_type`, 'Document', select(p, 'docType', DOCUMENT_TYPES, '—')),
            field(`persons.${i}.document_country`, 'Issued by (country)', country(p, 'docCountry'))))),
        h('button', { class: 'btn', type: 'button', id: 'add-person', onclick: () => {
          s.persons.push({ role: 'passenger', surname: '', given: '', nationality: '', birth: '', docType: '', docNumber: '', docCountry: '' });
          changed(); draw();
        } }, '+ Add person')),
      h('fieldset', { dataset: { field: 'companies' }, id: 'cen-companies' }, h('legend', {}, 'Companies'),
        s.companies.length ? h('p', { class: 'note' }, 'From the declaration.') : null,
        s.companies.map((c, i) => h('div', { class: 'grid-3 cen-company', dataset: { company: String(i) } },
          field(`companies.${i}.role`, 'Role', select(c, 'role', COMPANY_ROLES)),
          field(`companies.${i}.name`, 'Name', text(c, 'name', { maxlength: '500' })),
          h('div', { class: 'inline-input' },
            field(`companies.${i}.country`, 'Country', country(c, 'country')),
            field(`companies.${i}.eori`, 'EORI', text(c, 'eori', { maxlength: '17', class: 'upper mono' })),
            h('button', { class: 'btn', type: 'button', 'aria-label': `Remove ${c.name || 'this company'}`, onclick: () => { s.companies.splice(i, 1); changed(); draw(); } }, 'Remove')))),
        h('button', { class: 'btn', type: 'button', id: 'add-company', onclick: () => {
          s.companies.push({ role: 'declarant', name: '', country: '', eori: '' });
          changed(); draw();
        } }, '+ Add company')));
  }
  draw();
  return box;
}

/** The CEN sections of a recorded seizure, in words (the seizure screen). */
export function cenSummary(cen) {
  if (!cen || !Object.keys(cen).length) return null;
  const dl = h('dl', { class: 'kv', id: 'seizure-cen' });
  const row = (term, value) => { if (value) add(dl, h('dt', {}, term), h('dd', {}, value)); };
  const v = cen.conveyance || {};
  const r = cen.route || {};
  row('Found by', cen.detection && cen.detection.methods.map((m) => wordsFor(DETECTION, m)).join(', '));
  row('Hidden', cen.concealment && [cen.concealment.methods.map((m) => wordsFor(CONCEALMENT, m)).join(', '), cen.concealment.place].filter(Boolean).join(' — '));
  const named = (code) => (code ? countryName(code) : '');
  row('Vehicle', cen.conveyance && [wordsFor(VEHICLES, v.vehicle_type), v.plate, v.registration_country && `(${named(v.registration_country)})`,
    v.trailer_plate && `trailer ${v.trailer_plate}`, (v.containers || []).length ? `containers ${v.containers.join(', ')}` : ''].filter(Boolean).join(' '));
  row('Route', cen.route && [r.origin_country && `goods from ${named(r.origin_country)}`,
    r.departure_country && `departed ${[r.departure_place, named(r.departure_country)].filter(Boolean).join(', ')}`,
    (r.transit_countries || []).length ? `through ${r.transit_countries.map(named).join(', ')}` : '',
    r.destination_country && `to ${[r.destination_place, named(r.destination_country)].filter(Boolean).join(', ')}`].filter(Boolean).join(', '));
  row('Persons', (cen.persons || []).map((p) => `${wordsFor(PERSON_ROLES, p.role)}: ${[p.given_names, p.surname].filter(Boolean).join(' ')}${p.nationality ? ` (${named(p.nationality)})` : ''}`).join('; '));
  row('Companies', (cen.companies || []).map((c) => `${wordsFor(COMPANY_ROLES, c.role)}: ${c.name}`).join('; '));
  return dl;
}
