/* The legend: fills, outlines, every entity drawn (switched on, colouring the units, or hit
 * by the answer) and their kinds of member, the units a change of date added, and the
 * selection. Folded to its title on a phone. */
import {ADDED, EXTENT, LINES, MEMBER_KINDS, NO_FILL, OUTSIDE, SELECTED, entitiesDrawn, familyOf,
  memberStyle} from './draw.js';
import {config, entities, map, onPhone} from './page.js';
import {swatch} from './patterns.js';
import {answerLegend} from './questions.js';
import {shapes} from './shapes.js';
import {state} from './state.js';
import {esc, nameOf, t} from './words.js';

const legend = L.control({position: 'bottomright'});
legend.onAdd = () => {
  const box = L.DomUtil.create('details', 'atlas-legend');
  box.open = !onPhone();
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  box.addEventListener('toggle', () => map.fire('atlas:panel'));
  return box;
};
legend.addTo(map);

const row = (key, label) => `<li>${key} ${esc(label)}</li>`;
const legendRow = (style, label) => row(swatch(style), label);
const fillRow = (fillColor, label) => legendRow({color: LINES.units.color, weight: 1,
  fillColor}, label);

function fillRows() {
  const rows = state.colour === 'province'
    ? Object.entries(config.provinces).map(([name, {colour, en}]) => fillRow(colour,
      state.lang === 'en' ? en : name))
    : [...new Set([...shapes.units.features.values()].flatMap(familyOf))].map((e) => fillRow(
      e.colour, nameOf(e))).concat(fillRow(NO_FILL, t('notMember')));
  if (config.home.entity) {
    if (state.colour === 'province') rows.push(fillRow(OUTSIDE.fillColor, t('outside')));
    rows.push(legendRow(EXTENT, nameOf(entities.get(config.home.entity))));
  }
  return rows;
}

function entityRows() {
  const kinds = new Set();
  const rows = entitiesDrawn().map((id) => {
    shapes.platforms.features.get(id).properties.members.forEach((m) => kinds.add(m.kind));
    const {colour} = entities.get(id);
    return legendRow({color: colour, weight: 3, fillColor: colour, fillOpacity: 0.45},
      nameOf(entities.get(id)));
  });
  return [...rows, ...MEMBER_KINDS.filter((kind) => kinds.has(kind)).map(
    (kind) => legendRow(memberStyle(kind, '#555555'), `${t('memberKind')}: ${t(kind)}`))];
}

export function renderLegend() {
  const rows = [...fillRows(), legendRow({...LINES.units, fill: false}, t('units')),
    ...[...state.outlines].map((name) => legendRow({...LINES[name], fill: false}, t(name))),
    ...entityRows(), ...answerLegend().map(([key, label]) => row(key, label))];
  if (Object.values(state.added).some((units) => units.length)) {
    rows.push(legendRow({color: ADDED, weight: 3, fill: false}, t('added')));
  }
  if (state.selection) rows.push(legendRow({color: SELECTED, weight: 3, fill: false},
    t('selected')));
  const box = legend.getContainer();
  box.innerHTML = `<summary>${t('legend')}</summary><ul>${rows.join('')}</ul>`;
}
