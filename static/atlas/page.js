/* What the page provides: its configuration (written by webmap.config), folium's Leaflet
 * map, the panel's elements and the entity catalogue. */

export const config = JSON.parse(document.getElementById('atlas-config').textContent);
export const map = window[config.map];
export const entities = new Map(config.entities.map((e) => [e.id, e]));

/** A panel element by the name after its ``atlas-`` prefix. */
export const el = (id) => document.getElementById(`atlas-${id}`);

/** Whether an entity heads its own tree in its family (no parent of the same family). */
export const isRoot = (e) => !e.parent || entities.get(e.parent).family !== e.family;

/** Show ``message`` in the panel's notice line (an empty one hides it). */
export function notify(message) {
  el('notice').textContent = message;
  el('notice').hidden = !message;
}

/** Whether the page is on a phone-sized screen (the panel drops down from the top). */
export const onPhone = () => matchMedia('(max-width: 640px)').matches;

/** Fold (or unfold) the panel's body, leaving its head. */
export function fold(folded = true) {
  el('panel').classList.toggle('atlas-folded', folded);
  el('fold').setAttribute('aria-expanded', String(!folded));
  map.fire('atlas:panel'); // the labels make room
}

/** On a phone, fold the panel so the map shows what the user asked for. */
export function foldOnPhone() {
  if (onPhone()) fold(true);
}
