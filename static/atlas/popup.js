/* The popup of a unit: its cooperation platforms (kind of member, defining text, quote)
 * and the other zones it belongs to. */
import {getJson, itemsUrl} from './api.js';
import {entities, map} from './page.js';
import {select} from './update.js';
import {esc, nameOf, t} from './words.js';

const kindBadge = (kind) => `<span class="atlas-kind kind-${kind}">${t(kind)}</span>`;

function platformItem(row) {
  const documentLine = [row.document_title, row.document_date, row.document_number]
    .filter(Boolean).map(esc).join(' · ');
  return `<li data-entity="${esc(row.entity)}" data-kind="${esc(row.kind)}">`
    + `<b>${esc(nameOf(entities.get(row.entity)))}</b> ${kindBadge(row.kind)}`
    + (row.part ? `<div class="atlas-part">${esc(row.part)}</div>` : '')
    + `<div class="atlas-doc">${documentLine}</div>`
    + `<blockquote>${esc(row.quote)}</blockquote>`
    + `<small>${esc(row.evidence_file)} ${t('lines')} ${esc(row.evidence_lines)}</small></li>`;
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

/** Select the unit of ``feature`` and open its popup at ``latlng``. */
export async function openUnit(feature, latlng) {
  const adcode = feature.id;
  select('units', adcode, false);
  const popup = L.popup({maxWidth: 380, maxHeight: 420, className: 'atlas-popup'})
    .setLatLng(latlng).setContent(t('loading')).openOn(map);
  try {
    const data = await getJson(itemsUrl('memberships', {adcode, resolution: 'overview'}));
    popup.setContent(unitPopup(feature, data.features.map((f) => f.properties)));
  } catch (error) {
    popup.setContent(esc(t('failed') + error.message));
  }
}
