// Hash routes: '#/inspections/ID' → a screen's render(view, params, query).
// A screen returns a cleanup function, run when the officer leaves it.

const routes = [];
let view = null;
let cleanup = null;
let fallback = '/lane';
let rendering = 0;
let shown = null; // the hash of the screen on show
let guard = null;

/** While a screen holds changes not yet recorded, leaving it asks first:
 *  `question()` returns what to ask, or null. Returns the way to lift it. */
export function guardLeaving(question) {
  guard = question;
  return () => { if (guard === question) guard = null; };
}

function onHashChange() {
  if (location.hash === shown) return; // put back after "stay"
  const question = guard && guard();
  if (question && !window.confirm(question)) {
    location.hash = shown;
    return;
  }
  render();
}

/** route('/inspections/:id', render, 'inspections') — `nav` marks the tab. */
export function route(pattern, render, nav = null) {
  const names = [];
  const regex = new RegExp(`^${pattern.replace(/:[a-z_]+/gi, (m) => { names.push(m.slice(1)); return '([^/]+)'; })}$`);
  routes.push({ regex, names, render, nav });
}

export function go(path) {
  const target = `#${path}`;
  if (location.hash === target) render();
  else location.hash = target;
}

/** Draw the current screen again (after signing in, say). */
export function refresh() {
  render();
}

function parse() {
  const hash = location.hash.replace(/^#/, '') || fallback;
  const [path, search = ''] = hash.split('?');
  return { path, query: new URLSearchParams(search) };
}

async function render() {
  const { path, query } = parse();
  shown = location.hash;
  const token = ++rendering;
  for (const r of routes) {
    const match = r.regex.exec(path);
    if (!match) continue;
    const params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    if (cleanup) {
      try { cleanup(); } catch (err) { console.error(err); }
      cleanup = null;
    }
    guard = null;
    document.querySelectorAll('[data-nav]').forEach((a) => {
      if (a.dataset.nav === r.nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    view.replaceChildren();
    view.scrollTop = 0;
    window.scrollTo(0, 0);
    try {
      const result = await r.render(view, params, query);
      if (token !== rendering) {
        if (typeof result === 'function') result();
        return;
      }
      cleanup = typeof result === 'function' ? result : null;
    } catch (err) {
      console.error(err);
      view.replaceChildren(Object.assign(document.createElement('p'), { className: 'banner banner-bad', textContent: `This screen failed: ${err.message}` }));
    }
    return;
  }
  go(fallback);
}

export function start(viewElement, defaultPath = '/lane') {
  view = viewElement;
  fallback = defaultPath;
  window.addEventListener('hashchange', onHashChange);
  render();
}
