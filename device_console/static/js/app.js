// @ts-check
// Device console single-page app: hash routes (#/control, #/models, #/calibration[/steering|/speed],
// #/settings, #/logs), a side panel / top bar with vehicle status and the emergency stop.

import { h, icon, toast } from './lib/dom.js';
import { buildStatus } from './status.js';
import control from './pages/control/index.js';
import models from './pages/models/index.js';
import calibration from './pages/calibration/index.js';
import settings from './pages/settings/index.js';
import logs from './pages/logs/index.js';
import setup from './pages/setup/index.js';
import { setupWizardState } from './lib/endpoints.js';

/** @typedef {import('./pages/page.js').Page} Page */
/** @typedef {import('./pages/page.js').Unmount} Unmount */
/** @typedef {'control' | 'models' | 'calibration' | 'settings' | 'logs' | 'setup'} PageName */

/** @type {Record<PageName, Page>} */
const PAGES = { control, models, calibration, settings, logs, setup };
/** @type {[Exclude<PageName, 'setup'>, string, string?][]} id, label, short label (phones); the set-up wizard has no tab */
const NAV = [
  ['control', 'Control vehicle', 'Control'],
  ['models', 'Models'],
  ['calibration', 'Calibration'],
  ['settings', 'Settings'],
  ['logs', 'Logs'],
];

/** @param {string} cls @param {boolean} [short] */
function navList(cls, short = false) {
  return h(`nav.${cls}`, { 'aria-label': 'Pages' },
    h('ul', NAV.map(([id, label, shortLabel]) => h('li',
      h('a', { href: `#/${id}`, dataset: { page: id } }, icon(id, 'nav-icon'),
        h('span.nav-label', short && shortLabel ? shortLabel : label))))));
}

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

const content = byId('content');
const nav = { sidebar: navList('nav-side'), top: navList('nav-top', true) };
buildStatus(byId('sidebar'), byId('topbar'), nav);

/**
 * The page shown.
 * @typedef {{name: PageName, sub: string[], unmount?: Unmount, onSubRoute?: (sub: string[]) => void}} Current
 */
/** @type {Current | null} */
let current = null;
let navigating = Promise.resolve();

/** @param {string} name @returns {name is PageName} */
function isPage(name) {
  return Object.hasOwn(PAGES, name);
}

/** @returns {{name: PageName, sub: string[]}} */
function parseHash() {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const name = parts[0] && isPage(parts[0]) ? parts[0] : 'control';
  return { name, sub: parts.slice(1) };
}

/** Marks the page's links as current. @param {PageName} name */
function markNav(name) {
  for (const a of /** @type {NodeListOf<HTMLAnchorElement>} */ (document.querySelectorAll('nav a[data-page]'))) {
    if (a.dataset.page === name) {
      a.setAttribute('aria-current', 'page');
      // Keep the current tab visible in the phone's scrolling tab bar.
      const bar = a.closest('ul');
      if (bar && bar.scrollWidth > bar.clientWidth) bar.scrollLeft = a.offsetLeft - (bar.clientWidth - a.offsetWidth) / 2;
    } else a.removeAttribute('aria-current');
  }
}

/** Mounts a page into a fresh host. @param {PageName} name @param {string[]} sub @returns {Promise<Current>} */
async function mountPage(name, sub) {
  const page = PAGES[name];
  document.title = `${page.title} — DeepRacer`;
  markNav(name);
  document.body.classList.remove('drawer-open');
  document.body.dataset.page = name;
  content.replaceChildren();
  const host = h('div.page', { id: `page-${name}` });
  content.append(host);
  // mount() returns an unmount function, or {unmount, onSubRoute} for pages with sub-routes.
  try {
    const handle = await page.mount(host, { sub });
    if (typeof handle === 'function') return { name, sub, unmount: handle };
    return { name, sub, unmount: handle.unmount, onSubRoute: handle.onSubRoute };
  } catch (err) {
    console.error(err);
    toast(`Could not open ${page.title}: ${/** @type {Error} */ (err).message}`, 'error');
    return { name, sub };
  }
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
  current = await mountPage(name, sub);
  content.focus({ preventScroll: true });
}

/** The first-run wizard opens by itself on a new car (no Wi-Fi, or reached over the USB cable). */
async function firstPage() {
  if (window.location.hash) return;
  let wizard = false;
  try { wizard = (await setupWizardState({ timeout: 4000 })).show; } catch { /* the console opens as usual */ }
  window.history.replaceState(null, '', wizard ? '#/setup' : '#/control');
}

window.addEventListener('hashchange', () => { navigating = navigating.then(route); });
navigating = firstPage().then(route);
