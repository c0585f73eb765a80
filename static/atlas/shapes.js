/* The features of the drawn collections: at overview, fetched once, and finer geometry of
 * the view when zoomed in. */
import {bbox, getJson, idFilter, urls} from './api.js';
import {config} from './page.js';
import {COLLECTIONS} from './state.js';

/** How many fetches have brought geometry so far: a drawing older than this is stale. */
export let arrivals = 0;
/** The area of a whole collection's finer geometry (a static edition's files). */
const EVERYWHERE = L.latLngBounds([[-90, -180], [90, 180]]);

/** One collection's features and the finer geometry fetched for views. */
class Shapes {
  /** ``params``: what to ask for besides the geometry (e.g. a filter), if not all. */
  constructor(collection, params = {}) {
    this.collection = collection;
    this.params = params;
    this.features = new Map();
    this.finer = new Map(); // resolution -> {areas: [LatLngBounds], geometry: Map}
    this.shown = 'overview'; // the resolution drawn
    this.loading = null;
  }

  /** Fetch the features (once; again after ``reset``), from ``url`` if given. */
  ensure(url = urls.layer(this.collection, 'overview', this.params)) {
    this.loading ??= getJson(url)
      .then((data) => {
        this.features = new Map(data.features.map((f) => [f.id, f]));
        this.finer.clear();
        arrivals += 1;
      }, (error) => {
        this.loading = null;
        throw error;
      });
    return this.loading;
  }

  /** Forget the features (the date or the datum changed): ``ensure`` fetches anew. */
  reset() {
    this.loading = null;
    this.features = new Map();
    this.finer.clear();
  }

  /** Fetch the geometry at ``resolution`` of the features in ``bounds`` (or of ``ids``),
   *  unless already fetched. */
  async refine(resolution, bounds, ids = null) {
    const finer = this.finer.get(resolution) ?? {areas: [], geometry: new Map()};
    this.finer.set(resolution, finer);
    const wanted = ids && ids.filter((id) => !finer.geometry.has(id));
    if (ids ? !wanted.length : finer.areas.some((area) => area.contains(bounds))) return;
    const filter = wanted ? {filter: idFilter(wanted)}
      : {bbox: bbox(bounds)};
    const data = await getJson(urls.layer(this.collection, resolution, filter));
    data.features.forEach((f) => finer.geometry.set(f.id, f.geometry));
    if (!ids) finer.areas.push(urls.whole ? EVERYWHERE : bounds);
    arrivals += 1;
  }

  /** A feature's geometry at the resolution shown (overview where no finer one is). */
  geometry(id) {
    return this.finer.get(this.shown)?.geometry.get(id) ?? this.features.get(id)?.geometry;
  }

  latLngs(id) {
    const geometry = this.geometry(id);
    return geometry && L.GeoJSON.coordsToLatLngs(geometry.coordinates,
      geometry.type === 'Polygon' ? 1 : 2);
  }
}

export const shapes = Object.fromEntries(COLLECTIONS.map((c) => [c, new Shapes(c)]));
/** The planning extent's outline alone (drawn from the first view on, without fetching
 *  every entity). */
shapes.extent = new Shapes('platforms', {filter: idFilter([config.home.entity])});

/** Draw every collection at ``resolution`` from now on. */
export function show(resolution) {
  Object.values(shapes).forEach((s) => { s.shown = resolution; });
}
