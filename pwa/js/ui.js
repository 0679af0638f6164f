// Small DOM helpers shared by the screens: building elements, showing an
// error next to the field it is about, a passing message.

import { ApiError, NetworkError, describe } from './api.js';

/** h('button', {class: 'btn', onclick: fn}, 'Text', child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

/** el.append without the "null" text nodes the DOM would make of null. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled field: label, control, hint, and the place for its error. */
export function field(name, labelText, control, { hint = null, id = null } = {}) {
  const controlId = id || `f-${name.replace(/[^a-z0-9]+/gi, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = control.id || controlId;
  if (!control.name) control.name = name;
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: control.id }, labelText),
    control,
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('p', { class: 'field-ok' }),
    h('p', { class: 'field-error', role: 'alert' }));
}

function fieldBox(root, name) {
  if (!name) return null;
  const all = [...root.querySelectorAll('[data-field]')];
  const exact = all.find((el) => el.dataset.field === name);
  if (exact) return exact;
  // "items.1.hs_code" may live on "items.1" or "items"; take the longest match
  const parts = name.split('.');
  for (let n = parts.length - 1; n > 0; n -= 1) {
    const prefix = parts.slice(0, n).join('.');
    const hit = all.find((el) => el.dataset.field === prefix);
    if (hit) return hit;
  }
  return null;
}

/** Once a just-made form is on the page, put the cursor in its first field to type in — unless
 *  it is already somewhere in the form: a tap (or a test's fill) made meanwhile must not be undone. */
export function focusFirstField(form) {
  setTimeout(() => {
    if (form.contains(document.activeElement)) return;
    const first = form.querySelector('input:not([type=radio]):not([type=checkbox]):not([type=file]):not([type=hidden]), select, textarea');
    if (first) first.focus();
  }, 0);
}

/** Show `message` next to field `name` (or clear it with null). */
export function setFieldError(root, name, message) {
  const box = fieldBox(root, name);
  if (!box) return false;
  box.classList.toggle('is-invalid', Boolean(message));
  box.classList.remove('is-valid');
  const slot = box.querySelector(':scope > .field-error') || box.querySelector('.field-error');
  if (slot) slot.textContent = message || '';
  const ok = box.querySelector(':scope > .field-ok');
  if (ok && message) ok.textContent = '';
  box.querySelectorAll('input, select, textarea').forEach((c) => {
    if (message) c.setAttribute('aria-invalid', 'true');
    else c.removeAttribute('aria-invalid');
  });
  return true;
}

export function setFieldOk(root, name, message) {
  const box = fieldBox(root, name);
  if (!box) return;
  box.classList.toggle('is-valid', Boolean(message));
  if (message) box.classList.remove('is-invalid');
  const ok = box.querySelector(':scope > .field-ok');
  if (ok) ok.textContent = message || '';
  if (message) {
    const slot = box.querySelector(':scope > .field-error');
    if (slot) slot.textContent = '';
  }
}

export function formError(root, message) {
  let slot = root.querySelector(':scope > .form-error') || root.querySelector('.form-error');
  if (!slot) {
    slot = h('p', { class: 'form-error', role: 'alert' });
    root.append(slot);
  }
  slot.textContent = message || '';
}

export function clearErrors(root) {
  root.querySelectorAll('.field-error, .form-error').forEach((el) => { el.textContent = ''; });
  root.querySelectorAll('.is-invalid').forEach((el) => el.classList.remove('is-invalid'));
  root.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/** Show an error from the API (or the network) where it belongs: next to
 *  the field it names, else under the form. Returns the message shown. */
export function showError(root, err, fallbackField = null) {
  const message = describe(err);
  if (err instanceof ApiError && (err.field || fallbackField)) {
    const name = err.field || fallbackField;
    const clean = err.field && message.startsWith(`${err.field}: `) ? message.slice(err.field.length + 2) : message;
    if (setFieldError(root, name, clean)) {
      const box = fieldBox(root, name);
      const control = box && box.querySelector('input, select, textarea');
      if (control) control.focus({ preventScroll: false });
      return clean;
    }
  }
  formError(root, message);
  return message;
}

let toastTimer = null;
export function toast(message, { bad = false, ms = 3500 } = {}) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.classList.toggle('is-bad', bad);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}

/** Hold a button while `work` runs (a gloved double tap sends once).
 *  `disabled` is left to the work: it may rightly end disabled. */
export async function busy(button, work) {
  if (button.getAttribute('aria-busy') === 'true') return undefined;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.removeAttribute('aria-busy');
  }
}

/** Editing a field takes its error away (capture phase: a field's own
 *  as-you-type check, on the field itself, runs after and may set a new one). */
export function installErrorClearing() {
  const clear = (event) => {
    const box = event.target && event.target.closest && event.target.closest('[data-field].is-invalid');
    if (!box) return;
    box.classList.remove('is-invalid');
    const slot = box.querySelector('.field-error');
    if (slot) slot.textContent = '';
    box.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  };
  document.addEventListener('input', clear, true);
  document.addEventListener('change', clear, true);
}

export function isNetworkError(err) {
  return err instanceof NetworkError;
}

export function badge(text, kind = 'info') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** Value of a named control in a form, trimmed. */
export function value(root, name) {
  const el = root.querySelector(`[name="${name}"]`);
  return el ? String(el.value).trim() : '';
}
