// Checking an evidence bag's signed label on the tablet, with no box: the
// port's lane keys (every lane's, so a bag sealed at another lane checks
// too) are kept in IndexedDB, and the signature is checked with
// WebCrypto's Ed25519. The format is the box's (sync/labels.py;
// docs/evidence.md, "Labels"): LBX1.<payload>.<signature>, each part
// base64url; the signature is over the ASCII text "LBX1.<payload>", so the
// text scanned is checked as it is, never re-encoded.

import * as api from './api.js';
import { cacheGet, cachePut } from './db.js';

const PREFIX = 'LBX1';
const KEYS = 'label-keys';
const MAX_CHARS = 1500;
// every field of a label and the JSON types it may take (all required)
const FIELDS = {
  bag: ['string'], seal: ['string', 'null'], kg: ['string', 'null'], scale: ['string', 'null'],
  cal: ['string', 'null'], cal_due: ['boolean', 'null'], seq: ['integer'], hash: ['string'],
  lane: ['string'], at: ['string'], kid: ['string'],
};

/** Why a label does not verify: code (malformed, unknown_lane, unknown_key, bad_signature) and words. */
export class LabelRefused extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Whether a scan claims to be a signed label (it may still be forged). */
export function isLabel(text) {
  return String(text || '').trim().startsWith(`${PREFIX}.`);
}

function b64url(bytes) {
  let text = '';
  bytes.forEach((b) => { text += String.fromCharCode(b); });
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(text) {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  if (b64url(bytes) !== text) throw new Error('not canonical base64url');
  return bytes;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** The parts of a label: what is signed, what it claims, its signature; LabelRefused if malformed. */
export function readLabel(text) {
  const trimmed = String(text || '').trim();
  const parts = trimmed.split('.');
  if (trimmed.length > MAX_CHARS || parts.length !== 3 || parts[0] !== PREFIX) {
    throw new LabelRefused('malformed', 'This is not a signed lanebox label.');
  }
  let payload;
  let signature;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(unb64url(parts[1])));
    signature = unb64url(parts[2]);
  } catch {
    throw new LabelRefused('malformed', 'The label is damaged: it does not read.');
  }
  const names = payload && typeof payload === 'object' && !Array.isArray(payload) ? Object.keys(payload) : [];
  const fieldsOk = names.length === Object.keys(FIELDS).length
    && Object.entries(FIELDS).every(([name, types]) => names.includes(name) && types.includes(typeOf(payload[name])));
  if (signature.length !== 64 || !fieldsOk) throw new LabelRefused('malformed', 'The label is damaged: it does not read.');
  return { signed: `${parts[0]}.${parts[1]}`, payload, signature };
}

function rawKey(text) {
  if (!String(text).startsWith('ed25519:')) throw new Error('not an Ed25519 key');
  const raw = Uint8Array.from(atob(text.slice(8)), (c) => c.charCodeAt(0));
  if (raw.length !== 32) throw new Error('not an Ed25519 key');
  return raw;
}

async function keyId(raw) {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', raw)).slice(0, 8));
}

/** What the label says, if a key of the lane it names signed it; LabelRefused saying why otherwise. */
export async function verifyLabel(text, keys) {
  const { signed, payload, signature } = readLabel(text);
  const laneKeys = (keys || []).filter((k) => k.lane === payload.lane);
  if (!laneKeys.length) throw new LabelRefused('unknown_lane', `No key of lane ${payload.lane} is kept on this tablet.`);
  let found = null;
  for (const k of laneKeys) {
    const raw = rawKey(k.key);
    if ((await keyId(raw)) === payload.kid) found = raw;
  }
  if (!found) throw new LabelRefused('unknown_key', `Lane ${payload.lane} never signed with the key this label names.`);
  const key = await crypto.subtle.importKey('raw', found, { name: 'Ed25519' }, false, ['verify']);
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, new TextEncoder().encode(signed));
  if (!ok) throw new LabelRefused('bad_signature', 'The signature does not match what the label says.');
  return payload;
}

/** The lane keys kept on this device, refreshed from `path` when it answers (the box's /lane/keys:
 *  this lane's and, once the box has the hub's signed list, every lane's of the port; or the hub's
 *  /hub/lane-keys on the board): { keys, port, at } or null. */
export async function loadKeys(path = '/lane/keys') {
  try {
    const fresh = await api.get(path);
    const kept = { keys: fresh.keys, port: fresh.port !== null, at: new Date().toISOString() };
    await cachePut(KEYS, kept);
    return kept;
  } catch {
    return cacheGet(KEYS);
  }
}

/** The bag a scan names: a signed label's bag (the box verifies its signature when the step is
 *  recorded), else the text itself, upper case as bag ids are. */
export function scannedBagId(text) {
  const trimmed = String(text || '').trim();
  if (!isLabel(trimmed)) return trimmed.toUpperCase();
  try {
    return readLabel(trimmed).payload.bag;
  } catch {
    return trimmed;
  }
}
