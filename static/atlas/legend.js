/* The legend: fills, outlines, the entities drawn and their kinds of member, the answer's
 * relations and the selection. */
import {LINES, MEMBER_STYLES, NO_FILL, SELECTED, SUBJECT, answerShapes, hitStyle, unitFill}
  from './draw.js';
import {config, entities, isRoot, map} from './page.js';
import {shapes} from './shapes.js';
import {state} from './state.js';
import {esc, nameOf, t} from './words.js';

const legend = L.control({position: 'bottomright'});
legend.onAdd = () => L.DomUtil.create('div', 'atlas-legend');
legend.addTo(map);

/** A small SVG key drawn in a Leaflet path style. */
function swatch(style) {
  const fill = style.fill === false ? 'none' : style.fillColor ?? style.color;
  return '<svg class="atlas-key" width="26" height="14"><rect x="1" y="1" width="24" '
    + `height="12" fill="${fill}" fill-opacity="${style.fillOpacity ?? 1}" `
    + `stroke="${style.color}" stroke-width="${Math.min(style.weight, 3)}" `
    + `stroke-dasharray="${style.dashArray ?? ''}"/></svg>`;
}
const legendRow = (style, label) => `<li>${swatch(style)} ${esc(label)}</li>`;
const fillRow = (fillColor, label) => legendRow({color: LINES.units.color, weight: 1,
  fillColor}, label);

function fillRows() {
  if (state.colour === 'province') {
    return Object.entries(config.provinces).map(([name, {colour, en}]) => fillRow(colour,
      state.lang === 'en' ? en : name));
  }
  const fills = new Set([...shapes.units.features.values()].map(unitFill));
  const shown = config.entities.filter((e) => e.family === state.colour && isRoot(e)
    && fills.has(e.colour));
  return [...shown.map((e) => fillRow(e.colour, nameOf(e))), fillRow(NO_FILL, t('notMember'))];
}

function entityRows() {
  const rows = [];
  const kinds = new Set();
  for (const id of state.on) {
    const feature = shapes.platforms.features.get(id);
    if (!feature) continue;
    feature.properties.members.forEach((m) => kinds.add(m.kind));
    rows.push(legendRow({color: entities.get(id).colour, weight: 3, fill: false},
      nameOf(entities.get(id))));
  }
  return [...rows, ...Object.keys(MEMBER_STYLES).filter((kind) => kinds.has(kind)).map(
    (kind) => legendRow(MEMBER_STYLES[kind]('#555555'), `${t('memberKind')}: ${t(kind)}`))];
}

export function renderLegend() {
  const rows = [...fillRows(), legendRow({...LINES.units, fill: false}, t('units')),
    ...[...state.outlines].map((name) => legendRow({...LINES[name], fill: false}, t(name))),
    ...entityRows()];
  new Set(answerShapes().map(([, , relation]) => relation)).forEach((relation) => rows.push(
    relation === 'subject' ? legendRow({...SUBJECT, dashArray: '4 3'}, t('subject'))
      : legendRow(hitStyle(relation), t(relation))));
  if (state.selection) rows.push(legendRow({color: SELECTED, weight: 3, fill: false},
    t('selected')));
  legend.getContainer().innerHTML = `<h2>${t('legend')}</h2><ul>${rows.join('')}</ul>`;
}
