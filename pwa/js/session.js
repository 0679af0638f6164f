// Who is signed in. Signing in, signing out, and the overlay that comes
// back when the session expires — over the page, so the unsaved form and
// the outbox stay as they are. A badge scanned on the lane's barcode
// reader while the sign-in form shows stands in for the username: the box
// sends a one-time code (never the name), which signs in with the password.

import * as api from './api.js';
import { forget as forgetReasons } from './justify.js';
import { clearErrors, setFieldError, formError, showError } from './ui.js';

const KEY = 'lanebox.session';

let state = load(); // {token, username, role, expires_at, expired?}
let overlayMode = null; // null | 'signin' | 'expired'
let describeWaiting = async () => '';

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function save() {
  if (state) localStorage.setItem(KEY, JSON.stringify(state));
  else localStorage.removeItem(KEY);
}

function announce(name, detail = {}) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

export function current() {
  return state;
}

/** The bearer token while the session is good, else null. */
export function token() {
  return state && !state.expired ? state.token : null;
}

/** Whose work this tablet holds (kept across an expired session). */
export function username() {
  return state ? state.username : null;
}

export function isSignedIn() {
  return Boolean(token());
}

export async function signIn(name, password) {
  const data = await api.request('POST', '/session', { body: { username: name, password }, token: null });
  return signedIn(data, name);
}

/** Sign in with the one-time code of a scanned badge (see listenForBadges). */
export async function signInWithBadge(code, password) {
  return signedIn(await api.request('POST', '/session/badge', { body: { badge: code, password }, token: null }));
}

function signedIn(data, name) {
  // reasons given are the user's own: someone else signing in at an expired session is asked afresh
  if (state && state.username !== (data.username || name)) forgetReasons();
  state = { token: data.token, username: data.username || name, role: data.role, expires_at: data.expires_at || null };
  save();
  hideOverlay();
  announce('lanebox:signedin', { ...state });
  return state;
}

export async function signOut() {
  if (token()) {
    try {
      await api.request('DELETE', '/session');
    } catch {
      // offline or already expired: the token dies with its TTL on the box
    }
  }
  state = null;
  save();
  forgetReasons(); // the next one to sign in gives reasons of their own
  announce('lanebox:signedout');
  showOverlay('signin');
}

/** A request came back 401: the token is dead. Keep the page and the
 *  outbox; ask for the password again over the page. */
export function expire() {
  if (!state) {
    showOverlay('signin');
    return;
  }
  if (!state.expired) {
    state = { ...state, expired: true, token: null };
    save();
    announce('lanebox:expired');
  }
  showOverlay('expired');
}

/** A sentence for the overlay on what is being kept. */
export function setWaitingDescriber(fn) {
  describeWaiting = fn;
}

function overlay() {
  return document.getElementById('signin');
}

export function overlayShowing() {
  return overlayMode !== null;
}

export async function showOverlay(mode) {
  const el = overlay();
  const form = document.getElementById('signin-form');
  const wasShowing = overlayMode;
  overlayMode = mode;
  listenForBadges();
  el.hidden = false;
  el.classList.toggle('is-expired', mode === 'expired');
  document.getElementById('view').toggleAttribute('inert', true);
  const user = form.elements.username;
  if (mode === 'expired') {
    const waiting = await describeWaiting();
    modeNote = `Your session has ended. Sign in again to carry on — what you were doing stays on screen${waiting ? `, and ${waiting}` : ''}.`;
    if (!user.value && state) user.value = state.username;
  } else {
    modeNote = '';
  }
  renderNote();
  if (!wasShowing) {
    form.elements.password.value = '';
    clearErrors(form);
    (user.value ? form.elements.password : user).focus();
  }
}

function hideOverlay() {
  stopListeningForBadges();
  overlayMode = null;
  overlay().hidden = true;
  document.getElementById('view').removeAttribute('inert');
}

/** While the sign-in form shows, listen on the box's /badge channel: it
 *  announces only scans that are an enabled user's badge (no token needed),
 *  each as a one-time code, so that nobody else listening learns whose badge
 *  it was. The form offers the badge only while that channel is open, so a
 *  scan is never asked for when nothing would hear it. */
let badgeSocket = null;
let badgeReady = false;
let badgeCode = null; // the code of the badge scanned, until used or a username is typed
let modeNote = '';

function renderNote() {
  const hint = badgeCode ? 'Badge scanned: enter your password.'
    : badgeReady ? 'Scan your badge on the lane\'s barcode reader, or type your username.'
    : 'Type your username and password.';
  document.getElementById('signin-note').textContent = modeNote ? `${modeNote} ${hint}` : hint;
}

function listenForBadges() {
  if (badgeSocket || typeof window.io !== 'function') return;
  badgeSocket = window.io('/badge', { transports: ['websocket', 'polling'], tryAllTransports: true });
  badgeSocket.on('connect', () => { badgeReady = true; renderNote(); });
  badgeSocket.on('disconnect', () => { badgeReady = false; renderNote(); });
  badgeSocket.on('badge', ({ badge }) => {
    if (!overlayMode || typeof badge !== 'string') return;
    const form = document.getElementById('signin-form');
    badgeCode = badge;
    form.elements.username.value = '';
    form.elements.username.placeholder = 'Badge scanned';
    setFieldError(form, 'username', null);
    renderNote();
    form.elements.password.focus();
  });
}

function forgetBadge() {
  badgeCode = null;
  document.getElementById('signin-form').elements.username.placeholder = '';
}

function stopListeningForBadges() {
  if (badgeSocket) badgeSocket.disconnect();
  badgeSocket = null;
  badgeReady = false;
  forgetBadge();
}

export function mount() {
  const form = document.getElementById('signin-form');
  form.elements.username.addEventListener('input', () => { forgetBadge(); renderNote(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const name = form.elements.username.value.trim();
    const password = form.elements.password.value;
    const code = name ? null : badgeCode;
    let bad = false;
    if (!name && !code) { setFieldError(form, 'username', 'Enter your username, or scan your badge.'); bad = true; }
    if (!password) { setFieldError(form, 'password', 'Enter your password.'); bad = true; }
    if (bad) return;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      if (code) {
        forgetBadge(); // one attempt per scan, right or wrong
        await signInWithBadge(code, password);
      } else {
        await signIn(name, password);
      }
    } catch (err) {
      renderNote();
      if (err instanceof api.ApiError && err.code === 'badge_expired') setFieldError(form, 'username', 'That badge scan has run out: scan it again, or type your username.');
      else if (err instanceof api.ApiError && err.status === 401) setFieldError(form, 'password', 'Wrong username or password.');
      else if (err instanceof api.ApiError && err.status === 429) formError(form, err.message);
      else showError(form, err);
      form.elements.password.select();
    } finally {
      button.disabled = false;
    }
  });
}
