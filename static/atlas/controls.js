/* The panel's controls: language, folding, layers, colouring, date, base map and export. */
import {apiUrl, bbox, dated, datum, idFilter, itemsUrl, urls} from './api.js';
import {placeLabels} from './labels.js';
import {renderLayers} from './layers.js';
import {renderLegend} from './legend.js';
import {config, el, fold, foldOnPhone, map, notify} from './page.js';
import {ask, renderAnswer} from './questions.js';
import {renderResults} from './search.js';
import {shapes} from './shapes.js';
import {state, writeFragment} from './state.js';
import {addedSince, membersNow} from './summary.js';
import {update} from './update.js';
import {fitTo, translateHome} from './view.js';
import {esc, t} from './words.js';

function fillSelects() {
  const options = (pairs, chosen) => pairs.map(([value, label]) => `<option value="${value}"`
    + `${value === chosen ? ' selected' : ''}>${esc(label)}</option>`).join('');
  el('colour').innerHTML = options([['province', t('byProvince')],
    ...config.families.map((f) => [f, t(f)])], state.colour);
  el('base').innerHTML = options([['none', t('none')],
    ...Object.keys(config.basemaps).map((b) => [b, t(b)])], state.base);
  el('format').innerHTML = options(config.formats.map((f) => [f, f]), el('format').value
    || config.formats[0]);
  el('milestones').innerHTML = config.milestones.map((m) => `<option value="${m.date}">`
    + `${esc(m.title)}</option>`).join('');
  el('date').value = state.date;
}

/** Write the page's words in its language. */
export function translate() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach((n) => {
    n.placeholder = t(n.dataset.i18nPlaceholder);
  });
  document.querySelectorAll('[data-i18n-title]').forEach((n) => {
    n.title = t(n.dataset.i18nTitle);
  });
  el('lang').textContent = t('language');
  translateHome();
  map.closePopup();
  fillSelects();
  renderLayers();
  renderLegend();
  renderAnswer();
  renderResults();
  placeLabels();
}

el('lang').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  translate();
  writeFragment();
});
el('fold').addEventListener('click', () => fold(!el('panel').classList
  .contains('atlas-folded')));

/** Switching an entity on zooms to it (and, on a phone, folds the panel to show it). */
el('layers').addEventListener('change', async (event) => {
  const {entity, outline: name} = event.target.dataset;
  const chosen = entity ? state.on : state.outlines;
  if (event.target.checked) chosen.add(entity ?? name);
  else chosen.delete(entity ?? name);
  state.added = {};
  await update();
  if (entity && event.target.checked) {
    foldOnPhone();
    fitTo([['platforms', entity]]);
  }
});
el('colour').addEventListener('change', (event) => {
  state.colour = event.target.value;
  update();
});

// -- the date ---------------------------------------------------------------------------------
/** Show the memberships as of ``date``; the units an entity drawn gained are marked. */
async function setDate(date) {
  const before = membersNow();
  state.date = date;
  state.added = {};
  el('date').value = date;
  map.closePopup();
  [shapes.units, shapes.platforms, shapes.extent].forEach((s) => s.reset());
  await (state.question ? ask(state.question, false) : update());
  state.added = addedSince(before);
  await update();
}
el('date').addEventListener('change', (event) => setDate(event.target.value));
el('latest').addEventListener('click', () => setDate(''));

// -- the base map -----------------------------------------------------------------------------
let tiles = null;
/** Show the chosen base map; fall back to none if its first tile cannot load (offline). */
export function showBase() {
  tiles?.remove();
  tiles = null;
  const base = config.basemaps[state.base];
  if (!base) return;
  let loaded = false;
  const layer = L.tileLayer(base.url, {attribution: base.attribution, maxZoom: base.maxZoom})
    .on('tileload', () => { loaded = true; })
    .on('tileerror', () => {
      if (!loaded && tiles === layer) setBase('none').then(() => notify(t('tilesFailed')));
    });
  tiles = layer.addTo(map);
}

async function setBase(name) {
  const before = datum();
  state.base = name;
  el('base').value = name;
  showBase();
  if (datum() === before) {
    writeFragment();
  } else {
    Object.values(shapes).forEach((s) => s.reset());
    await update();
  }
}
el('base').addEventListener('change', (event) => setBase(event.target.value));

// -- export -------------------------------------------------------------------------------------
function download(url) {
  const link = Object.assign(document.createElement('a'), {href: url, download: ''});
  document.body.append(link);
  link.click();
  link.remove();
}
el('export-view').addEventListener('click', () => download(urls.download('units',
  el('format').value, {bbox: bbox(map.getBounds())})));
// The server's print map of what is shown: the entities drawn at the date, else the units in
// view (the same filters as the data; the picture has title, legend, scale bar and credit).
el('export-picture').addEventListener('click', () => {
  const f = el('picture-format').value;
  download(state.on.size
    ? itemsUrl('platforms', {filter: idFilter([...state.on]), f})
    : itemsUrl('units', {bbox: bbox(map.getBounds()), f}));
});
el('export-selection').addEventListener('click', () => {
  const {collection, id} = state.selection;
  download(apiUrl(`/collections/${collection}/items/${encodeURIComponent(id)}`,
    dated(collection), {f: el('format').value}));
});

// A static edition holds the memberships in force when it was published, and whole
// collections as downloads: no other date, selection or drawn picture to ask a server for.
if (urls.whole) {
  [el('date').closest('section'), el('export-selection'), el('export-picture'),
    el('picture-format')].forEach((node) => { node.hidden = true; });
  el('export-view').dataset.i18n = 'exportAll';
}
el('format').closest('section').hidden = !config.formats.length; // published without downloads
