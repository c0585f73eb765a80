/* Drawing on the map: units coloured by province or family, outlines, the members of the
 * entities switched on, and on top the answer to a question and the selection. */
import {config, el, entities, isRoot, map} from './page.js';
import {shapes} from './shapes.js';
import {OUTLINES, state} from './state.js';
import {esc, nameOf, t} from './words.js';

export const RELATION_COLOURS = {borders: '#1f77b4', covers: '#2ca02c', within: '#9467bd',
                                 overlaps: '#ff7f0e', member: '#d62728', unitHit: '#d62728'};
export const SELECTED = '#ffd400';
export const NO_FILL = '#f2f2f2';
export const LINES = {units: {color: '#8c8c8c', weight: 0.6},
                      cities: {color: '#4d4d4d', weight: 1.4},
                      provinces: {color: '#1a1a1a', weight: 2.6}};
export const MEMBER_STYLES = {
  whole: (c) => ({color: c, weight: 1, fillColor: c, fillOpacity: 0.45}),
  part: (c) => ({color: c, weight: 1.6, dashArray: '6 4', fillColor: hatch(c), fillOpacity: 1}),
  named: (c) => ({color: c, weight: 1.6, dashArray: '1 4', fillColor: c, fillOpacity: 0.15}),
};
export const SUBJECT = {color: '#000', weight: 2.5, dashArray: '8 5', fill: false};
/** The style of an answer's hit by its relation. */
export const hitStyle = (relation) => ({color: RELATION_COLOURS[relation], weight: 3,
  fillColor: RELATION_COLOURS[relation], fillOpacity: 0.18});

// -- panes, groups, patterns --------------------------------------------------------------
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
const patterns = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
patterns.setAttribute('class', 'atlas-patterns');
patterns.innerHTML = '<defs></defs>';
document.body.append(patterns);

/** The fill of a partial member: hatching in ``colour`` (an SVG pattern, made once). */
function hatch(colour) {
  const id = `atlas-hatch-${colour.slice(1)}`;
  if (!document.getElementById(id)) {
    patterns.firstChild.insertAdjacentHTML('beforeend',
      `<pattern id="${id}" width="7" height="7" patternUnits="userSpaceOnUse" `
      + 'patternTransform="rotate(45)">'
      + `<rect width="7" height="7" fill="${colour}" fill-opacity="0.12"/>`
      + `<line x1="0" y1="0" x2="0" y2="7" stroke="${colour}" stroke-width="3"/></pattern>`);
  }
  return `url(#${id})`;
}

// -- units and outlines ---------------------------------------------------------------------
/** A unit's fill: its province's colour, or that of its entity in the chosen family. */
export function unitFill(feature) {
  if (state.colour === 'province') return config.provinces[feature.properties.province].colour;
  const inFamily = feature.properties.entities.map((id) => entities.get(id))
    .filter((e) => e && e.family === state.colour);
  const entity = inFamily.find(isRoot) ?? inFamily[0];
  return entity ? entity.colour : NO_FILL;
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
    const unit = L.polygon(shapes.units.latLngs(adcode), {...LINES.units,
      fillColor: unitFill(feature), fillOpacity: 0.75, className: `atlas-unit u-${adcode}`});
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
}

// -- entities -------------------------------------------------------------------------------
function drawEntities() {
  groups.entities.clearLayers();
  for (const id of state.on) {
    const feature = shapes.platforms.features.get(id);
    if (!feature) continue; // not in force on the chosen date
    const {colour} = entities.get(id);
    for (const {adcode, kind} of feature.properties.members) {
      L.polygon(shapes.units.latLngs(adcode), {...MEMBER_STYLES[kind](colour),
        interactive: false, pane: 'entities',
        className: `atlas-member e-${id} u-${adcode} kind-${kind}`}).addTo(groups.entities);
    }
    L.polygon(shapes.platforms.latLngs(id), {color: colour, weight: 3, fill: false,
      interactive: false, pane: 'entities', className: `atlas-outline e-${id}`})
      .addTo(groups.entities);
  }
}

// -- the answer and the selection, on top ---------------------------------------------------
const LEVELS = {unit: 'units', city: 'cities', province: 'provinces'};

/** What the answer draws: [collection, id, relation] of each hit and of the subject. */
export function answerShapes() {
  const {answer} = state;
  if (!answer || answer.error) return [];
  const drawn = answer.hits.map((hit) => (hit.adcode
    ? ['units', hit.adcode, 'unitHit']
    : ['platforms', hit.id, hit.relation ?? 'member']));
  if (answer.place) drawn.push([LEVELS[answer.place.level], answer.place.adcode, 'subject']);
  if (answer.entity) drawn.push(['platforms', answer.entity.id, 'subject']);
  return drawn;
}

function outline(collection, id, style, className) {
  const latLngs = shapes[collection].latLngs(id);
  return latLngs && L.polygon(latLngs, {interactive: false, pane: 'highlight', ...style,
    className}).addTo(groups.highlight);
}

function drawHighlights() {
  groups.highlight.clearLayers();
  for (const [collection, id, relation] of answerShapes()) {
    const style = relation === 'subject' ? SUBJECT : hitStyle(relation);
    const key = collection === 'units' ? `u-${id}` : `e-${id}`;
    outline(collection, id, style, `atlas-hit hit-${relation} ${key}`);
  }
  if (state.selection) {
    const {collection, id} = state.selection;
    outline(collection, id, {color: SELECTED, weight: 5, fill: false},
      `atlas-selected s-${id}`);
  }
}

/** Draw everything the state asks for (the features are fetched). */
export function draw() {
  drawUnits();
  drawOutlines();
  drawEntities();
  drawHighlights();
}

// -- fitting the view ---------------------------------------------------------------------
/** Fitting options that keep shapes clear of the panel (beside it, or below on a phone). */
export function fitOptions() {
  const panel = el('panel').getBoundingClientRect();
  const beside = panel.right < map.getSize().x / 2;
  return {maxZoom: 10, paddingBottomRight: [20, 20],
          paddingTopLeft: beside ? [panel.right + 20, 20] : [20, panel.bottom + 20]};
}

/** Fit the view to the shapes of ``items`` ([collection, id] pairs) that are fetched. */
export function fitTo(items) {
  const bounds = L.latLngBounds([]);
  for (const [collection, id] of items) {
    const latLngs = shapes[collection].latLngs(id);
    if (latLngs) bounds.extend(L.polygon(latLngs).getBounds());
  }
  if (bounds.isValid()) map.fitBounds(bounds, fitOptions());
}
