/* lanebox — what both service workers do with their app shell: the officer
 * app's (/sw.js) and the control-room board's (/board/sw.js) load this with
 * importScripts, each then handling fetches its own way.
 *
 * Install caches the whole shell (cache: 'reload' skips the HTTP cache, so
 * it takes what the server serves now) and takes over at once; activate
 * drops this app's caches of other versions. The version carries a hash of
 * the shell, filled in by the server, so a changed app is a new cache.
 */

/* exported cacheShell */
function cacheShell(version, prefix, shell) {
  self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
      const cache = await caches.open(version);
      await cache.addAll(shell.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })());
  });

  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(prefix) && name !== version)
        .map((name) => caches.delete(name)));
      await self.clients.claim();
    })());
  });
}
