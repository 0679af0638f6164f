// The lane's sync to the port hub, as an officer sees it on the lane screen:
// "ALL SENT TO PORT", or "NOT YET SENT TO PORT: N" while the port's hub lacks some
// of this lane's records (a cut cable, a hub away for days: nothing is lost, it
// waits here). Officers know the port's control room, not "the hub".

import * as api from './api.js';
import { ago } from './format.js';

const POLL_MS = 10_000;

/** What the badge says for a GET /api/v1/sync answer: [class, text, title]. */
export function describeSync(sync) {
  if (!sync.configured) return ['badge-grey', 'NOT LINKED TO PORT', 'This lane has no [upstream] in its config: records stay on the box.'];
  const waiting = sync.backlog || 0;
  const details = [];
  if (sync.state === 'discovering') details.push('looking for the hub on the network');
  if (sync.oldest_unsent_age_s !== null && sync.oldest_unsent_age_s !== undefined) details.push(`oldest waiting ${ago(Date.now() - sync.oldest_unsent_age_s * 1000)}`);
  if (sync.last_success) details.push(`hub last answered ${ago(Date.parse(sync.last_success))}`);
  if (sync.last_error) details.push(`last problem: ${sync.last_error.message}`);
  if (!waiting) return ['badge-ok', 'ALL SENT TO PORT', details.join(' · ')];
  return ['badge-warn', `NOT YET SENT TO PORT: ${waiting}`, details.join(' · ')];
}

/** Keep ``badge`` up to date while the screen shows it; returns the stop function. */
export function watchHub(badge) {
  let timer = null;
  let stopped = false;
  async function refresh() {
    try {
      const [cls, text, title] = describeSync(await api.get('/sync', { background: true }));
      badge.className = `badge ${cls}`;
      badge.textContent = text;
      badge.title = title;
      badge.hidden = false;
    } catch {
      // the box itself is out of reach: the LIVE/NO LINK badge says so already
    }
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
