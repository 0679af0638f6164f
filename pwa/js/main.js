// Start-up: wire session, API, live link, outbox and screens together.

import * as api from './api.js';
import * as session from './session.js';
import * as live from './live.js';
import * as outbox from './outbox.js';
import * as router from './router.js';
import { loadLane } from './reference.js';
import { h, installErrorClearing, replace, toast } from './ui.js';
import * as laneScreen from './screens/lane.js';
import * as inspectionsScreen from './screens/inspections.js';
import * as inspectionScreen from './screens/inspection.js';
import * as seizureScreen from './screens/seizure.js';
import * as labelsScreen from './screens/labels.js';
import * as verifyScreen from './screens/verify.js';
import * as dutyScreen from './screens/duty.js';
import * as outboxScreen from './screens/outbox.js';
import * as devicesScreen from './screens/devices.js';
import * as deviceForm from './screens/device_form.js';
import * as consoleScreen from './screens/console.js';
import * as calibrationScreen from './screens/calibration.js';
import * as checkScreen from './screens/check.js';
import * as historyScreen from './screens/device_history.js';
import * as weighingScreen from './screens/weighing.js';
import * as consultationsScreen from './screens/consultations.js';
import { isSupervisor, isTechnician } from './technician.js';
import * as theme from './theme.js';

api.configure({
  token: () => session.token(),
  onUnauthorized: () => session.expire(),
  onSuccess: () => outbox.flushSoon(),
});

router.route('/lane', laneScreen.render, 'lane');
router.route('/inspections', inspectionsScreen.renderList, 'inspections');
router.route('/inspections/new', inspectionsScreen.renderStart, 'inspections');
router.route('/inspections/:id', inspectionScreen.render, 'inspections');
router.route('/inspections/:id/seize', seizureScreen.renderNew, 'inspections');
router.route('/inspections/:id/duty', dutyScreen.render, 'duty');
router.route('/seizures/:id', seizureScreen.render, 'inspections');
router.route('/seizures/:id/labels', labelsScreen.render, 'inspections');
router.route('/verify', verifyScreen.render, 'inspections');
router.route('/duty', dutyScreen.render, 'duty');
router.route('/outbox', outboxScreen.render, null);
router.route('/weighing', weighingScreen.renderNew, 'weighing');
router.route('/weighings/:id', weighingScreen.render, 'weighing');
router.route('/consultations', consultationsScreen.render, 'consultations'); // supervisors: the box refuses the others
// the technician's screens (technicians and supervisors: the screens and the box check the role)
Object.entries({
  '': devicesScreen, '/new': deviceForm, '/:id/edit': deviceForm, '/:id/console': consoleScreen,
  '/:id/calibrate': calibrationScreen, '/:id/check': checkScreen, '/:id/history': historyScreen,
}).forEach(([path, screen]) => router.route(`/devices${path}`, screen.render, 'devices'));

// ----- the header: who is signed in, what waits to be sent --------------
const mark = document.getElementById('outbox-mark');
const userButton = document.getElementById('user-button');

// what was kept on the tablet and has now reached the box is said, so the officer need not wonder
let held = false; // something waited while the box was out of reach
let delivered = 0; // of it, how much the box has since taken
let last = { waiting: 0, rejected: 0 };
let sentTimer = null;

async function drawMark() {
  const { waiting, rejected } = await outbox.summary();
  const online = api.isReachable();
  if (!online && waiting) held = true;
  if (held) delivered += Math.max(0, (last.waiting - waiting) - Math.max(0, rejected - last.rejected));
  last = { waiting, rejected };
  const parts = [];
  // no network at all, or a network without the box (it is down, or the Wi-Fi is not the lane's)
  if (!online) parts.push(`${navigator.onLine === false ? 'offline' : 'box unreachable'} — ${waiting} waiting`);
  else if (waiting) parts.push(`sending — ${waiting} waiting`);
  if (rejected) parts.push(`${rejected} not accepted`);
  if (held && online && !waiting) {
    if (delivered) {
      clearTimeout(sentTimer);
      mark.dataset.sent = `${delivered} change${delivered === 1 ? '' : 's'} sent ✓`;
      sentTimer = setTimeout(() => { delete mark.dataset.sent; drawMark(); }, 8000);
    }
    held = false;
    delivered = 0;
  }
  if (!parts.length && mark.dataset.sent) parts.push(mark.dataset.sent);
  // the slot keeps its place when there is nothing to say: the header never jumps
  const quiet = parts.length === 0;
  mark.classList.toggle('is-quiet', quiet);
  mark.setAttribute('aria-hidden', String(quiet));
  mark.tabIndex = quiet ? -1 : 0;
  mark.textContent = parts.join(' · ');
  mark.classList.toggle('is-sending', online && waiting > 0 && !rejected);
  mark.classList.toggle('is-sent', Boolean(mark.dataset.sent) && !waiting && !rejected);
  mark.classList.toggle('has-rejected', rejected > 0);
  mark.dataset.waiting = String(waiting);
  mark.dataset.online = String(online);
  mark.title = online ? 'Writes waiting to reach the lane box' : 'No connection to the lane box: writes are kept on this tablet';
}

