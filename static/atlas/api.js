/* Where the page's data is, and fetching it. The served page asks the API that serves it;
 * a static edition (``chengyu publish``) reads files at fixed paths (webmap.STATIC_PATHS)
 * and asks questions of the API it was given, if any. Every address is made by ``urls``,
 * chosen once from the configuration. */
import {config} from './page.js';
import {state} from './state.js';

const {edition} = config;
/** The API's base address: '' (the page's own server), another (a static edition's), or
 *  null (a static edition without one: no questions). */
export const API = edition.api;

/** The datum of the base map: overlays are fetched in it. */
export const datum = () => config.basemaps[state.base]?.datum ?? 'wgs84';
/** Whether a collection's features depend on the date (memberships as of it). */
export const dated = (collection) => config.dated.includes(collection);

/** An API address; ``asOf``: whether to add the chosen date (membership as of it). It names
 *  the data version the page was made with, so shared caches may keep the answer for good. */
export function apiUrl(path, asOf, params = {}) {
  const query = new URLSearchParams(params);
  if (asOf && state.date) query.set('datetime', state.date);
  if (config.version) query.set('v', config.version);
  return `${API}${path}?${query}`;
}

/** The address of a collection's items, as many as the API gives in one page. */
export const itemsUrl = (collection, params) => apiUrl(`/collections/${collection}/items`,
  dated(collection), {limit: config.pageLimit, ...params});

/** The parameters asking for geometry at ``resolution`` in the base map's datum. */
export const geometryParams = (resolution) => ({resolution,
  ...(datum() === 'gcj02' ? {datum: 'gcj02'} : {})});

/** A static edition's path from the template ``name`` of webmap.STATIC_PATHS. */
const path = (name, values) => edition.paths[name].replace(/\{(\w+)\}/g,
  (_, key) => encodeURIComponent(values[key]));

/** The addresses of what the page fetches and links to. ``layer``: a collection's features
 *  at a resolution, ``select`` narrowing them (bbox or filter) where the source can;
 *  ``memberships``: a unit's; ``page``: a feature's page; ``download``: a file in format
 *  ``f``. ``whole``: whether every answer holds the whole collection (a static edition). */
export const urls = edition.static ? {
  layer: (collection, resolution) => path('layer', {datum: datum(), collection, resolution}),
  memberships: (adcode) => path('memberships', {adcode}),
  page: (collection, id) => path('page', {collection, id}),
  download: (collection, f) => path('download', {collection, extension: edition.extensions[f]}),
  whole: true,
} : {
  layer: (collection, resolution, select = {}) => itemsUrl(collection,
    {...geometryParams(resolution), ...select}),
  memberships: (adcode) => itemsUrl('memberships', {adcode, resolution: 'overview'}),
  page: (collection, id) => `/collections/${collection}/items/${encodeURIComponent(id)}?f=html`,
  download: (collection, f, select = {}) => itemsUrl(collection, {...select, f}),
  whole: false,
};

/** The JSON at ``url``; an error with the API's message if it answers with one. */
export async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail ?? response.statusText);
  return body;
}

/** A CQL2 filter selecting features by ``ids`` (quotes in an id doubled). */
export const idFilter = (ids) => `id IN (${ids.map((id) => `'${id.replaceAll("'", "''")}'`)
  .join(',')})`;

/** Leaflet bounds as the API's ``bbox`` parameter. */
export const bbox = (bounds) => [bounds.getWest(), bounds.getSouth(), bounds.getEast(),
  bounds.getNorth()].map((v) => v.toFixed(4)).join(',');

/** The display resolution drawn at ``zoom``. */
export const resolutionAt = (zoom) => config.zooms.find(([, highest]) => zoom <= highest)[0];
