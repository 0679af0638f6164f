// The board as a wall screen: a kiosk mode (fullscreen, no chrome, larger
// type), light and dark themes, and a new critical alarm heard (a tone made
// with Web Audio, so there is no file to fetch) and shown as a desktop
// notification — unless muted, and the mute is itself always on screen.
// Each choice is kept in this browser's localStorage.

import * as feed from './feed.js';

const KEYS = { muted: 'lanebox.board.muted', theme: 'lanebox.board.theme' };
let audio = null;

function stored(key, fallback) {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // a private window: the choice lasts as long as the page
  }
}

export const isMuted = () => stored(KEYS.muted, '0') === '1';

function showMute(button) {
  const muted = isMuted();
  button.setAttribute('aria-pressed', String(muted));
  button.textContent = muted ? 'Sound off' : 'Sound on';
  button.classList.toggle('is-muted', muted);
  button.title = muted ? 'Critical alarms are silent: press to hear them' : 'Press to silence critical alarms';
}

/** Two short high tones, repeated: a critical alarm. */
function tone() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = audio || new Context();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  const start = audio.currentTime;
  for (let i = 0; i < 4; i += 1) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = i % 2 ? 660 : 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.25);
    osc.stop(start + i * 0.25 + 0.2);
  }
}

function notify(alarm) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    new Notification(`CRITICAL: ${alarm.label} at ${alarm.lane}`, { body: (alarm.detail && alarm.detail.message) || '', tag: `alarm-${alarm.id}` });
  } catch {
    // some browsers only notify from a service worker; the sound and the strip remain
  }
}

/** A new alarm reached the board: a critical one is heard and notified unless muted. */
export function announce(alarm) {
  if ((alarm.severity || feed.severityOf(alarm.kind)) !== 'critical' || isMuted()) return;
  tone();
  notify(alarm);
}

function askToNotify() {
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
}

function applyTheme(button) {
  const theme = stored(KEYS.theme, 'dark');
  document.documentElement.dataset.theme = theme;
  button.textContent = theme === 'dark' ? 'Light' : 'Dark';
  button.title = `Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`;
}

/** Wall mode is in the page's address (?wall=1), so a kiosk browser opens straight into it. */
const inWall = () => new URLSearchParams(window.location.search).get('wall') === '1';

function setWall(on) {
  const url = new URL(window.location.href);
  if (on) url.searchParams.set('wall', '1');
  else url.searchParams.delete('wall');
  window.history.replaceState(null, '', url);
  document.documentElement.classList.toggle('is-wall', on);
  if (on && document.documentElement.requestFullscreen && !document.fullscreenElement) {
    document.documentElement.requestFullscreen().catch(() => {});
  } else if (!on && document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  }
}

export function mount() {
  const mute = document.getElementById('mute');
  const theme = document.getElementById('theme');
  const wall = document.getElementById('wall');
  showMute(mute);
  mute.addEventListener('click', () => {
    store(KEYS.muted, isMuted() ? '0' : '1');
    showMute(mute);
    if (!isMuted()) askToNotify();
  });
  applyTheme(theme);
  theme.addEventListener('click', () => {
    store(KEYS.theme, stored(KEYS.theme, 'dark') === 'dark' ? 'light' : 'dark');
    applyTheme(theme);
  });
  document.documentElement.classList.toggle('is-wall', inWall());
  const showWall = () => { wall.textContent = inWall() ? 'Leave wall screen' : 'Wall screen'; };
  showWall();
  wall.addEventListener('click', () => {
    askToNotify();
    setWall(!inWall());
    showWall();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && inWall() && !document.querySelector('dialog[open]')) {
      setWall(false);
      showWall();
    }
  });
  feed.subscribe((type, alarm) => { if (type === 'raised') announce(alarm); });
}
