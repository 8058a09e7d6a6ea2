// @ts-check
// A corrupt calibration.json: the car drives on the defaults until the user recalibrates. The banner
// says so while GET /api/calibration_file_status reports the file unusable.

import { h } from '../../lib/dom.js';
import { calibrationFileStatus } from '../../lib/endpoints.js';

/** @returns {{element: HTMLElement, check: () => Promise<void>}} the banner (hidden) and its refresh */
export function fileBanner() {
  const element = h('div.warning#calibration-file-banner', { role: 'alert', hidden: true });
  const check = async () => {
    let status = null;
    try { status = await calibrationFileStatus(); } catch { status = null; }
    const broken = Boolean(status && status.file_ok === false);
    element.hidden = !broken;
    if (status && broken) {
      element.replaceChildren(`⚠ ${status.message}`,
        h('div.small.muted#calibration-file-reason', { style: { fontWeight: 'normal' } }, String(status.reason || '')));
    }
  };
  return { element, check };
}
