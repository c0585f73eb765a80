/* Bringing the map and the panel up to the state: fetch what is needed, draw, record. */
import {resolutionAt} from './api.js';
import {draw} from './draw.js';
import {renderLayers} from './layers.js';
import {renderLegend} from './legend.js';
import {config, el, map, notify} from './page.js';
import {answerShapes} from './questions.js';
import {placeLabels} from './labels.js';
import {arrivals, shapes, show} from './shapes.js';
import {state, writeFragment} from './state.js';
import {renderSummary} from './summary.js';
import {fitTo} from './view.js';
import {t} from './words.js';

/** The entities drawn from the platforms collection: layers on, answer, selection. */
const platformIds = () => [...state.on,
  ...answerShapes().filter((s) => s.collection === 'platforms').map((s) => s.id),
  ...(state.selection?.collection === 'platforms' ? [state.selection.id] : [])];

/** Fetch what drawing the state needs: the features (again after a change of date or
 *  datum), the platforms if one is drawn, and finer geometry of the view when zoomed in. */
async function fetchNeeded(resolution) {
  await Promise.all([shapes.units, shapes.cities, shapes.provinces,
    ...(config.home.entity ? [shapes.extent] : [])].map((s) => s.ensure()));
  if (platformIds().length) await shapes.platforms.ensure();
  if (resolution === 'overview') return;
  const bounds = map.getBounds().pad(0.5);
  const platforms = platformIds().filter((id) => shapes.platforms.features.has(id));
  await Promise.all([shapes.units.refine(resolution, bounds),
    ...[...state.outlines].map((name) => shapes[name].refine(resolution, bounds)),
    platforms.length ? shapes.platforms.refine(resolution, bounds, platforms) : null]);
}

let updates = 0;
let drawn = null; // the resolution and the arrivals count of the last drawing
/** Bring the map and the panel up to the state, then record the state in the URL. After a
 *  pan or a zoom (``moving``) only the names are placed anew unless the resolution changed or
 *  finer geometry arrived. */
export async function update({moving = false} = {}) {
  const call = ++updates;
  const resolution = resolutionAt(map.getZoom());
  try {
    await fetchNeeded(resolution);
  } catch (error) {
    notify(t('failed') + error.message);
    return;
  }
  if (call !== updates) return; // a later update draws
  if (moving && drawn?.resolution === resolution && drawn.arrivals === arrivals) {
    placeLabels();
    writeFragment();
    return;
  }
  show(resolution);
  draw();
  drawn = {resolution, arrivals};
  renderLayers();
  renderSummary();
  renderLegend();
  el('export-selection').disabled = !state.selection;
  writeFragment();
}

/** Select a feature (highlighted, offered for export) and zoom to it unless ``zoom`` is
 *  false. */
export async function select(collection, id, zoom = true) {
  state.selection = {collection, id};
  await update();
  if (zoom) fitTo([[collection, id]]);
}
