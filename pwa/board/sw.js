/* lanebox control-room board — service worker.
 *
 * Caches the board's shell at install so it opens when the hub restarts or
 * the control room's network blinks; /api/ and /socket.io/ always go to the
 * hub (a board shows live state, never a cached one). The hub fills in the
 * shell's hash (sync/hub_web.py), so a changed board is picked up at once.
 */
const VERSION = 'lanebox-board-__SHELL_HASH__';
const CACHE_PREFIX = 'lanebox-board-';

const SHELL = [
  '/board/',
  '/board/manifest.webmanifest',
  '/board/board.css',
  '/board/js/main.js',
  '/board/js/session.js',
  '/board/js/feed.js',
  '/board/js/alarms.js',
  '/board/js/lanes.js',
  '/board/js/lane.js',
  '/board/js/search.js',
  '/board/js/case.js',
  '/board/js/consultations.js',
  '/board/js/metrics.js',
  '/board/js/chart.js',
  '/board/js/wall.js',
  '/app/js/api.js',
  '/app/js/ui.js',
  '/app/js/sheet.js',
  '/app/js/justify.js',
  '/app/js/format.js',
  '/app/js/sw-shell.js',
  '/app/js/db.js',
  '/app/js/labels_crypto.js',
  '/app/js/screens/verify.js',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/icons/icon-maskable-512.png',
  '/vendor/socket.io.min.js',
];

importScripts('/app/js/sw-shell.js');
cacheShell(VERSION, CACHE_PREFIX, SHELL);

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== 'GET') return;
  if (!SHELL.includes(url.pathname) && request.mode !== 'navigate') return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    const hit = await cache.match(request.mode === 'navigate' ? '/board/' : request, { ignoreSearch: true });
    return hit || fetch(request);
  })());
});
