/* Drawing on the map: units coloured by province or family (outside the planning extent
 * muted), outlines, the members of the entities switched on (several at once each in its
 * own stripe lane, so a unit shows every entity it belongs to), and on top the answer to a
 * question, the units a change of date added, and the selection; then the place names. */
import {placeLabels} from './labels.js';
import {config, entities, isRoot, map} from './page.js';
import {hatch, lane, mix, queried} from './patterns.js';
import {answerShapes} from './questions.js';
import {shapes} from './shapes.js';
import {OUTLINES, state} from './state.js';
import {inExtent} from './view.js';
import {esc, nameOf, t} from './words.js';

export const SELECTED = '#ffd400';
export const ADDED = '#d81b60';
export const NO_FILL = '#f2f2f2';
export const LINES = {units: {color: '#8c8c8c', weight: 0.6},
                      cities: {color: '#4d4d4d', weight: 1.4},
                      provinces: {color: '#1a1a1a', weight: 2.6}};
export const EXTENT = {color: '#7a1f1f', weight: 3, fill: false};
export const OUTSIDE = {fillColor: '#e6e6e6', fillOpacity: 0.7};

/** How a member of each kind is drawn: alone (the entity is the only one drawn), or as
 *  the ``index``-th of ``count`` entities drawn together (a stripe lane of its own). */
const KINDS = {whole: {dash: null, weight: 1, lane: 1, opacity: 0.8},
               part: {dash: '6 4', weight: 1.6, lane: 0.45, opacity: 0.8},
               named: {dash: '1 4', weight: 1.6, lane: 0.45, opacity: 0.35},
               uncertain: {dash: '2 4 8 4', weight: 1.6, lane: 0.3, opacity: 0.5}};
const ALONE = {whole: (c) => ({fillColor: c, fillOpacity: 0.45}),
               part: (c) => ({fillColor: hatch(c), fillOpacity: 1}),
               named: (c) => ({fillColor: c, fillOpacity: 0.15}),
               uncertain: (c) => ({fillColor: queried(c), fillOpacity: 1})};

/** The style of a member of ``kind`` in ``colour``. */
export function memberStyle(kind, colour, index = 0, count = 1) {
  const how = KINDS[kind] ?? KINDS.named;
  const fill = count === 1 ? (ALONE[kind] ?? ALONE.named)(colour)
    : {fillColor: lane(colour, index, count, how.lane, how.opacity), fillOpacity: 1};
  return {color: colour, weight: how.weight, dashArray: how.dash, ...fill};
}
export const MEMBER_KINDS = Object.keys(KINDS);

// -- panes, groups --------------------------------------------------------------------------
['outlines', 'entities', 'highlight'].forEach((name, i) => {
  const pane = map.createPane(name);
  pane.style.zIndex = 410 + 10 * i;
  pane.style.pointerEvents = 'none';
});
export const groups = {units: L.featureGroup(), cities: L.featureGroup(),
                       provinces: L.featureGroup(), entities: L.featureGroup(),
                       highlight: L.featureGroup()};
Object.values(groups).forEach((group) => group.addTo(map));
groups.units.bindTooltip((unit) => unitTooltip(unit.feature), {sticky: true});

// -- units and outlines ---------------------------------------------------------------------
/** The root entities of the chosen family ``feature``'s unit belongs to. */
export const familyOf = (feature) => feature.properties.entities.map((id) => entities.get(id))
  .filter((e) => e && e.family === state.colour && isRoot(e));

/** A unit's fill: its province's colour, or those of all its entities heading a tree in
 *  the chosen family (stripes when several). */
export function unitFill(feature) {
  if (state.colour === 'province') return config.provinces[feature.properties.province].colour;
  const colours = familyOf(feature).map((e) => e.colour);
  return colours.length ? mix(colours) : NO_FILL;
}

