// @ts-check
// Which browser console the car serves at / (GET /api/console_ui): this built-in one, or a UI
// installed with `deepracer console-ui install`. Switching takes effect at the next page load; this
// built-in console stays reachable at /builtin/ whichever is active.

import { card, facts, h, setText } from '../../lib/dom.js';
import { BUILTIN_UI, chooseConsoleUi, consoleUi } from '../../lib/endpoints.js';
import { errorText, message, resultLine } from './fields.js';

/** @typedef {import('../../lib/endpoints.js').ConsoleUi} ConsoleUi */
/** @typedef {import('../../lib/endpoints.js').InstalledUi} InstalledUi */

/** @param {InstalledUi} ui */
const describe = (ui) => `${ui.name}${ui.installed_at ? ` (${new Date(ui.installed_at * 1000).toLocaleString()})` : ''}`;

export function consoleUiCard() {
  const active = h('span#ui-active', '—');
  const installedName = h('span#ui-installed', '—');
  const builtinUrl = h('a#ui-builtin-url', { href: BUILTIN_UI }, BUILTIN_UI);
  const result = resultLine('ui-result');
  const toBuiltin = h('button.btn#ui-use-builtin', { type: 'button', hidden: true }, 'Use the built-in console');
  const toInstalled = h('button.btn#ui-use-installed', { type: 'button', hidden: true }, 'Use the installed console');
  /** @param {ConsoleUi} d */
  const show = (d) => {
    const installed = d.active === 'installed' && d.installed ? d.installed : null;
    const kept = installed || d.inactive;
    setText(active, installed ? 'The installed console' : 'This built-in console');
    active.dataset.state = installed ? 'installed' : 'builtin';
    setText(installedName, kept ? `${describe(kept)}${installed ? '' : ', not in use'}` : 'None');
    toBuiltin.hidden = !installed;
    toInstalled.hidden = Boolean(installed) || !d.inactive;
    if (d.builtin_url) { builtinUrl.href = d.builtin_url; setText(builtinUrl, d.builtin_url); }
  };
  const refresh = async () => {
    try { show(await consoleUi()); } catch (err) { setText(active, errorText(err)); }
  };
  /** @param {'builtin' | 'installed'} ui */
  const choose = async (ui) => {
    toBuiltin.disabled = true; toInstalled.disabled = true;
    try {
      show(await chooseConsoleUi(ui));
      message(result, true, ui === 'builtin'
        ? 'The car now serves the built-in console at /.'
        : 'The car now serves the installed console at / (this built-in one stays at /builtin/).');
    } catch (err) { message(result, false, errorText(err)); }
    toBuiltin.disabled = false; toInstalled.disabled = false;
  };
  toBuiltin.addEventListener('click', () => choose('builtin'));
  toInstalled.addEventListener('click', () => choose('installed'));
  refresh();
  return card('Console UI', { id: 'console-ui-card' },
    h('p.hint', 'Another browser console (for example the community console) can be installed on the car with ',
      h('code', 'deepracer console-ui install'), '. This built-in console stays available at ', builtinUrl, '.'),
    facts([['Served at /', active], ['Installed UI', installedName]]),
    h('div.row', toBuiltin, toInstalled), result);
}
