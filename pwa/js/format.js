// How numbers, money, times and ids read on the tablet.

const NBSP = '\u202f'; // narrow no-break space: a thousands gap that never wraps

/** 24680 → "24 680"; keeps `decimals` places. */
export function number(value, decimals = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return '—';
  const fixed = Number(value).toFixed(decimals);
  return group(fixed);
}

/** Group the integer part of a decimal string ("12345.60" → "12 345.60"). */
export function group(text) {
  const s = String(text);
  const negative = s.startsWith('-');
  const [whole, frac] = (negative ? s.slice(1) : s).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return (negative ? '−' : '') + grouped + (frac !== undefined ? `.${frac}` : '');
}

/** Money as the API sends it (a decimal string) with its currency. */
export function money(amount, currency = '') {
  if (amount === null || amount === undefined) return '—';
  return `${group(amount)}${currency ? ` ${currency}` : ''}`;
}

export function percent(rate, decimals = 1) {
  if (rate === null || rate === undefined) return '—';
  const value = Number(rate) * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(decimals)} %`;
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short', year: 'numeric' })} ${time(iso)}`;
}

/** "4 s ago", "3 min ago", "2 h ago". */
export function ago(ms) {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}

/** Weight from any unit the scales send, in kg. */
export function toKg(weight, unit) {
  const factor = { kg: 1, g: 0.001, t: 1000, lb: 0.45359237 }[unit];
  return factor === undefined ? null : Number(weight) * factor;
}

export function weight(value, unit) {
  const decimals = unit === 't' ? 3 : unit === 'g' ? 0 : Number.isInteger(Number(value)) ? 0 : 1;
  return `${number(value, decimals)} ${unit || ''}`.trim();
}

/** What an event of the record means, in words (the report keeps the raw type and hash). */
const EVENT_WORDS = {
  'inspection.started': 'Inspection started', 'inspection.closed': 'Outcome recorded',
  'inspection.finding_added': 'Finding recorded', 'inspection.checklist_item': 'Checklist item ticked',
  'inspection.duty_assessed': 'Duty assessed', 'reading.attached': 'Reading attached',
  'seizure.created': 'Goods seized', 'seizure.bag_added': 'Evidence bag made', 'seizure.custody': 'Custody step',
  'radiation.adjudicated': 'Radiation alarm adjudicated', 'photo.stored': 'Photo stored',
};

export function eventWords(type) {
  return EVENT_WORDS[type] || sentence(String(type || '').replace(/\./g, ' '));
}

export function label(code) {
  return String(code || '').replace(/_/g, ' ');
}

/** A code as a word on screen: 'standard' → 'Standard', 'full_search' → 'Full search'. */
export function sentence(code) {
  const words = label(code).trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
