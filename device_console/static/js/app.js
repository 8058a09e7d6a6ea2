// Device console single-page app: hash routes (#/control, #/models, #/calibration[/steering|/speed],
// #/settings, #/logs), a side panel / top bar with vehicle status and the emergency stop.

import { h, icon, toast } from './lib/dom.js';
import { buildStatus } from './status.js';
import control from './pages/control/index.js';
import models from './pages/models/index.js';
import calibration from './pages/calibration/index.js';
import settings from './pages/settings/index.js';
import logs from './pages/logs/index.js';

const PAGES = { control, models, calibration, settings, logs };
const NAV = [
  ['control', 'Control vehicle', 'Control'],
  ['models', 'Models'],
  ['calibration', 'Calibration'],
  ['settings', 'Settings'],
  ['logs', 'Logs'],
];

function navList(cls, short = false) {
  return h(`nav.${cls}`, { 'aria-label': 'Pages' },
    h('ul', NAV.map(([id, label, shortLabel]) => h('li',
      h('a', { href: `#/${id}`, dataset: { page: id } }, icon(id, 'nav-icon'),
        h('span.nav-label', short && shortLabel ? shortLabel : label))))));
}

const content = document.getElementById('content');
const nav = { sidebar: navList('nav-side'), top: navList('nav-top', true) };
buildStatus(document.getElementById('sidebar'), document.getElementById('topbar'), nav);

let current = null;      // {name, sub, unmount}
let navigating = Promise.resolve();

function parseHash() {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const name = PAGES[parts[0]] ? parts[0] : 'control';
  return { name, sub: parts.slice(1) };
}

async function route() {
  const { name, sub } = parseHash();
  if (current && current.name === name && current.onSubRoute) {
    current.sub = sub;
    current.onSubRoute(sub);
    return;
  }
  if (current && current.unmount) {
    try { await current.unmount(); } catch (err) { console.error(err); }
  }
  const page = PAGES[name];
  document.title = `${page.title} — DeepRacer`;
  for (const a of document.querySelectorAll('nav a[data-page]')) {
    if (a.dataset.page === name) {
      a.setAttribute('aria-current', 'page');
      // Keep the current tab visible in the phone's scrolling tab bar.
      const bar = a.closest('ul');
      if (bar && bar.scrollWidth > bar.clientWidth) bar.scrollLeft = a.offsetLeft - (bar.clientWidth - a.offsetWidth) / 2;
    } else a.removeAttribute('aria-current');
  }
  document.body.classList.remove('drawer-open');
  document.body.dataset.page = name;
  content.replaceChildren();
  const host = h('div.page', { id: `page-${name}` });
  content.append(host);
  // mount() returns an unmount function, or {unmount, onSubRoute} for pages with sub-routes.
  let handle = null;
  try {
    handle = await page.mount(host, { sub });
  } catch (err) {
    console.error(err);
    toast(`Could not open ${page.title}: ${err.message}`, 'error');
  }
  const unmount = typeof handle === 'function' ? handle : handle && handle.unmount;
  const onSubRoute = handle && typeof handle === 'object' ? handle.onSubRoute : null;
  current = { name, sub, page, unmount, onSubRoute };
  content.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => { navigating = navigating.then(route); });
if (!window.location.hash) window.history.replaceState(null, '', '#/control');
navigating = navigating.then(route);