function drawUser() {
  const s = session.current();
  userButton.hidden = !s;
  replace(userButton, s ? [h('span', { class: 'user-name' }, s.username), ' ', h('span', {}, 'Sign out')] : []);
  document.querySelector('[data-nav="devices"]').hidden = !isTechnician(); // officers never see the device screens
  document.querySelector('[data-nav="consultations"]').hidden = !isSupervisor(); // the log's review is a supervisor's
}

userButton.addEventListener('click', async () => {
  const { waiting } = await outbox.summary();
  const who = session.username();
  if (waiting && !window.confirm(`${waiting} write${waiting === 1 ? '' : 's'} still waiting. They stay on this tablet and are sent when ${who} signs in again. Sign out?`)) return;
  await session.signOut();
  drawUser();
  router.go('/lane');
});

session.setWaitingDescriber(async () => {
  const { waiting } = await outbox.summary();
  return waiting ? `${waiting} write${waiting === 1 ? '' : 's'} waiting to be sent are kept` : '';
});

outbox.onChange(drawMark);
window.addEventListener('online', () => api.probe()); // the network is back: is the box?
api.onReachability(() => {
  drawMark();
  if (api.isReachable()) outbox.flush(); // the box is back: what waited goes now
});

async function showLaneName() {
  const lane = await loadLane({ signedIn: session.isSignedIn() });
  const name = lane ? `${lane.id}` : '';
  document.getElementById('lane-name').textContent = name;
  document.getElementById('signin-lane').textContent = name ? `— ${name}` : '';
  if (lane && lane.name) document.title = `lanebox — ${lane.name}`;
}

let started = false;
function startScreens() {
  if (started) return;
  started = true;
  router.start(document.getElementById('view'), '/lane');
}

window.addEventListener('lanebox:signedin', () => {
  drawUser();
  live.connect(session.token());
  outbox.flush();
  showLaneName();
  if (!started) startScreens();
  else toast(`Signed in as ${session.username()}`);
});
window.addEventListener('lanebox:expired', drawUser);
window.addEventListener('lanebox:signedout', () => {
  drawUser();
  live.disconnect();
});
window.addEventListener('lanebox:rejected', (event) => {
  toast(`Not accepted by the box: ${event.detail.entry.label} — ${event.detail.entry.error.message}`, { bad: true, ms: 6000 });
});
live.subscribe((type) => {
  // the live link's own heartbeat lost (or found) the box: ask it at once rather than wait for a write
  if (type === 'link') api.probe();
  if (type === 'unauthorized' && session.isSignedIn()) {
    // the socket refused the token: check it with a request (401 → overlay)
    api.get('/session').catch(() => {});
  }
});

async function main() {
  theme.start(document.getElementById('theme-button'));
  installErrorClearing();
  session.mount();
  await outbox.init({ user: () => (session.isSignedIn() ? session.username() : null) });
  drawUser();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err) => console.warn('service worker not registered', err));
  }
  if (session.isSignedIn()) {
    live.connect(session.token());
    startScreens();
    showLaneName();
    api.get('/session').catch(() => {}); // a 401 here brings the sign-in overlay
  } else {
    showLaneName();
    session.showOverlay(session.current() && session.current().expired ? 'expired' : 'signin');
    if (session.current()) startScreens(); // expired: the page and its work stay behind the overlay
  }
  drawMark();
  api.probe();
}

main();
