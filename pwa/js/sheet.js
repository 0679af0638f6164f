// A sheet over the screen (a modal <dialog>) that asks the officer before
// something is recorded: whose reading it is, or a review before an outcome.
// Big buttons; Cancel is the default, so a stray tap records nothing.

import { h } from './ui.js';

/**
 * Open a sheet; resolves with the action's value, or null when cancelled.
 * `actions`: [{text, value (or a function giving it), kind: 'go'|'warn'|'danger'|'primary', id, check}] —
 * `check()` may return a message (shown, sheet stays open) or null to go on.
 */
export function ask({ title, body = [], actions, id = 'sheet', cancelText = 'Cancel' }) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const cancel = h('button', { class: 'btn btn-block', type: 'button', id: `${id}-cancel` }, cancelText);
    const buttons = actions.map((action) => h('button', {
      class: `btn btn-big btn-block ${action.kind ? `btn-${action.kind}` : 'btn-primary'}`, type: 'button',
      id: action.id || null,
      onclick: () => {
        const problem = action.check ? action.check() : null;
        error.textContent = problem || '';
        if (!problem) close(typeof action.value === 'function' ? action.value() : action.value);
      },
    }, action.text));
    const heading = h('h2', { id: `${id}-title` }, title);
    const dialog = h('dialog', { class: 'ask-sheet', id, 'aria-labelledby': `${id}-title` },
      heading, h('div', { class: 'ask-sheet-body' }, body), h('div', { class: 'ask-sheet-actions' }, error, buttons, cancel));
    function close(value) {
      dialog.close();
      dialog.remove();
      resolve(value);
    }
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
