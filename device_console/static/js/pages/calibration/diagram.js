// @ts-check
// Simple vehicle drawings for the calibration steps (SVG, styled by the stylesheet).

/**
 * @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text]
 * @returns {SVGElement}
 */
function svgEl(tag, attrs, text) {
  const el = /** @type {SVGElement} */ (document.createElementNS('http://www.w3.org/2000/svg', tag));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text) el.textContent = text;
  return el;
}

/** Top view, front up, a guide along the front left wheel. @param {SVGElement} svg */
function drawGround(svg) {
  svg.setAttribute('viewBox', '0 0 120 170');
  svg.append(
    svgEl('text', { x: 60, y: 12, 'text-anchor': 'middle', class: 'diag-label' }, 'Front'),
    svgEl('text', { x: 60, y: 166, 'text-anchor': 'middle', class: 'diag-label' }, 'Back'),
    svgEl('rect', { x: 30, y: 22, width: 60, height: 126, rx: 14, class: 'diag-body' }));
  for (const [x, y] of [[14, 34], [94, 34], [14, 110], [94, 110]]) {
    svg.append(svgEl('rect', { x, y, width: 12, height: 26, rx: 3, class: `diag-wheel${y < 60 ? ' front' : ''}` }));
  }
  svg.append(svgEl('line', { x1: 20, y1: 4, x2: 20, y2: 30, class: 'diag-guide' }));
}

/** Forward: the wheels turn clockwise seen from this (left) side. @param {SVGElement} svg @param {number} base */
function drawSpinArrows(svg, base) {
  svg.append(
    svgEl('path', { d: `M ${148 - 22} ${base - 16} A 22 22 0 0 1 ${148 + 15} ${base - 32}`, class: 'diag-arrow' }),
    svgEl('path', { d: `M ${148 + 20} ${base - 28} l -3 -10 l -8 7 z`, class: 'diag-arrow-head' }),
    svgEl('path', { d: `M 176 ${base - 70} h 18 m -6 -5 l 6 5 l -6 5`, class: 'diag-arrow' }));
}

/** Side view, front to the right, on a stand when `lifted`. @param {SVGElement} svg @param {boolean} lifted @returns {number} the wheels' base line */
function drawSide(svg, lifted) {
  svg.setAttribute('viewBox', '0 0 200 130');
  const lift = lifted ? 26 : 0;
  svg.append(
    svgEl('line', { x1: 4, y1: 122, x2: 196, y2: 122, class: 'diag-ground' }),
    svgEl('text', { x: 8, y: 16, class: 'diag-label' }, 'Back'),
    svgEl('text', { x: 192, y: 16, 'text-anchor': 'end', class: 'diag-label' }, 'Front'));
  if (lift) svg.append(svgEl('rect', { x: 70, y: 122 - lift - 2, width: 60, height: lift + 2, rx: 3, class: 'diag-stand' }));
  const base = 122 - lift;
  svg.append(svgEl('rect', { x: 30, y: base - 52, width: 140, height: 30, rx: 10, class: 'diag-body' }));
  for (const cx of [52, 148]) {
    svg.append(svgEl('circle', { cx, cy: base - 16, r: 16, class: `diag-wheel${cx > 100 ? ' front' : ''}` }));
  }
  return base;
}

/**
 * 'ground' (top view), 'raise' (side view on a stand), 'spin' (side view, wheel arrow).
 * @param {'ground' | 'raise' | 'spin'} kind
 */
export function carDiagram(kind) {
  const svg = svgEl('svg', { class: 'car-diagram', 'aria-hidden': 'true' });
  if (kind === 'ground') {
    drawGround(svg);
    return svg;
  }
  const base = drawSide(svg, true);
  if (kind === 'spin') drawSpinArrows(svg, base);
  return svg;
}
