// How the app looks: Day, Outdoor (high contrast, for sunlight and rain) or
// Night, or Auto (what the tablet asks for: a dark scheme, more contrast).
// The choice is the tablet's, kept in localStorage; the colours themselves
// are CSS custom properties chosen by the `data-look` of <html> (css/app.css).

import { ask } from './sheet.js';
import { h, replace } from './ui.js';

const KEY = 'lanebox.theme';
export const CHOICES = [
  ['auto', 'Auto (as the tablet is set)'],
  ['day', 'Day'],
  ['outdoor', 'Outdoor (high contrast)'],
  ['night', 'Night'],
];
const NAMES = { auto: 'Auto', day: 'Day', outdoor: 'Outdoor', night: 'Night' };
const MORE_CONTRAST = window.matchMedia('(prefers-contrast: more)');
const DARK = window.matchMedia('(prefers-color-scheme: dark)');

/** The officer's choice on this tablet ('auto' until one is made). */
export function choice() {
  const kept = localStorage.getItem(KEY);
  return NAMES[kept] ? kept : 'auto';
}

/** The look Auto comes to: more contrast asked for wins over a dark scheme. */
function auto() {
  if (MORE_CONTRAST.matches) return 'outdoor';
  return DARK.matches ? 'night' : 'day';
}

const listeners = new Set();

function apply() {
  const chosen = choice();
  const look = chosen === 'auto' ? auto() : chosen;
  const root = document.documentElement;
  root.dataset.look = look;
  root.dataset.theme = chosen;
  // the browser's own parts (scroll bars, date pickers) in the same scheme
  document.querySelector('meta[name="color-scheme"]').content = look === 'night' ? 'dark' : 'light';
  listeners.forEach((fn) => fn(chosen, look));
}

export function choose(name) {
  if (!NAMES[name]) return;
  localStorage.setItem(KEY, name);
  apply();
}

/** fn(choice, look) after every change (the tablet's settings included). */
export function onChange(fn) {
  listeners.add(fn);
}

/** The switch: a sheet of big buttons, the current choice marked. */
export async function openSwitch() {
  const now = choice();
  const picked = await ask({
    id: 'theme-sheet', title: 'Display',
    body: [h('p', {}, 'How the screens look on this tablet. Auto follows the tablet\'s own setting (dark, more contrast).')],
    actions: CHOICES.map(([name, text]) => ({
      text: name === now ? `✓ ${text}` : text, kind: name === now ? 'primary' : 'quiet', id: `theme-${name}`, value: name,
    })),
  });
  if (picked) choose(picked);
}

/** Follow the choice now and whenever the tablet's settings change. */
export function start(button) {
  const draw = (chosen, look) => {
    replace(button, h('span', { class: 'theme-word' }, 'Display'), ' ', h('span', {}, NAMES[chosen]));
    button.setAttribute('aria-label', `Display: ${NAMES[chosen]}${chosen === 'auto' ? ` (${NAMES[look]} now)` : ''}`);
  };
  onChange(draw);
  MORE_CONTRAST.addEventListener('change', apply);
  DARK.addEventListener('change', apply);
  button.addEventListener('click', openSwitch);
  apply();
}
