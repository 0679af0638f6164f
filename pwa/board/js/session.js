// Who is signed in at the board: the hub session in localStorage, the
// sign-in overlay, and what to do when the hub says the token is dead.
// (The officer app's session.js also listens for badges on the lane's
// barcode reader; a control room has none, so the board keeps its own.)

import * as api from '/app/js/api.js';
import { forget as forgetReasons } from '/app/js/justify.js';
import { clearErrors, setFieldError, formError } from '/app/js/ui.js';

const KEY = 'lanebox.board.session';
let state = load();
let expired = false; // a session died under a running board: start afresh after sign-in
const waiting = [];

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

export function current() {
  return state;
}

export function token() {
  return state ? state.token : null;
}

export function isSupervisor() {
  return Boolean(state && state.role === 'supervisor');
}

/** Resolves once someone is signed in (at once if already). */
export function signedIn() {
  if (state) return Promise.resolve(state);
  showOverlay();
  return new Promise((resolve) => waiting.push(resolve));
}

/** The hub refused the token: forget it and ask again. */
export function expire() {
  expired = true;
  state = null;
  localStorage.removeItem(KEY);
  showOverlay();
}

export async function signOut() {
  try {
    await api.request('DELETE', '/session');
  } catch {
    // expired or unreachable: the token dies with its TTL at the hub
  }
  forgetReasons(); // the reload forgets them too; said here so no later change keeps them for the next user
  expire();
  window.location.reload();
}

function showOverlay() {
  document.getElementById('signin').hidden = false;
  document.getElementById('view').toggleAttribute('inert', true);
  document.getElementById('signin-username').focus();
}

function hideOverlay() {
  document.getElementById('signin').hidden = true;
  document.getElementById('view').removeAttribute('inert');
}

export function mount() {
  const form = document.getElementById('signin-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username || !password) {
      if (!username) setFieldError(form, 'username', 'Enter your username.');
      if (!password) setFieldError(form, 'password', 'Enter your password.');
      return;
    }
    try {
      const data = await api.request('POST', '/session', { body: { username, password }, token: null });
      state = { token: data.token, username: data.username, role: data.role };
      localStorage.setItem(KEY, JSON.stringify(state));
      form.elements.password.value = '';
      if (expired) {
        window.location.reload();
        return;
      }
      hideOverlay();
      waiting.splice(0).forEach((resolve) => resolve(state));
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 401) setFieldError(form, 'password', 'Wrong username or password.');
      else formError(form, err instanceof api.NetworkError ? 'The hub cannot be reached.' : err.message);
    }
  });
}
