/* The panel's layer list: the outlines, and the entities family by family as trees, each
 * with its count of member units on the chosen date. */
import {config, el, entities, isRoot} from './page.js';
import {shapes} from './shapes.js';
import {OUTLINES, state} from './state.js';
import {esc, nameOf, t} from './words.js';

/** The entities of ``family`` as [entity, depth] pairs, each tree depth first. */
function entityTree(family) {
  const inFamily = config.entities.filter((e) => e.family === family);
  const children = (parent) => inFamily.filter((e) => e.parent === parent);
  const walk = (entity, depth) => [[entity, depth],
    ...children(entity.id).flatMap((child) => walk(child, depth + 1))];
  return inFamily.filter(isRoot).flatMap((root) => walk(root, 0));
}

/** Member units of each entity on the chosen date, counted from the units' tags. */
export function memberCounts() {
  const counts = new Map();
  for (const feature of shapes.units.features.values()) {
    feature.properties.entities.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
  }
  return counts;
}

function entityCheckbox([entity, depth], counts) {
  const count = counts.get(entity.id);
  const label = `<small>(${count ?? t('notInForce')})</small>`;
  return `<label class="atlas-layer depth-${depth}" title="${esc(nameOf(entity))}">`
    + `<input type="checkbox" data-entity="${entity.id}"${state.on.has(entity.id)
      ? ' checked' : ''}${count ? '' : ' disabled'}>`
    + `<span class="atlas-swatch" style="background:${entity.colour}"></span>`
    + `${esc(nameOf(entity))} ${label}</label>`;
}

/** The layer groups shown unfolded: the boundaries, and every family a layer is on in. */
const unfolded = new Set(['boundaries']);
export const unfold = (ids) => ids.forEach((id) => unfolded.add(entities.get(id).family));

export function renderLayers() {
  const counts = memberCounts();
  const outlines = [...OUTLINES].reverse().map((name) => '<label class="atlas-layer">'
    + `<input type="checkbox" data-outline="${name}"${state.outlines.has(name)
      ? ' checked' : ''}>${t(name)}</label>`).join(''); // the coarser first
  const group = (family, content) => `<details data-family="${family}"`
    + `${unfolded.has(family) ? ' open' : ''}><summary>${t(family)}</summary>${content}`
    + '</details>';
  el('layers').innerHTML = group('boundaries', outlines) + config.families.map((family) => group(
    family, entityTree(family).map((item) => entityCheckbox(item, counts)).join(''))).join('');
}

el('layers').addEventListener('toggle', (event) => {
  const {family} = event.target.dataset;
  if (event.target.open) unfolded.add(family);
  else unfolded.delete(family);
}, true);
