/* Chengyu Atlas map page (built by the webmap package): every layer comes from the API, or
 * from a static edition's files (``chengyu publish``; api.js makes every address).
 *
 * Units, prefecture and province outlines and the entity outlines are fetched from
 * /collections/{id}/items at the display resolution of the zoom level (overview first,
 * finer ones for the view only); memberships on click, answers from /query. The state
 * lives in the URL fragment, so a link reproduces the view. The modules, by concern:
 * page (configuration, map, panel elements), state (URL fragment), words (zh/en), api
 * (addresses, fetching), shapes (features by resolution), draw, legend, layers (the layer
 * list), summary (counts of the entities drawn), labels (place names), patterns (SVG
 * fills), view (fitting, the first view), popup (a unit's), update (fetch, draw, record),
 * search, questions (everything reading an answer), controls.
 */
import {datum} from './api.js';
import {drawUnits, groups} from './draw.js';
import {showBase, translate} from './controls.js';
import {unfold} from './layers.js';
import {placeLabels} from './labels.js';
import {config, el, fold, map, notify, onPhone} from './page.js';
import {openUnit} from './popup.js';
import {ask} from './questions.js';
import {shapes} from './shapes.js';
import {readFragment, state} from './state.js';
import {update} from './update.js';
import {goHome} from './view.js';
import {t} from './words.js';

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** The first view: the units the page preloads (latest, WGS-84) are drawn and painted
 *  first, the panel's text next; a link with another date or datum fetches its own. */
async function start() {
  const units = shapes.units.ensure(config.preloaded);
  const view = readFragment();
  unfold(state.on);
  if (onPhone()) fold(true);
  if (view) map.setView([view[1], view[2]], view[0]);
  else goHome();
  try {
    await units;
  } catch (error) {
    notify(t('failed') + error.message);
    console.error(error);
    return;
  }
  drawUnits();
  placeLabels();
  await nextFrame();
  await nextFrame(); // the units are painted
  performance.mark('atlas:units-drawn'); // and their names
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution(config.attribution);
  translate();
  showBase();
  if (state.date || datum() !== 'wgs84') shapes.units.reset();
  if (state.question) {
    el('question').value = state.question;
    await ask(state.question, false);
  } else {
    await update();
  }
  map.on('moveend', () => update({moving: true}));
  document.documentElement.dataset.atlas = 'ready';
}

groups.units.on('click', (event) => openUnit(event.layer.feature, event.latlng));
window.addEventListener('hashchange', () => location.reload()); // a link edited by hand
window.atlas = {map, state, shapes}; // read by the browser tests and the benchmark
start();
