/* Questions in plain language (zh/en): asked of the API's /query, the answer listed in the
 * panel and drawn on the map. Everything that reads the answer's JSON is here: each hit
 * entity is drawn in its own colour (stripes in its own lane, so overlapping hits all
 * show), its relation to the place asked about as the line style (and in words in the
 * list and the legend), a possible hit fainter and dotted. */
import {API, apiUrl, getJson} from './api.js';
import {el, entities, foldOnPhone} from './page.js';
import {lane, swatch} from './patterns.js';
import {state} from './state.js';
import {update} from './update.js';
import {fitTo} from './view.js';
import {esc, nameOf, t} from './words.js';

/** The line style of each relation of a hit to the place asked about. */
const RELATION_LINES = {covers: '', member: '', within: '14 4 3 4', overlaps: '9 5',
                        borders: '3 5'};
const UNIT_HIT = {color: '#c62828', weight: 3, fillColor: '#c62828', fillOpacity: 0.2};
const SUBJECT = {color: '#000', weight: 2.5, dashArray: '8 5', fill: false};
const LEVELS = {unit: 'units', city: 'cities', province: 'provinces'};

const relationOf = (hit) => hit.relation ?? 'member';
/** A style's key for lists and the legend: its line, over a plain light fill. */
const key = (style) => swatch({...style, fillColor: style.color, fillOpacity: 0.3});
const possible = (hit) => hit.certainty === 'possible';

/** The style of the ``index``-th of ``count`` entity hits. */
function hitStyle(hit, index, count) {
  const colour = entities.get(hit.id)?.colour ?? '#555555';
  const faint = possible(hit);
  return {color: colour, weight: 3.5, opacity: faint ? 0.7 : 1,
          dashArray: faint ? '1 6' : RELATION_LINES[relationOf(hit)] || null,
          fillColor: lane(colour, index, count, 1, faint ? 0.35 : 0.6), fillOpacity: 1};
}

/** What the answer draws, in drawing order: ``{collection, id, relation, style}`` of each
 *  hit and of the place or entity asked about. */
export function answerShapes() {
  const {answer} = state;
  if (!answer || answer.error) return [];
  const count = answer.hits.filter((hit) => !hit.adcode).length;
  let index = 0;
  const drawn = answer.hits.map((hit) => (hit.adcode
    ? {collection: 'units', id: hit.adcode, relation: 'unitHit', style: UNIT_HIT}
    : {collection: 'platforms', id: hit.id, relation: relationOf(hit),
       style: hitStyle(hit, index++, count)}));
  if (answer.place) {
    drawn.push({collection: LEVELS[answer.place.level], id: answer.place.adcode,
                relation: 'subject', style: SUBJECT});
  }
  if (answer.entity) {
    drawn.push({collection: 'platforms', id: answer.entity.id, relation: 'subject',
                style: SUBJECT});
  }
  return drawn;
}

/** The legend's rows for the answer: [key, label] of every hit entity (named, with its
 *  relation) and of the place asked about. */
export function answerLegend() {
  return answerShapes().map(({collection, id, relation, style}) => [
    relation === 'subject' ? swatch({...style, dashArray: '4 3'}) : key(style),
    relation === 'subject' ? t('subject')
      : collection === 'units' ? t('unitHit')
        : `${nameOf(entities.get(id))} · ${t(relation)}`]);
}

/** A possible hit's mark in the list, its reason as the tooltip. */
const maybe = (hit) => (possible(hit)
  ? ` · <em title="${esc((state.lang === 'en' ? hit.reason : hit.reason_zh) ?? hit.reason ?? '')}">`
    + `${t('possible')}</em>` : '');

function hitItem(hit, shape) {
  if (hit.adcode) {
    return `<li data-adcode="${esc(hit.adcode)}"><button type="button" data-collection="units" `
      + `data-id="${esc(hit.adcode)}">${esc(hit.name)}</button> <small>${esc(hit.city ?? "")}`
      + `${hit.kind ? ` · ${t(hit.kind)}` : ''}${maybe(hit)}</small></li>`;
  }
  const relation = relationOf(hit);
  return `<li data-id="${esc(hit.id)}" data-relation="${relation}"`
    + `${possible(hit) ? ' data-possible' : ''}>${key(shape.style)}`
    + `<button type="button" data-collection="platforms" data-id="${esc(hit.id)}">`
    + `${esc(state.lang === 'en' ? hit.name_en : hit.name)}</button> `
    + `<small>${t(relation)}${maybe(hit)}</small></li>`;
}

export function renderAnswer() {
  const {answer} = state;
  const box = el('answer');
  if (API === null) {
    box.innerHTML = `<p class="atlas-needs-api">${esc(t('needsApi'))}</p>`;
  } else if (!answer) {
    box.innerHTML = '';
  } else if (answer.error) {
    box.innerHTML = `<p class="atlas-error">${esc(answer.error)}</p>`;
  } else {
    const ambiguity = answer.ambiguity && `<p>${esc(t('meaning', {text: answer.ambiguity.text,
      chosen: answer.ambiguity.chosen,
      others: answer.ambiguity.alternatives.map((a) => a.name).join('、')}))}</p>`;
    const shapes = answerShapes();
    box.innerHTML = (ambiguity || '') + `<p>${t('count', {n: answer.count})}`
      + `${answer.as_of ? ` · ${t('asOf', {date: answer.as_of})}` : ''}</p>`
      + `<ul class="atlas-list atlas-hits">${answer.hits.map((hit, i) => hitItem(hit,
        shapes[i])).join('')}</ul>`;
  }
}

/** Ask ``question`` (as of the chosen date), show and draw the answer, and zoom to it
 *  unless ``zoom`` is false (then the panel stays as it is). */
export async function ask(question, zoom = true) {
  if (API === null) return update(); // no API to ask (a static edition without one)
  state.question = question;
  try {
    state.answer = question ? await getJson(apiUrl('/query', true, {q: question})) : null;
  } catch (error) {
    state.answer = {error: error.message};
  }
  renderAnswer();
  if (zoom && state.answer && !state.answer.error) foldOnPhone();
  await update();
  if (zoom) fitTo(answerShapes().map(({collection, id}) => [collection, id]));
}

// Without an API the box says so, and asks nothing.
el('ask').querySelectorAll('input, button').forEach((n) => { n.disabled = API === null; });
el('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  ask(el('question').value.trim());
});
el('answer').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (button) fitTo([[button.dataset.collection, button.dataset.id]]);
});
