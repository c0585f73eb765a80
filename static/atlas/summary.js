/* The counts of each entity drawn, at both levels: its members as its text in force writes
 * them (prefectures, counties …) and the county-level units they make; after a change of
 * date, the units it gained. */
import {entitiesDrawn} from './draw.js';
import {memberCounts} from './layers.js';
import {el, entities} from './page.js';
import {shapes} from './shapes.js';
import {state} from './state.js';
import {esc, nameOf, t} from './words.js';

const SHOWN = 8; // members named before "…"

/** The members of ``entity`` as the text in force on the chosen date writes them. */
export function writtenMembers(entity) {
  const day = state.date || '9999-12-31';
  const extents = entity.written.filter(([asOf]) => !asOf || asOf <= day);
  return extents.length ? extents[extents.length - 1][1] : [];
}

/** Entity id → the adcodes of its member units drawn now. */
export function membersNow() {
  return new Map(entitiesDrawn().map((id) => [id, new Set(shapes.platforms.features.get(id)
    .properties.members.map((m) => m.adcode))]));
}

/** Entity id → the units drawn now that were not members ``before`` (a membersNow()). */
export function addedSince(before) {
  const added = {};
  for (const [id, now] of membersNow()) {
    if (before.has(id)) added[id] = [...now].filter((adcode) => !before.get(id).has(adcode));
  }
  return added;
}

const unitName = (adcode) => shapes.units.features.get(adcode)?.properties.name ?? adcode;

function line(id, counts) {
  const entity = entities.get(id);
  const written = writtenMembers(entity);
  const names = written.slice(0, SHOWN).join('、') + (written.length > SHOWN ? ' …' : '');
  const added = state.added[id] ?? [];
  return `<li data-entity="${esc(id)}"><b>${esc(nameOf(entity))}</b>: `
    + esc(t('members', {n: written.length, names, units: counts.get(id) ?? 0}))
    + (added.length ? ` <span class="atlas-added-note">${esc(t('addedUnits', {
      n: added.length, names: added.map(unitName).join('、')}))}</span>` : '') + '</li>';
}

export function renderSummary() {
  const counts = memberCounts();
  el('summary').innerHTML = entitiesDrawn().map((id) => line(id, counts)).join('');
}