function unitTooltip(feature) {
  const p = feature.properties;
  const names = p.platforms.map((id) => esc(nameOf(entities.get(id))));
  return `<b>${esc(p.name)}</b> · ${esc(p.city)}<br>${t('platforms')}: `
    + (names.join('、') || t('nothing'));
}

export function drawUnits() {
  groups.units.clearLayers();
  for (const [adcode, feature] of shapes.units.features) {
    const away = !inExtent(adcode);
    const fill = away && state.colour === 'province' ? OUTSIDE
      : {fillColor: unitFill(feature), fillOpacity: 0.75};
    const unit = L.polygon(shapes.units.latLngs(adcode), {...LINES.units, ...fill,
      className: `atlas-unit u-${adcode}${away ? ' atlas-outside' : ''}`});
    unit.feature = feature;
    groups.units.addLayer(unit);
  }
}

function drawOutlines() {
  for (const name of OUTLINES) {
    groups[name].clearLayers();
    if (!state.outlines.has(name)) continue;
    for (const id of shapes[name].features.keys()) {
      L.polygon(shapes[name].latLngs(id), {...LINES[name], fill: false, interactive: false,
        pane: 'outlines', className: `atlas-${name}`}).addTo(groups[name]);
    }
  }
  const extent = config.home.entity && shapes.extent.latLngs(config.home.entity);
  if (extent) {
    L.polygon(extent, {...EXTENT, interactive: false, pane: 'outlines',
      className: 'atlas-extent'}).addTo(groups.provinces);
  }
}

// -- entities -------------------------------------------------------------------------------
/** The entities switched on that are in force on the chosen date, in drawing order. */
export const entitiesDrawn = () => [...state.on].filter((id) => shapes.platforms.features
  .has(id));

function drawEntities() {
  groups.entities.clearLayers();
  const drawn = entitiesDrawn();
  drawn.forEach((id, index) => {
    const {colour} = entities.get(id);
    for (const {adcode, kind} of shapes.platforms.features.get(id).properties.members) {
      L.polygon(shapes.units.latLngs(adcode), {...memberStyle(kind, colour, index,
        drawn.length), interactive: false, pane: 'entities',
      className: `atlas-member e-${id} u-${adcode} kind-${kind}`}).addTo(groups.entities);
    }
  });
  // Outlines nested: the first drawn widest, underneath, so shared borders show them all.
  const step = Math.min(2, 12 / drawn.length); // px between nested outlines
  drawn.forEach((id, index) => {
    L.polygon(shapes.platforms.latLngs(id), {color: entities.get(id).colour,
      weight: 2 + step * (drawn.length - 1 - index), fill: false, interactive: false,
      pane: 'entities', className: `atlas-outline e-${id}`}).addTo(groups.entities);
  });
}

// -- the answer, the added units and the selection, on top ----------------------------------
function outline(collection, id, style, className) {
  const latLngs = shapes[collection].latLngs(id);
  return latLngs && L.polygon(latLngs, {interactive: false, pane: 'highlight', ...style,
    className}).addTo(groups.highlight);
}

function drawHighlights() {
  groups.highlight.clearLayers();
  for (const {collection, id, relation, style} of answerShapes()) {
    const key = collection === 'units' ? `u-${id}` : `e-${id}`;
    outline(collection, id, style, `atlas-hit hit-${relation} ${key}`);
  }
  for (const [entity, adcodes] of Object.entries(state.added)) {
    adcodes.forEach((adcode) => outline('units', adcode, {color: ADDED, weight: 4,
      fill: false}, `atlas-added e-${entity} u-${adcode}`));
  }
  if (state.selection) {
    const {collection, id} = state.selection;
    outline(collection, id, {color: SELECTED, weight: 5, fill: false},
      `atlas-selected s-${id}`);
  }
}

/** Draw everything the state asks for (the features are fetched), then the names. */
export function draw() {
  drawUnits();
  drawOutlines();
  drawEntities();
  drawHighlights();
  placeLabels();
}
