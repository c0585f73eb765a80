/* Questions in plain language (zh/en): asked of the API's /query, the answer listed in the
 * panel and drawn on the map by relation. */
import {apiUrl, getJson} from './api.js';
import {RELATION_COLOURS, answerShapes, fitTo} from './draw.js';
import {el} from './page.js';
import {state} from './state.js';
import {update} from './update.js';
import {esc, t} from './words.js';

function hitItem(hit) {
  const maybe = hit.certainty === 'possible'
    ? ` · <em title="${esc(hit.reason ?? '')}">${t('possible')}</em>` : '';
  if (hit.adcode) {
    return `<li data-adcode="${esc(hit.adcode)}"><button type="button" data-collection="units" `
      + `data-id="${esc(hit.adcode)}">${esc(hit.name)}</button> <small>${esc(hit.city ?? '')}`
      + `${hit.kind ? ` · ${t(hit.kind)}` : ''}${maybe}</small></li>`;
  }
  const relation = hit.relation ?? 'member';
  return `<li data-id="${esc(hit.id)}" data-relation="${relation}">`
    + `<span class="atlas-key" style="background:${RELATION_COLOURS[relation]}"></span>`
    + `<button type="button" data-collection="platforms" data-id="${esc(hit.id)}">`
    + `${esc(state.lang === 'en' ? hit.name_en : hit.name)}</button> `
    + `<small>${t(relation)}${maybe}</small></li>`;
}

export function renderAnswer() {
  const {answer} = state;
  const box = el('answer');
  if (!answer) {
    box.innerHTML = '';
  } else if (answer.error) {
    box.innerHTML = `<p class="atlas-error">${esc(answer.error)}</p>`;
  } else {
    const ambiguity = answer.ambiguity && `<p>${esc(t('meaning', {text: answer.ambiguity.text,
      chosen: answer.ambiguity.chosen,
      others: answer.ambiguity.alternatives.map((a) => a.name).join('、')}))}</p>`;
    box.innerHTML = (ambiguity || '') + `<p>${t('count', {n: answer.count})}`
      + `${answer.as_of ? ` · ${t('asOf', {date: answer.as_of})}` : ''}</p>`
      + `<ul class="atlas-list atlas-hits">${answer.hits.map(hitItem).join('')}</ul>`;
  }
}

/** Ask ``question`` (as of the chosen date), show and draw the answer, and zoom to it
 *  unless ``zoom`` is false. */
export async function ask(question, zoom = true) {
  state.question = question;
  try {
    state.answer = question ? await getJson(apiUrl('/query', true, {q: question})) : null;
  } catch (error) {
    state.answer = {error: error.message};
  }
  renderAnswer();
  await update();
  if (zoom) fitTo(answerShapes());
}

el('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  ask(el('question').value.trim());
});
el('answer').addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (button) fitTo([[button.dataset.collection, button.dataset.id]]);
});
