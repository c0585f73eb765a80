/* The page's state and its record in the URL fragment, so a link reproduces the view:
 * language, base map, date, colouring, entities drawn, outlines, selection, question, view. */
import {config, entities, map} from './page.js';

/** The collections the page draws, and the outline layers among them (drawing order). */
export const COLLECTIONS = ['units', 'cities', 'provinces', 'platforms'];
export const OUTLINES = ['cities', 'provinces'];

export const state = {lang: 'zh', base: 'none', date: '', colour: 'province', on: new Set(),
                      outlines: new Set(OUTLINES), selection: null, question: '',
                      answer: null, // the answer to the question (not in the URL)
                      added: {}}; // entity -> units a change of date added (not in the URL)

/** Read the state from the URL fragment; return the view [zoom, lat, lon] if it has one. */
export function readFragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);
  state.lang = pick(p.get('lang'), ['zh', 'en'], 'zh');
  state.base = pick(p.get('base'), Object.keys(config.basemaps), 'none');
  state.colour = pick(p.get('colour'), config.families, 'province');
  state.date = !config.edition.static && /^\d{4}-\d{2}-\d{2}$/.test(p.get('date') ?? '')
    ? p.get('date') : ''; // a static edition holds the memberships in force when published
  state.on = new Set((p.get('on') ?? '').split(',').filter((id) => entities.has(id)));
  if (p.has('outlines')) {
    state.outlines = new Set(p.get('outlines').split(',').filter((n) => OUTLINES.includes(n)));
  }
  const [collection, id] = (p.get('sel') ?? '').split(':');
  state.selection = id && COLLECTIONS.includes(collection) ? {collection, id} : null;
  state.question = p.get('q') ?? '';
  const view = (p.get('view') ?? '').split('/').map(Number);
  return view.length === 3 && view.every(Number.isFinite) ? view : null;
}

/** Record the state and the map's view in the URL fragment (defaults left out). */
export function writeFragment() {
  const centre = map.getCenter();
  const parts = [['lang', state.lang !== 'zh' && state.lang],
    ['base', state.base !== 'none' && state.base],
    ['colour', state.colour !== 'province' && state.colour], ['date', state.date],
    ['on', [...state.on].join(',')],
    ['outlines', state.outlines.size < OUTLINES.length
      && ([...state.outlines].join(',') || '-')],
    ['sel', state.selection && `${state.selection.collection}:${state.selection.id}`],
    ['q', state.question && encodeURIComponent(state.question)],
    ['view', `${map.getZoom()}/${centre.lat.toFixed(4)}/${centre.lng.toFixed(4)}`]];
  const fragment = parts.filter(([, value]) => value).map(([k, v]) => `${k}=${v}`).join('&');
  history.replaceState(null, '', `${location.pathname}${location.search}#${fragment}`);
}
