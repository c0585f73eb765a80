/* The panel's search: places and entities by any of their names (the index comes with the
 * page's configuration), ranked exact, prefix, then substring matches. */
import {memberCounts, unfold} from './layers.js';
import {config, el, entities, foldOnPhone, notify} from './page.js';
import {state} from './state.js';
import {select} from './update.js';
import {esc, nameOf, t} from './words.js';

/** A query normalised as webmap.search normalises the index's keys. */
const normalise = (text) => text.normalize('NFKC').toLowerCase().replace(/[\s'’-]+/g, '');
const KIND_ORDER = ['provinces', 'cities', 'units', 'entity'];
const label = (entry) => (entry.kind === 'entity' ? nameOf(entities.get(entry.id)) : entry.zh);
let results = [];

/** The twelve best entries of the index for ``query``. */
function search(query) {
  const q = normalise(query);
  if (!q) return [];
  const score = (key) => (key === q ? 0 : key.startsWith(q) ? 1 : key.includes(q) ? 2 : 9);
  return config.search.map((entry) => [Math.min(...entry.keys.map(score)), entry])
    .filter(([best]) => best < 9)
    .sort(([a, x], [b, y]) => a - b || KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind)
      || label(x).length - label(y).length)
    .slice(0, 12).map(([, entry]) => entry);
}

export function renderResults() {
  const query = el('search').value;
  results = search(query);
  el('results').innerHTML = results.map((entry, i) => `<li><button type="button" `
    + `data-index="${i}" data-kind="${entry.kind}" data-id="${esc(entry.id)}">`
    + `${esc(label(entry))}`
    + `<small>${esc(entry.in ?? t(entities.get(entry.id)?.family ?? 'province'))}</small>`
    + '</button></li>').join('') || (query.trim() ? `<li>${t('noResult')}</li>` : '');
}

/** Select a place, or draw and select an entity (if defined on the chosen date). */
function choose(entry) {
  el('results').innerHTML = '';
  if (entry.kind === 'entity' && !memberCounts().has(entry.id)) return notify(t('notInForce'));
  foldOnPhone();
  if (entry.kind !== 'entity') return select(entry.kind, entry.id);
  state.on.add(entry.id);
  unfold([entry.id]);
  return select('platforms', entry.id);
}

el('search').addEventListener('input', renderResults);
el('search').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && results.length) choose(results[0]);
});
el('results').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (button) choose(results[Number(button.dataset.index)]);
});
