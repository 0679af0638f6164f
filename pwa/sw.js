/* lanebox officer app — service worker.
 *
 * The app shell (every file the app needs to open) is cached at install,
 * so the app opens at the far end of the lane with no Wi-Fi. Shell files
 * are served cache-first; /api/ and /socket.io/ go to the network only —
 * writes made offline wait in the page's IndexedDB outbox, never here.
 *
 * The box fills in VERSION (a hash of the shell's files, edge/web.py), so
 * any change to the app makes tablets fetch the new shell at their next
 * visit; tests/pwa/test_installable.py checks every file in pwa/ is listed.
 */
const VERSION = 'lanebox-shell-__SHELL_HASH__';
const CACHE_PREFIX = 'lanebox-shell-';

const SHELL = [
  '/',
  '/app/manifest.webmanifest',
  '/app/css/app.css',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/icons/icon-maskable-512.png',
  '/app/js/main.js',
  '/app/js/api.js',
  '/app/js/db.js',
  '/app/js/drafts.js',
  '/app/js/format.js',
  '/app/js/frame_editor.js',
  '/app/js/hub_status.js',
  '/app/js/iso6346.js',
  '/app/js/labels_crypto.js',
  '/app/js/live.js',
  '/app/js/outbox.js',
  '/app/js/reference.js',
  '/app/js/router.js',
  '/app/js/session.js',
  '/app/js/sheet.js',
  '/app/js/justify.js',
  '/app/js/technician.js',
  '/app/js/theme.js',
  '/app/js/tiles.js',
  '/app/js/ui.js',
  '/app/js/screens/calibration.js',
  '/app/js/screens/check.js',
  '/app/js/screens/consultations.js',
  '/app/js/screens/console.js',
  '/app/js/screens/device_form.js',
  '/app/js/screens/device_history.js',
  '/app/js/screens/devices.js',
  '/app/js/screens/duty.js',
  '/app/js/screens/inspection.js',
  '/app/js/screens/inspections.js',
  '/app/js/screens/labels.js',
  '/app/js/screens/lane.js',
  '/app/js/screens/outbox.js',
  '/app/js/screens/radiation.js',
  '/app/js/screens/seizure.js',
  '/app/js/screens/seizure_cen.js',
  '/app/js/screens/vehicles.js',
  '/app/js/screens/verify.js',
  '/app/js/screens/weighing.js',
  '/app/js/sw-shell.js',
  '/vendor/socket.io.min.js',
];

importScripts('/app/js/sw-shell.js');
cacheShell(VERSION, CACHE_PREFIX, SHELL);

function networkOnly(url) {
  return url.pathname.startsWith('/api/') || url.pathname.startsWith('/socket.io/')
    || url.pathname === '/healthz' || url.pathname === '/metrics';
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // network-only: not answered here, the browser goes to the box itself
  if (networkOnly(url) || request.method !== 'GET') return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    // every route of the app is a hash on '/', so any navigation gets the shell
    const key = request.mode === 'navigate' ? '/' : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return fetch(request);
  })());
});
