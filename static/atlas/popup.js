/* The popup of a unit: its cooperation platforms (kind of member; for a partial one the
 * towns the text names and the area it states; the defining text by title, 文号, date and
 * line, its quote, and a link to the evidence) and the other zones it belongs to. Sized
 * to stay inside the map, on a phone too. */
import {getJson, urls} from './api.js';
import {el, entities, map, onPhone} from './page.js';
import {select} from './update.js';
import {esc, nameOf, t} from './words.js';

const kindBadge = (kind) => `<span class="atlas-kind kind-${esc(kind)}">${t(kind)}</span>`;

/** "第 2533–2535 行" / "lines 2533–2535" from the API's "2533-2535". */
const lineRange = (lines) => t('lineRange', {lines: String(lines).replace('-', '–')});

function evidence(row) {
  const source = [row.document_title, row.document_number, row.document_date]
    .filter(Boolean).map(esc).join(' · ');
  const link = urls.page('memberships', row.id);
  return `<div class="atlas-doc">${source} · ${esc(lineRange(row.evidence_lines))} · `
    + `<a href="${link}" target="_blank" rel="noopener">${t('source')}</a></div>`;
}

function platformItem(row) {
  const area = entities.get(row.entity)?.area;
  const part = row.part || row.kind === 'part'
    ? `<div class="atlas-part">${t('partOf')}: ${esc(row.part ?? '')}`
      + `${area ? ` · ${esc(t('statedArea', {area}))}` : ''}</div>` : '';
  return `<li data-entity="${esc(row.entity)}" data-kind="${esc(row.kind)}">`
    + `<b>${esc(nameOf(entities.get(row.entity)))}</b> ${kindBadge(row.kind)}${part}`
    + `${evidence(row)}<blockquote>${esc(row.quote)}</blockquote></li>`;
}

function unitPopup(feature, rows) {
  const p = feature.properties;
  const byName = (a, b) => nameOf(entities.get(a.entity))
    .localeCompare(nameOf(entities.get(b.entity)));
  const platforms = rows.filter((r) => r.entity_kind === 'cooperation_platform').sort(byName);
  const others = rows.filter((r) => r.entity_kind !== 'cooperation_platform').sort(byName);
  return `<h3>${esc(p.name)} <small>${esc(p.city)} · ${esc(p.province)} · ${esc(p.adcode)}`
    + '</small></h3>'
    + `<h4>${t('platforms')}</h4><ul class="atlas-platforms">`
    + (platforms.map(platformItem).join('') || `<li>${t('nothing')}</li>`) + '</ul>'
    + (others.length ? `<h4>${t('otherEntities')}</h4><ul class="atlas-others">`
      + others.map((r) => `<li data-entity="${esc(r.entity)}">`
        + `${esc(nameOf(entities.get(r.entity)))} ${kindBadge(r.kind)}</li>`).join('')
      + '</ul>' : '');
}

/** Popup options that keep it inside the map: clear of the panel and, on a phone, of the
 *  map's controls (a column on the left). */
function popupOptions() {
  const {x, y} = map.getSize();
  const phone = onPhone();
  const top = phone ? el('panel').getBoundingClientRect().bottom + 10 : 10;
  const left = phone ? map.getContainer().querySelector('.leaflet-control-zoom')
    .getBoundingClientRect().right + 8 : 10;
  const width = x - left - 60; // the content; the popup adds its padding and close button
  return {maxWidth: Math.min(380, width), minWidth: Math.min(240, width),
          maxHeight: Math.min(420, Math.round((y - top) * 0.6)), className: 'atlas-popup',
          autoPanPaddingTopLeft: [left, top], autoPanPaddingBottomRight: [10, 10]};
}

/** Select the unit of ``feature`` and open its popup at ``latlng``. */
export async function openUnit(feature, latlng) {
  const adcode = feature.id;
  select('units', adcode, false);
  const popup = L.popup(popupOptions()).setLatLng(latlng).setContent(t('loading')).openOn(map);
  try {
    const data = await getJson(urls.memberships(adcode));
    popup.setContent(unitPopup(feature, data.features.map((f) => f.properties)));
  } catch (error) {
    popup.setContent(esc(t('failed') + error.message));
  }
}
