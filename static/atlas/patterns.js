/* SVG fills made once and shared: hatching for partial members, stripes that let several
 * entities show side by side in one unit, and the small keys of the legend and lists. */

const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.setAttribute('class', 'atlas-patterns');
svg.setAttribute('aria-hidden', 'true');
svg.innerHTML = '<defs></defs>';
document.body.append(svg);

/** The band width of stripes, in screen pixels. */
const BAND = 6;

function pattern(id, width, content, angle = 45) {
  if (!document.getElementById(id)) {
    svg.firstChild.insertAdjacentHTML('beforeend', `<pattern id="${id}" width="${width}" `
      + `height="${width}" patternUnits="userSpaceOnUse" patternTransform="rotate(${angle})">`
      + `${content}</pattern>`);
  }
  return `url(#${id})`;
}

/** The fill of a partial member drawn alone: hatching in ``colour``. */
export const hatch = (colour) => pattern(`atlas-hatch-${colour.slice(1)}`, 7,
  `<rect width="7" height="7" fill="${colour}" fill-opacity="0.12"/>`
  + `<line x1="0" y1="0" x2="0" y2="7" stroke="${colour}" stroke-width="3"/>`);

/** The fill of the ``index``-th of ``count`` entities drawn over one another: a stripe in
 *  its own lane, so every entity a unit belongs to shows; ``weight`` (0–1) thins it
 *  (partial members), ``opacity`` lightens it (named ones). */
export const lane = (colour, index, count, weight = 1, opacity = 0.8) => pattern(
  `atlas-lane-${colour.slice(1)}-${index}-${count}-${Math.round(weight * 100)}-`
  + `${Math.round(opacity * 100)}`, BAND * count,
  `<rect x="${BAND * index}" width="${BAND * weight}" height="${BAND * count}" `
  + `fill="${colour}" fill-opacity="${opacity}"/>`);

/** A fill showing all of ``colours`` as equal stripes (one colour: that colour). */
export function mix(colours) {
  if (colours.length === 1) return colours[0];
  return pattern(`atlas-mix-${colours.map((c) => c.slice(1)).join('-')}`,
    BAND * colours.length, colours.map((c, i) => `<rect x="${BAND * i}" width="${BAND}" `
      + `height="${BAND * colours.length}" fill="${c}"/>`).join(''));
}

/** A small SVG key drawn in a Leaflet path style. */
export function swatch(style) {
  const fill = style.fill === false ? 'none' : style.fillColor ?? style.color;
  return '<svg class="atlas-key" width="26" height="14" aria-hidden="true"><rect x="1" y="1" '
    + `width="24" height="12" fill="${fill}" fill-opacity="${style.fillOpacity ?? 1}" `
    + `stroke="${style.color}" stroke-width="${Math.min(style.weight, 3)}" `
    + `stroke-dasharray="${style.dashArray ?? ''}"/></svg>`;
}

/** The fill of an uncertain member (the texts may mean it): question marks in ``colour``. */
export const queried = (colour) => pattern(`atlas-query-${colour.slice(1)}`, 16,
  `<text x="4" y="12" font-size="11" font-weight="700" fill="${colour}">?</text>`, 0);
