// Talking to the lane box's /api/v1: bearer token, JSON, errors as values
// a form can show next to the field they name.

const BASE = '/api/v1';

/** The box answered with a 4xx/5xx: {"error": {"code", "message", "field"?}}. */
export class ApiError extends Error {
  constructor(status, code, message, field = null, detail = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.detail = detail;
  }
}

/** The box could not be reached at all (Wi-Fi gone, box down). */
export class NetworkError extends Error {
  constructor(message = 'no connection to the lane box') {
    super(message);
    this.name = 'NetworkError';
  }
}

const hooks = {
  token: () => null,
  onUnauthorized: () => {},
  onSuccess: () => {},
};
const reachability = new EventTarget();
let reachable = true;

/** Wire in the session (token, what to do on 401) and the outbox (what to
 *  do when a request got through). */
export function configure(options) {
  Object.assign(hooks, options);
}

export function isReachable() {
  return reachable && navigator.onLine !== false;
}

export function onReachability(fn) {
  reachability.addEventListener('change', fn);
  window.addEventListener('online', fn);
  window.addEventListener('offline', fn);
}

function setReachable(value) {
  if (value !== reachable) {
    reachable = value;
    reachability.dispatchEvent(new Event('change'));
  }
}

/** How often the box is asked whether it is there: often while it is gone (so its
 *  return is seen soon), now and then while it answers; how long an answer may take. */
const PROBE_EVERY_MS = { up: 10000, down: 2000 };
const PROBE_TIMEOUT_MS = 3000;
let probeTimer = null;

/**
 * Ask the box whether it is there (/healthz: no token, nothing written), now and
 * then again on a timer. A box that is down while the Wi-Fi is up is known at
 * once, not at the next write. Any answer, even a 503 naming a part that is
 * down, means the box is reachable. Returns whether it answered.
 */
export async function probe() {
  clearTimeout(probeTimer);
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    await fetch('/healthz', { cache: 'no-store', credentials: 'omit', signal: controller.signal });
    setReachable(true);
  } catch {
    setReachable(false);
  } finally {
    clearTimeout(timeout);
    probeTimer = setTimeout(probe, reachable ? PROBE_EVERY_MS.up : PROBE_EVERY_MS.down);
  }
  return reachable;
}

/**
 * One request. `body`: an object (sent as JSON) or a Blob (sent as is with
 * `contentType`); `headers`: more headers (a witness's X-Witness-Token).
 * Returns the parsed JSON, or `{status, data}` with
 * `withStatus`, or the Response with `raw`. Throws ApiError / NetworkError.
 */
export async function request(method, path, options = {}) {
  const { body, contentType, raw = false, withStatus = false, token, background = false, headers: extra = {} } = options;
  const headers = { ...extra, Accept: 'application/json' };
  const bearer = token === undefined ? hooks.token() : token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = contentType || body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    setReachable(false);
    throw new NetworkError();
  }
  setReachable(true);
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      // not our JSON (a proxy's page): keep the status line
    }
    const signingIn = method === 'POST' && path === '/session';
    if (response.status === 401 && !signingIn) hooks.onUnauthorized();
    throw new ApiError(response.status, error.code || `http_${response.status}`,
      error.message || response.statusText || `HTTP ${response.status}`, error.field || null, error);
  }
  if (!background) hooks.onSuccess();
  if (raw) return response;
  const data = response.status === 204 ? null : await response.json();
  return withStatus ? { status: response.status, data } : data;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });

/** Fetch a file the box guards with the token (a PDF, a QR) as a blob: URL. */
export async function blobUrl(path, options = {}) {
  const response = await request('GET', path, { ...options, raw: true });
  const blob = await response.blob();
  return { url: URL.createObjectURL(blob), type: blob.type, size: blob.size };
}

/** A short human sentence for any error thrown by request(). */
export function describe(err) {
  if (err instanceof NetworkError) return 'No connection to the lane box — try again when the Wi-Fi is back.';
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Your session has ended — sign in again.';
    if (err.status === 403) return `Not allowed for your role: ${err.message}`;
    return err.message;
  }
  return String(err && err.message ? err.message : err);
}
