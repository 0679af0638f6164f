// The control-room board: sign in, load every lane and alarm, follow the
// hub's /board feed, and route between the screens (hash routes, so the
// service worker serves one shell for all of them).

import * as api from '/app/js/api.js';
import * as session from './session.js';
import * as feed from './feed.js';
import { mountStrip } from './alarms.js';
import * as lanes from './lanes.js';
import * as lane from './lane.js';
import * as search from './search.js';
import * as caseView from './case.js';
import * as consultations from './consultations.js';
import * as metrics from './metrics.js';
import * as wall from './wall.js';
import { screen as verifyScreen } from '/app/js/screens/verify.js';
import { h, replace } from '/app/js/ui.js';

const view = document.getElementById('view');
// the tablets' label check, with every lane's key as the hub has them (kept for a day with no hub)
const verify = verifyScreen('/hub/lane-keys', 'the hub');
let leave = null;

function route() {
  if (leave) leave();
  leave = null;
  const [path, query = ''] = window.location.hash.replace(/^#/, '').split('?');
  const params = Object.fromEntries(new URLSearchParams(query));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const screen = parts[0] || 'lanes';
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === screen) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (screen === 'lanes') leave = lanes.render(view);
  else if (screen === 'lane') leave = lane.render(view, parts[1]);
  else if (screen === 'search') search.render(view, params);
  else if (screen === 'case') caseView.render(view, parts[1], parts[2]);
  else if (screen === 'metrics') metrics.render(view, params);
  else if (screen === 'verify') verify(replace(view));
  else if (screen === 'consultations') consultations.render(view, params);
  else replace(view, h('p', {}, 'No such screen.'));
}

function showLink({ up, detail }) {
  const el = document.getElementById('link');
  el.textContent = detail;
  el.classList.toggle('is-down', !up);
}

function tickClock() {
  document.getElementById('clock').textContent = new Date().toLocaleTimeString('en-GB');
}

async function start() {
  // first: a board that has never signed in must still open offline next time
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/board/sw.js', { scope: '/board/' }).catch(() => {});
  wall.mount();
  session.mount();
  api.configure({ token: session.token, onUnauthorized: session.expire });
  const who = await session.signedIn();
  const user = document.getElementById('user');
  user.hidden = false;
  // who, over what the button does: never cut off to "sign …" on a narrow bar
  replace(user, h('span', { class: 'user-name' }, who.username), h('span', {}, 'Sign out'));
  user.title = `${who.username} (${who.role})`;
  user.addEventListener('click', session.signOut);
  document.querySelector('[data-nav="consultations"]').hidden = !session.isSupervisor(); // the log's review is a supervisor's
  feed.subscribe((type, payload) => { if (type === 'link') showLink(payload); });
  mountStrip();
  try {
    await feed.load();
  } catch (err) {
    if (!(err instanceof api.ApiError && err.status === 401)) showLink({ up: false, detail: 'NO LINK TO HUB' });
  }
  feed.connect(session.token(), session.expire);
  window.addEventListener('hashchange', route);
  route();
  tickClock();
  setInterval(tickClock, 1000);
}

start();
