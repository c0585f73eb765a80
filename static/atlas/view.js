/* The map's view: fitting shapes clear of the panel, and the first view (the planning
 * extent of the circle) with a control that returns to it. */
import {config, el, map} from './page.js';
import {shapes} from './shapes.js';
import {t} from './words.js';

/** Whether the unit ``adcode`` lies in the planning extent (all do if there is none). */
export const inExtent = (adcode) => !config.home.entity
  || (shapes.units.features.get(adcode)?.properties.entities ?? [])
    .includes(config.home.entity);

/** Fitting options that keep shapes clear of the panel (beside it, or below on a phone). */
export function fitOptions() {
  const panel = el('panel').getBoundingClientRect();
  const beside = panel.right < map.getSize().x / 2;
  return {maxZoom: 10, paddingBottomRight: [20, 20],
          paddingTopLeft: beside ? [panel.right + 20, 20] : [20, panel.bottom + 20]};
}

/** Fit the view to the shapes of ``items`` ([collection, id] pairs) that are fetched. */
export function fitTo(items) {
  const bounds = L.latLngBounds([]);
  for (const [collection, id] of items) {
    const latLngs = shapes[collection].latLngs(id);
    if (latLngs) bounds.extend(L.polygon(latLngs).getBounds());
  }
  if (bounds.isValid()) map.fitBounds(bounds, fitOptions());
}

/** The first view: the planning extent, fitted exactly (no zoom snapping, so it fills the
 *  room beside the panel). */
export function goHome() {
  const snap = map.options.zoomSnap;
  map.options.zoomSnap = 0;
  map.fitBounds(config.home.bounds, fitOptions());
  map.options.zoomSnap = snap;
}

const home = L.control({position: 'topleft'});
home.onAdd = () => {
  const bar = L.DomUtil.create('div', 'leaflet-bar atlas-home');
  const button = L.DomUtil.create('button', '', bar);
  button.type = 'button';
  button.id = 'atlas-home';
  button.textContent = '⌂';
  L.DomEvent.disableClickPropagation(bar);
  L.DomEvent.on(button, 'click', goHome);
  return bar;
};
home.addTo(map);

/** Name the home control in the page's language. */
export function translateHome() {
  const button = el('home');
  button.title = t('home');
  button.setAttribute('aria-label', t('home'));
}
