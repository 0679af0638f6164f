// The lane's reference data summary (checklists, local currency, VAT) and
// the lane's own identity — fetched once, kept for offline use.

import * as api from './api.js';
import { cacheGet, cachePut } from './db.js';

const FALLBACK = { version: null, checklists: { standard: [] }, currency: null, vat_rate: null, counts: {} };
let reference = null;
let lane = null;

export async function loadReference({ fresh = false } = {}) {
  if (reference && !fresh) return reference;
  try {
    reference = await api.get('/reference');
    cachePut('reference', reference);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) throw err;
    reference = (await cacheGet('reference')) || reference || FALLBACK;
  }
  return reference;
}

export function inspectionTypes(ref) {
  const types = Object.keys((ref && ref.checklists) || {});
  if (!types.length) return ['standard'];
  // the everyday type first
  return types.includes('standard') ? ['standard', ...types.filter((t) => t !== 'standard')] : types;
}

export async function loadLane({ signedIn = true } = {}) {
  try {
    if (signedIn) {
      lane = await api.get('/lane');
    } else {
      // before signing in: /healthz needs no token and names the lane
      const response = await fetch('/healthz', { cache: 'no-store' });
      const health = await response.json();
      lane = { ...(lane || (await cacheGet('lane')) || {}), id: health.lane };
    }
    cachePut('lane', lane);
  } catch {
    lane = lane || (await cacheGet('lane'));
  }
  return lane;
}

/** Currencies offered in money fields: the local one first, then common ones. */
export function currencies(ref) {
  const list = [ref && ref.currency, 'EUR', 'GBP', 'USD', 'CHF', 'NOK', 'PLN', 'CNY', 'TRY'].filter(Boolean);
  return [...new Set(list)];
}
