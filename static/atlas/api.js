/* The API client: addresses of the API's resources for the page's state, and fetching. */
import {config} from './page.js';
import {state} from './state.js';

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
  return `${path}?${query}`;
}

/** The address of a collection's items, as many as the API gives in one page. */
export const itemsUrl = (collection, params) => apiUrl(`/collections/${collection}/items`,
  dated(collection), {limit: config.pageLimit, ...params});

/** The JSON at ``url``; an error with the API's message if it answers with one. */
export async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail ?? response.statusText);
  return body;
}

/** The parameters asking for geometry at ``resolution`` in the base map's datum. */
export const geometryParams = (resolution) => ({resolution,
  ...(datum() === 'gcj02' ? {datum: 'gcj02'} : {})});

/** A CQL2 filter selecting features by ``ids`` (quotes in an id doubled). */
export const idFilter = (ids) => `id IN (${ids.map((id) => `'${id.replaceAll("'", "''")}'`)
  .join(',')})`;

/** Leaflet bounds as the API's ``bbox`` parameter. */
export const bbox = (bounds) => [bounds.getWest(), bounds.getSouth(), bounds.getEast(),
  bounds.getNorth()].map((v) => v.toFixed(4)).join(',');

/** The display resolution drawn at ``zoom``. */
export const resolutionAt = (zoom) => config.zooms.find(([, highest]) => zoom <= highest)[0];
