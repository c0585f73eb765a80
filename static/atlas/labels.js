/* Place names on the map: provinces and prefectures, county-level units where they fit, and
 * the names of the entities drawn, each at its label point (webmap.labels). DOM text in a
 * pane of its own (selectable, searchable, read by screen readers), with a halo; placed in
 * screen space, the more important first, and a name that would overlap one already
 * placed, the panel or a control is dropped rather than drawn over it. */
import {config, el, entities, map} from './page.js';
import {inExtent} from './view.js';
import {answerShapes} from './questions.js';
import {shapes} from './shapes.js';
import {state} from './state.js';
import {esc, nameOf} from './words.js';

const pane = map.createPane('labels');
pane.style.zIndex = 440; // above the drawn shapes, below tooltips and popups
pane.style.pointerEvents = 'none';
pane.setAttribute('role', 'list');

/** Font size (px) and weight of each level; the most important first. */
const LEVELS = {entity: [14, 700], provinces: [17, 700], cities: [13, 700], units: [12, 400]};
const GAP = 3; // px kept free around every name
const ENTITY_MARK = 8; // px of an entity name's coloured bar (atlas.css)
const context = document.createElement('canvas').getContext('2d');
let family = null;

/** The width in px of ``text`` in the label font of ``level``. */
function textWidth(text, level) {
  family ??= getComputedStyle(document.body).fontFamily;
  const [size, weight] = LEVELS[level];
  context.font = `${weight} ${size}px ${family}`;
  return context.measureText(text).width;
}

/** Metres per screen pixel at ``lat`` and the map's zoom (Web Mercator). */
const metresPerPixel = (lat) => 40075016.686 * Math.cos(lat * Math.PI / 180)
  / 2 ** (map.getZoom() + 8);

/** Whether a unit is large enough on screen to hold its name: it fits "from the zoom
 *  where it fits" rather than at every zoom the collision test would allow. */
function fitsInUnit(adcode, lat, width, height) {
  const area = shapes.units.features.get(adcode)?.properties.area_km2;
  if (!area) return false;
  const pixels = (area * 1e6) / metresPerPixel(lat) ** 2;
  return pixels >= 2.5 * width * height;
}

/** The names that may be written, most important first: the entities drawn (switched on
 *  or in the answer), then the provinces, the prefectures and the units (largest first). */
function candidates() {
  const ids = new Set([...state.on, ...answerShapes().filter((s) => s.collection
    === 'platforms' && s.relation !== 'subject').map((s) => s.id)]);
  const drawn = [...ids].filter((id) => shapes.platforms.features.has(id)
    && entities.get(id).label).map((id) => {
    const entity = entities.get(id);
    return {level: 'entity', id, text: nameOf(entity), lon: entity.label[0],
            lat: entity.label[1], colour: entity.colour};
  });
  const zoom = map.getZoom();
  const places = config.labels.filter(([level]) => (level === 'provinces' ? zoom < 9
    : level === 'cities' ? zoom < 11 : true)).map(([level, id, zh, en, lon, lat]) => ({
    level, id, text: state.lang === 'en' ? en : zh, lon, lat}));
  return [...drawn, ...places];
}

const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
  && b.top < a.bottom;

/** What names must not cover, in the map's container coordinates: the panel and the
 *  map's controls. */
function obstacles() {
  const origin = map.getContainer().getBoundingClientRect();
  const boxes = [el('panel'), ...map.getContainer().querySelectorAll('.leaflet-control')]
    .map((node) => node.getBoundingClientRect()).filter((r) => r.width && r.height);
  return boxes.map((r) => ({left: r.left - origin.left, right: r.right - origin.left,
                            top: r.top - origin.top, bottom: r.bottom - origin.top}));
}

/** Where a name may go around its point, in its own widths and heights: an entity's or a
 *  province's may move aside (their areas are large), a smaller place's stays on its point. */
const ASIDE = [[0, 0], [0, -1], [0, 1], [-0.6, 0], [0.6, 0], [0, -2], [0, 2]];
const SHIFTS = {entity: ASIDE, provinces: ASIDE, other: [[0, 0]]};

/** The box of ``label`` written at ``point`` shifted by ``[dx, dy]`` of its size. */
function boxAt(label, point, [dx, dy]) {
  const [fontSize] = LEVELS[label.level];
  const width = textWidth(label.text, label.level) + 2 * GAP
    + (label.level === 'entity' ? ENTITY_MARK : 0);
  const height = fontSize * 1.3 + 2 * GAP;
  const x = point.x + dx * width;
  const y = point.y + dy * height;
  return {left: x - width / 2, right: x + width / 2, top: y - height / 2,
          bottom: y + height / 2};
}

/** Choose the names to write: each at its point (an entity's near it), unless it would
 *  leave the map, cover an obstacle or a name already chosen, or (a unit's) not fit in
 *  its unit. */
function place() {
  const size = map.getSize();
  const taken = obstacles();
  const inside = (box) => box.left >= 0 && box.top >= 0 && box.right <= size.x
    && box.bottom <= size.y;
  const chosen = [];
  for (const label of candidates()) {
    const point = map.latLngToContainerPoint([label.lat, label.lon]);
    const box = (SHIFTS[label.level] ?? SHIFTS.other).map((shift) => boxAt(label, point, shift))
      .find((b) => inside(b) && !taken.some((other) => overlaps(b, other)));
    if (!box) continue;
    if (label.level === 'units' && !fitsInUnit(label.id, label.lat, box.right - box.left,
      box.bottom - box.top)) continue;
    taken.push(box);
    chosen.push({...label, box});
  }
  return chosen;
}

/** Write the names that fit the current view (again after every move, zoom or redraw). */
export function placeLabels() {
  const origin = map.containerPointToLayerPoint([0, 0]);
  pane.innerHTML = place().map(({level, id, text, colour, box}) => `<span role="listitem" `
    + `class="atlas-label atlas-label-${level}${level === 'units' && !inExtent(id)
      ? ' atlas-label-outside' : ''}" data-id="${esc(id)}" style="left:`
    + `${(box.left + GAP + origin.x).toFixed(1)}px;top:${(box.top + GAP + origin.y).toFixed(1)}px`
    + `${colour ? `;border-color:${colour}` : ''}">${esc(text)}</span>`).join('');
  pane.classList.remove('atlas-moving');
}

// Names stay put while the map zooms (the pane is not scaled), so they hide until placed.
map.on('zoomstart', () => pane.classList.add('atlas-moving'));
map.on('resize atlas:panel', placeLabels); // after a move, update() draws and places them
