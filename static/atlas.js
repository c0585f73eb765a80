/* Chengyu Atlas map page (built by webmap.py): every layer comes from the API.
 *
 * Units, prefecture and province outlines and the entity outlines are fetched from
 * /collections/{id}/items at the display resolution of the zoom level (overview first,
 * finer ones for the view only); memberships on click, answers from /query. The state
 * (language, base map, date, colouring, layers, selection, question, view) lives in the
 * URL fragment, so a link reproduces the view.
 */
(() => {
  'use strict';

  const config = JSON.parse(document.getElementById('atlas-config').textContent);
  const map = window[config.map];
  const entities = new Map(config.entities.map((e) => [e.id, e]));
  const el = (id) => document.getElementById(`atlas-${id}`);
  /** Whether an entity heads its own tree in its family (no parent of the same family). */
  const isRoot = (e) => !e.parent || entities.get(e.parent).family !== e.family;

  // -- words -------------------------------------------------------------------------
  const WORDS = {
    zh: {
      title: '成渝地区双城经济圈规划地图', fold: '收起或展开面板', language: 'English',
      search: '搜索区县、城市、平台', searchHint: '如 荣昌、rongchang、万达开',
      question: '提问', questionHint: '如 与广安接壤的平台', ask: '查询',
      date: '日期', latest: '最新', colour: '着色', basemap: '底图', layers: '图层',
      export: '导出', exportView: '视图内区县', exportSelection: '所选对象',
      byProvince: '按省份', none: '无底图（离线）', osm: 'OpenStreetMap (WGS-84)',
      amap: '高德地图 (GCJ-02)', boundaries: '行政边界', cities: '地级市/州界',
      provinces: '省界', units: '区县界', province: '省级', planning_extent: '规划范围',
      cooperation_platforms: '合作平台', metropolitan_areas: '都市圈', other_zones: '其他功能区',
      whole: '全部', part: '部分', named: '点名', notInForce: '该日期尚未设立',
      platforms: '合作平台', otherEntities: '所属其他区域', nothing: '无', loading: '加载中…',
      lines: '第', possible: '可能', borders: '接壤', covers: '包含', within: '位于其内', overlaps: '部分重叠',
      member: '包括该地', memberKind: '成员', subject: '提问对象', unitHit: '区县', legend: '图例', selected: '所选',
      notMember: '不属于所选着色的区域', tilesFailed: '底图无法加载（离线），已改为无底图。',
      noResult: '无结果', failed: '加载失败：', meaning: '“{text}”理解为{chosen}，也可能指：{others}',
      count: '{n} 项结果', asOf: '截至 {date}',
    },
    en: {
      title: 'Chengdu–Chongqing Economic Circle planning map', fold: 'Fold or unfold the panel',
      language: '中文', search: 'Search units, cities, platforms',
      searchHint: 'e.g. 荣昌, rongchang, 万达开', question: 'Ask',
      questionHint: 'e.g. platforms touching 广安', ask: 'Ask', date: 'Date',
      latest: 'Latest', colour: 'Colour', basemap: 'Base map', layers: 'Layers',
      export: 'Export', exportView: 'Units in view', exportSelection: 'Selection',
      byProvince: 'By province', none: 'None (offline)', osm: 'OpenStreetMap (WGS-84)',
      amap: 'Amap 高德 (GCJ-02)', boundaries: 'Boundaries', cities: 'Prefecture outlines',
      provinces: 'Province outlines', units: 'County outlines', province: 'province',
      planning_extent: 'Planning extent',
      cooperation_platforms: 'Cooperation platforms', metropolitan_areas: 'Metropolitan areas',
      other_zones: 'Other zones', whole: 'whole', part: 'part', named: 'named',
      notInForce: 'not yet defined on this date', platforms: 'Cooperation platforms',
      otherEntities: 'Other zones it belongs to', nothing: 'none', loading: 'Loading…',
      lines: 'lines', possible: 'possible', borders: 'borders', covers: 'covers', within: 'within',
      overlaps: 'overlaps', member: 'includes it', memberKind: 'member',
      subject: 'asked about', unitHit: 'unit',
      legend: 'Legend', selected: 'Selected', notMember: 'in none of the coloured zones',
      tilesFailed: 'The base map cannot load (offline); switched to none.',
      noResult: 'No result', failed: 'Failed to load: ',
      meaning: '“{text}” read as {chosen}; it may also mean: {others}', count: '{n} results',
      asOf: 'as of {date}',
    },
  };
  const RELATION_COLOURS = {borders: '#1f77b4', covers: '#2ca02c', within: '#9467bd',
                            overlaps: '#ff7f0e', member: '#d62728', unitHit: '#d62728'};
  const SELECTED = '#ffd400';
  const NO_FILL = '#f2f2f2';
  const LINES = {units: {color: '#8c8c8c', weight: 0.6}, cities: {color: '#4d4d4d', weight: 1.4},
                 provinces: {color: '#1a1a1a', weight: 2.6}};
  const MEMBER_STYLES = {
    whole: (c) => ({color: c, weight: 1, fillColor: c, fillOpacity: 0.45}),
    part: (c) => ({color: c, weight: 1.6, dashArray: '6 4', fillColor: hatch(c), fillOpacity: 1}),
    named: (c) => ({color: c, weight: 1.6, dashArray: '1 4', fillColor: c, fillOpacity: 0.15}),
  };

  const COLLECTIONS = ['units', 'cities', 'provinces', 'platforms'];
  const state = {lang: 'zh', base: 'none', date: '', colour: 'province', on: new Set(),
                 outlines: new Set(['cities', 'provinces']), selection: null, question: ''};
  const t = (key, values = {}) => (WORDS[state.lang][key] ?? key)
    .replace(/\{(\w+)\}/g, (_, name) => values[name]);
  const nameOf = (entity) => (state.lang === 'en' ? entity.en : entity.zh);
  const esc = (text) => String(text ?? '').replace(/[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`);

  // -- the URL fragment ----------------------------------------------------------------
  function readFragment() {
    const p = new URLSearchParams(location.hash.slice(1));
    const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);
    state.lang = pick(p.get('lang'), ['zh', 'en'], 'zh');
    state.base = pick(p.get('base'), Object.keys(config.basemaps), 'none');
    state.colour = pick(p.get('colour'), config.families, 'province');
    state.date = /^\d{4}-\d{2}-\d{2}$/.test(p.get('date') ?? '') ? p.get('date') : '';
    state.on = new Set((p.get('on') ?? '').split(',').filter((id) => entities.has(id)));
    if (p.has('outlines')) {
      state.outlines = new Set(p.get('outlines').split(',').filter((n) => n in LINES));
    }
    const [collection, id] = (p.get('sel') ?? '').split(':');
    state.selection = id && COLLECTIONS.includes(collection) ? {collection, id} : null;
    state.question = p.get('q') ?? '';
    const view = (p.get('view') ?? '').split('/').map(Number);
    return view.length === 3 && view.every(Number.isFinite) ? view : null;
  }

  function writeFragment() {
    const centre = map.getCenter();
    const parts = [['lang', state.lang !== 'zh' && state.lang],
      ['base', state.base !== 'none' && state.base],
      ['colour', state.colour !== 'province' && state.colour], ['date', state.date],
      ['on', [...state.on].join(',')],
      ['outlines', state.outlines.size < 2 && ([...state.outlines].join(',') || '-')],
      ['sel', state.selection && `${state.selection.collection}:${state.selection.id}`],
      ['q', state.question && encodeURIComponent(state.question)],
      ['view', `${map.getZoom()}/${centre.lat.toFixed(4)}/${centre.lng.toFixed(4)}`]];
    const fragment = parts.filter(([, value]) => value).map(([k, v]) => `${k}=${v}`).join('&');
    history.replaceState(null, '', `${location.pathname}${location.search}#${fragment}`);
  }

  // -- the API ------------------------------------------------------------------------
  const datum = () => config.basemaps[state.base]?.datum ?? 'wgs84';
  const dated = (collection) => config.dated.includes(collection);

  /** An API address; ``asOf``: whether to add the chosen date (membership as of it). */
  function apiUrl(path, asOf, params = {}) {
    const query = new URLSearchParams(params);
    if (asOf && state.date) query.set('datetime', state.date);
    return `${path}?${query}`;
  }
  const itemsUrl = (collection, params) => apiUrl(`/collections/${collection}/items`,
    dated(collection), {limit: 10000, ...params});

  async function getJson(url) {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail ?? response.statusText);
    return body;
  }

  const geometryParams = (resolution) => ({resolution,
    ...(datum() === 'gcj02' ? {datum: 'gcj02'} : {})});
  const bbox = (bounds) => [bounds.getWest(), bounds.getSouth(), bounds.getEast(),
    bounds.getNorth()].map((v) => v.toFixed(4)).join(',');
  const resolutionAt = (zoom) => config.zooms.find(([, highest]) => zoom <= highest)[0];

  /** One collection: its features at overview, fetched once, and finer geometry by view. */
  class Shapes {
    constructor(collection) {
      this.collection = collection;
      this.features = new Map();
      this.finer = new Map(); // resolution -> {areas: [LatLngBounds], geometry: Map}
      this.loading = null;
    }

    /** Fetch the features (once; again after ``reset``), from ``url`` if given. */
    ensure(url = itemsUrl(this.collection, geometryParams('overview'))) {
      this.loading ??= getJson(url)
        .then((data) => {
          this.features = new Map(data.features.map((f) => [f.id, f]));
          this.finer.clear();
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

    async refine(resolution, bounds, ids = null) {
      const finer = this.finer.get(resolution) ?? {areas: [], geometry: new Map()};
      this.finer.set(resolution, finer);
      const wanted = ids && ids.filter((id) => !finer.geometry.has(id));
      if (ids ? !wanted.length : finer.areas.some((area) => area.contains(bounds))) return;
      const filter = wanted ? {filter: `id IN (${wanted.map((id) => `'${id}'`).join(',')})`}
        : {bbox: bbox(bounds)};
      const data = await getJson(itemsUrl(this.collection,
        {...geometryParams(resolution), ...filter}));
      data.features.forEach((f) => finer.geometry.set(f.id, f.geometry));
      if (!ids) finer.areas.push(bounds);
    }

    geometry(id) {
      return this.finer.get(shownResolution)?.geometry.get(id)
        ?? this.features.get(id)?.geometry;
    }

    latLngs(id) {
      const geometry = this.geometry(id);
      return geometry && L.GeoJSON.coordsToLatLngs(geometry.coordinates,
        geometry.type === 'Polygon' ? 1 : 2);
    }
  }

  const shapes = Object.fromEntries(COLLECTIONS.map((c) => [c, new Shapes(c)]));
  let shownResolution = 'overview';

  // -- panes, patterns, groups --------------------------------------------------------
  ['outlines', 'entities', 'highlight'].forEach((name, i) => {
    const pane = map.createPane(name);
    pane.style.zIndex = 410 + 10 * i;
    pane.style.pointerEvents = 'none';
  });
  const groups = {units: L.featureGroup(), cities: L.featureGroup(), provinces: L.featureGroup(),
                  entities: L.featureGroup(), highlight: L.featureGroup()};
  Object.values(groups).forEach((group) => group.addTo(map));
  groups.units.bindTooltip((unit) => unitTooltip(unit.feature), {sticky: true})
    .on('click', (event) => openUnit(event.layer.feature, event.latlng));
  const patterns = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  patterns.setAttribute('class', 'atlas-patterns');
  patterns.innerHTML = '<defs></defs>';
  document.body.append(patterns);

  /** The fill of a partial member: hatching in ``colour`` (an SVG pattern, made once). */
  function hatch(colour) {
    const id = `atlas-hatch-${colour.slice(1)}`;
    if (!document.getElementById(id)) {
      patterns.firstChild.insertAdjacentHTML('beforeend',
        `<pattern id="${id}" width="7" height="7" patternUnits="userSpaceOnUse" `
        + 'patternTransform="rotate(45)">'
        + `<rect width="7" height="7" fill="${colour}" fill-opacity="0.12"/>`
        + `<line x1="0" y1="0" x2="0" y2="7" stroke="${colour}" stroke-width="3"/></pattern>`);
    }
    return `url(#${id})`;
  }

  // -- units ----------------------------------------------------------------------------
  function unitFill(feature) {
    if (state.colour === 'province') return config.provinces[feature.properties.province].colour;
    const inFamily = feature.properties.entities.map((id) => entities.get(id))
      .filter((e) => e && e.family === state.colour);
    const entity = inFamily.find(isRoot) ?? inFamily[0];
    return entity ? entity.colour : NO_FILL;
  }

  function unitTooltip(feature) {
    const p = feature.properties;
    const names = p.platforms.map((id) => esc(nameOf(entities.get(id))));
    return `<b>${esc(p.name)}</b> · ${esc(p.city)}<br>${t('platforms')}: `
      + (names.join('、') || t('nothing'));
  }

  function drawUnits() {
    groups.units.clearLayers();
    for (const [adcode, feature] of shapes.units.features) {
      const unit = L.polygon(shapes.units.latLngs(adcode), {...LINES.units,
        fillColor: unitFill(feature), fillOpacity: 0.75, className: `atlas-unit u-${adcode}`});
      unit.feature = feature;
      groups.units.addLayer(unit);
    }
  }

  function drawOutlines() {
    for (const name of ['cities', 'provinces']) {
      groups[name].clearLayers();
      if (!state.outlines.has(name)) continue;
      for (const id of shapes[name].features.keys()) {
        L.polygon(shapes[name].latLngs(id), {...LINES[name], fill: false, interactive: false,
          pane: 'outlines', className: `atlas-${name}`}).addTo(groups[name]);
      }
    }
  }

  // -- entities -------------------------------------------------------------------------
  function drawEntities() {
    groups.entities.clearLayers();
    for (const id of state.on) {
      const feature = shapes.platforms.features.get(id);
      if (!feature) continue; // not in force on the chosen date
      const {colour} = entities.get(id);
      for (const {adcode, kind} of feature.properties.members) {
        L.polygon(shapes.units.latLngs(adcode), {...MEMBER_STYLES[kind](colour),
          interactive: false, pane: 'entities',
          className: `atlas-member e-${id} u-${adcode} kind-${kind}`}).addTo(groups.entities);
      }
      L.polygon(shapes.platforms.latLngs(id), {color: colour, weight: 3, fill: false,
        interactive: false, pane: 'entities', className: `atlas-outline e-${id}`})
        .addTo(groups.entities);
    }
  }

  // -- selection and answers, drawn on top ------------------------------------------------
  const LEVELS = {unit: 'units', city: 'cities', province: 'provinces'};
  let answer = null;

  function outline(collection, id, style, className) {
    const latLngs = shapes[collection].latLngs(id);
    return latLngs && L.polygon(latLngs, {interactive: false, pane: 'highlight', ...style,
      className}).addTo(groups.highlight);
  }

  function answerShapes() {
    if (!answer || answer.error) return [];
    const drawn = answer.hits.map((hit) => (hit.adcode
      ? ['units', hit.adcode, 'unitHit']
      : ['platforms', hit.id, hit.relation ?? 'member']));
    if (answer.place) drawn.push([LEVELS[answer.place.level], answer.place.adcode, 'subject']);
    if (answer.entity) drawn.push(['platforms', answer.entity.id, 'subject']);
    return drawn;
  }

  function drawHighlights() {
    groups.highlight.clearLayers();
    for (const [collection, id, relation] of answerShapes()) {
      const colour = RELATION_COLOURS[relation] ?? '#000';
      const style = relation === 'subject'
        ? {color: '#000', weight: 2.5, dashArray: '8 5', fill: false}
        : {color: colour, weight: 3, fillColor: colour, fillOpacity: 0.18};
      const key = collection === 'units' ? `u-${id}` : `e-${id}`;
      outline(collection, id, style, `atlas-hit hit-${relation} ${key}`);
    }
    if (state.selection) {
      const {collection, id} = state.selection;
      outline(collection, id, {color: SELECTED, weight: 5, fill: false},
        `atlas-selected s-${id}`);
    }
  }

  /** Fitting options that keep shapes clear of the panel (beside it, or below on a phone). */
  function fitOptions() {
    const panel = el('panel').getBoundingClientRect();
    const beside = panel.right < map.getSize().x / 2;
    return {maxZoom: 10, paddingBottomRight: [20, 20],
            paddingTopLeft: beside ? [panel.right + 20, 20] : [20, panel.bottom + 20]};
  }

  function fitTo(items) {
    const bounds = L.latLngBounds([]);
    for (const [collection, id] of items) {
      const latLngs = shapes[collection].latLngs(id);
      if (latLngs) bounds.extend(L.polygon(latLngs).getBounds());
    }
    if (bounds.isValid()) map.fitBounds(bounds, fitOptions());
  }

  async function select(collection, id, zoom = true) {
    state.selection = {collection, id};
    await update();
    if (zoom) fitTo([[collection, id]]);
  }

  // -- the unit popup -------------------------------------------------------------------
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

  async function openUnit(feature, latlng) {
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

  // -- the panel: layers ------------------------------------------------------------------
  function entityTree(family) {
    const inFamily = config.entities.filter((e) => e.family === family);
    const children = (parent) => inFamily.filter((e) => e.parent === parent);
    const roots = inFamily.filter(isRoot);
    const walk = (entity, depth) => [[entity, depth],
      ...children(entity.id).flatMap((child) => walk(child, depth + 1))];
    return roots.flatMap((root) => walk(root, 0));
  }

  /** Member units of each entity on the chosen date, counted from the units' tags. */
  function memberCounts() {
    const counts = new Map();
    for (const feature of shapes.units.features.values()) {
      feature.properties.entities.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
    }
    return counts;
  }

  function entityCheckbox([entity, depth], counts) {
    const count = counts.get(entity.id);
    const label = `<small>(${count ?? t('notInForce')})</small>`;
    return `<label class="atlas-layer depth-${depth}" title="${esc(nameOf(entity))}">`
      + `<input type="checkbox" data-entity="${entity.id}"${state.on.has(entity.id)
        ? ' checked' : ''}${count ? '' : ' disabled'}>`
      + `<span class="atlas-swatch" style="background:${entity.colour}"></span>`
      + `${esc(nameOf(entity))} ${label}</label>`;
  }

  function renderLayers() {
    const counts = memberCounts();
    const outlines = ['provinces', 'cities'].map((name) => '<label class="atlas-layer">'
      + `<input type="checkbox" data-outline="${name}"${state.outlines.has(name)
        ? ' checked' : ''}>${t(name)}</label>`).join('');
    const group = (family, content) => `<details data-family="${family}"`
      + `${unfolded.has(family) ? ' open' : ''}><summary>${t(family)}</summary>${content}`
      + '</details>';
    el('layers').innerHTML = group('boundaries', outlines) + config.families.map((family) => group(
      family, entityTree(family).map((item) => entityCheckbox(item, counts)).join(''))).join('');
  }

  /** The layer groups shown unfolded: the boundaries, and every family a layer is on in. */
  const unfolded = new Set(['boundaries']);
  const unfold = (ids) => ids.forEach((id) => unfolded.add(entities.get(id).family));
  el('layers').addEventListener('toggle', (event) => {
    const {family} = event.target.dataset;
    if (event.target.open) unfolded.add(family);
    else unfolded.delete(family);
  }, true);

  el('layers').addEventListener('change', (event) => {
    const {entity, outline: name} = event.target.dataset;
    const chosen = entity ? state.on : state.outlines;
    if (event.target.checked) chosen.add(entity ?? name);
    else chosen.delete(entity ?? name);
    update();
  });

  // -- the panel: legend ------------------------------------------------------------------
  function swatch(style) {
    const fill = style.fill === false ? 'none' : style.fillColor ?? style.color;
    return '<svg class="atlas-key" width="26" height="14"><rect x="1" y="1" width="24" '
      + `height="12" fill="${fill}" fill-opacity="${style.fillOpacity ?? 1}" `
      + `stroke="${style.color}" stroke-width="${Math.min(style.weight, 3)}" `
      + `stroke-dasharray="${style.dashArray ?? ''}"/></svg>`;
  }
  const legendRow = (style, label) => `<li>${swatch(style)} ${esc(label)}</li>`;

  function fillRows() {
    if (state.colour === 'province') {
      return Object.entries(config.provinces).map(([name, {colour, en}]) => legendRow(
        {color: LINES.units.color, weight: 1, fillColor: colour}, state.lang === 'en' ? en : name));
    }
    const fills = new Set([...shapes.units.features.values()].map(unitFill));
    const shown = config.entities.filter((e) => e.family === state.colour && isRoot(e)
      && fills.has(e.colour));
    return [...shown.map((e) => legendRow({color: LINES.units.color, weight: 1,
      fillColor: e.colour}, nameOf(e))),
    legendRow({color: LINES.units.color, weight: 1, fillColor: NO_FILL}, t('notMember'))];
  }

  function renderLegend() {
    const rows = [...fillRows(), legendRow({...LINES.units, fill: false}, t('units')),
      ...[...state.outlines].map((name) => legendRow({...LINES[name], fill: false}, t(name)))];
    const kinds = new Set();
    for (const id of state.on) {
      const feature = shapes.platforms.features.get(id);
      if (!feature) continue;
      feature.properties.members.forEach((m) => kinds.add(m.kind));
      rows.push(legendRow({color: entities.get(id).colour, weight: 3, fill: false},
        nameOf(entities.get(id))));
    }
    Object.keys(MEMBER_STYLES).filter((kind) => kinds.has(kind)).forEach((kind) => rows.push(
      legendRow(MEMBER_STYLES[kind]('#555555'), `${t('memberKind')}: ${t(kind)}`)));
    new Set(answerShapes().map(([, , relation]) => relation)).forEach((relation) => rows.push(
      relation === 'subject'
        ? legendRow({color: '#000', weight: 2.5, dashArray: '4 3', fill: false}, t('subject'))
        : legendRow({color: RELATION_COLOURS[relation], weight: 3,
          fillColor: RELATION_COLOURS[relation], fillOpacity: 0.18}, t(relation))));
    if (state.selection) rows.push(legendRow({color: SELECTED, weight: 3, fill: false},
      t('selected')));
    legend.getContainer().innerHTML = `<h2>${t('legend')}</h2><ul>${rows.join('')}</ul>`;
  }

  const legend = L.control({position: 'bottomright'});
  legend.onAdd = () => L.DomUtil.create('div', 'atlas-legend');
  legend.addTo(map);

  // -- the panel: search ---------------------------------------------------------------
  const normalise = (text) => text.normalize('NFKC').toLowerCase().replace(/[\s'’-]+/g, '');
  const KIND_ORDER = ['provinces', 'cities', 'units', 'entity'];
  const label = (entry) => (entry.kind === 'entity' ? nameOf(entities.get(entry.id)) : entry.zh);
  let results = [];

  function search(query) {
    const q = normalise(query);
    if (!q) return [];
    const score = (key) => (key === q ? 0 : key.startsWith(q) ? 1 : key.includes(q) ? 2 : 9);
    return config.search.map((entry) => [Math.min(...entry.keys.map(score)), entry])
      .filter(([best]) => best < 9)
      .sort(([a, x], [b, y]) => a - b || KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind)
        || label(x).length - label(y).length)
      .slice(0, 12).map(([, entry]) => entry);
  }

  function renderResults() {
    const query = el('search').value;
    results = search(query);
    el('results').innerHTML = results.map((entry, i) => `<li><button type="button" `
      + `data-index="${i}" data-kind="${entry.kind}" data-id="${esc(entry.id)}">`
      + `${esc(label(entry))}`
      + `<small>${esc(entry.in ?? t(entities.get(entry.id)?.family ?? 'province'))}</small>`
      + '</button></li>').join('') || (query.trim() ? `<li>${t('noResult')}</li>` : '');
  }

  function choose(entry) {
    el('results').innerHTML = '';
    if (entry.kind !== 'entity') return select(entry.kind, entry.id);
    if (!memberCounts().has(entry.id)) return notify(t('notInForce'));
    state.on.add(entry.id);
    unfold([entry.id]);
    return select('platforms', entry.id);
  }

  el('search').addEventListener('input', renderResults);
  el('search').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && results.length) choose(results[0]);
  });
  el('results').addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (button) choose(results[Number(button.dataset.index)]);
  });

  // -- the panel: questions --------------------------------------------------------------
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

  function renderAnswer() {
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

  async function ask(question, zoom = true) {
    state.question = question;
    try {
      answer = question ? await getJson(apiUrl('/query', true, {q: question})) : null;
    } catch (error) {
      answer = {error: error.message};
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

  // -- the panel: date, colouring, base map, language, export -------------------------------
  function fillSelects() {
    const options = (pairs, chosen) => pairs.map(([value, label]) => `<option value="${value}"`
      + `${value === chosen ? ' selected' : ''}>${esc(label)}</option>`).join('');
    el('colour').innerHTML = options([['province', t('byProvince')],
      ...config.families.map((f) => [f, t(f)])], state.colour);
    el('base').innerHTML = options([['none', t('none')],
      ...Object.keys(config.basemaps).map((b) => [b, t(b)])], state.base);
    el('format').innerHTML = options(config.formats.map((f) => [f, f]), el('format').value
      || config.formats[0]);
    el('milestones').innerHTML = config.milestones.map((m) => `<option value="${m.date}">`
      + `${esc(m.title)}</option>`).join('');
    el('date').value = state.date;
  }

  function translate() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('title');
    document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach((n) => {
      n.placeholder = t(n.dataset.i18nPlaceholder);
    });
    document.querySelectorAll('[data-i18n-title]').forEach((n) => {
      n.title = t(n.dataset.i18nTitle);
    });
    el('lang').textContent = t('language');
    map.closePopup();
    fillSelects();
    renderLayers();
    renderLegend();
    renderAnswer();
    renderResults();
  }

  el('lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    translate();
    writeFragment();
  });
  el('fold').addEventListener('click', () => {
    const folded = el('panel').classList.toggle('atlas-folded');
    el('fold').setAttribute('aria-expanded', String(!folded));
  });

  el('colour').addEventListener('change', (event) => {
    state.colour = event.target.value;
    update();
  });

  async function setDate(date) {
    state.date = date;
    el('date').value = date;
    map.closePopup();
    [shapes.units, shapes.platforms].forEach((s) => s.reset());
    await (state.question ? ask(state.question, false) : update());
  }
  el('date').addEventListener('change', (event) => setDate(event.target.value));
  el('latest').addEventListener('click', () => setDate(''));

  let tiles = null;
  function showBase() {
    tiles?.remove();
    tiles = null;
    const base = config.basemaps[state.base];
    if (!base) return;
    let loaded = false;
    const layer = L.tileLayer(base.url, {attribution: base.attribution, maxZoom: base.maxZoom})
      .on('tileload', () => { loaded = true; })
      .on('tileerror', () => {
        if (!loaded && tiles === layer) setBase('none').then(() => notify(t('tilesFailed')));
      });
    tiles = layer.addTo(map);
  }

  async function setBase(name) {
    const before = datum();
    state.base = name;
    el('base').value = name;
    showBase();
    if (datum() === before) {
      writeFragment();
    } else {
      Object.values(shapes).forEach((s) => s.reset());
      await update();
    }
  }
  el('base').addEventListener('change', (event) => setBase(event.target.value));

  function download(url) {
    const link = Object.assign(document.createElement('a'), {href: url, download: ''});
    document.body.append(link);
    link.click();
    link.remove();
  }
  el('export-view').addEventListener('click', () => download(itemsUrl('units',
    {bbox: bbox(map.getBounds()), f: el('format').value})));
  el('export-selection').addEventListener('click', () => {
    const {collection, id} = state.selection;
    download(apiUrl(`/collections/${collection}/items/${encodeURIComponent(id)}`,
      dated(collection), {f: el('format').value}));
  });

  function notify(message) {
    el('notice').textContent = message;
    el('notice').hidden = !message;
  }

  // -- bringing the map up to the state -------------------------------------------------
  /** The entities drawn from the platforms collection: layers on, answer, selection. */
  const platformIds = () => [...state.on,
    ...answerShapes().filter(([c]) => c === 'platforms').map(([, id]) => id),
    ...(state.selection?.collection === 'platforms' ? [state.selection.id] : [])];

  /** Fetch what drawing the state needs: the features (again after a change of date or
   *  datum), the platforms if one is drawn, and finer geometry of the view when zoomed in. */
  async function fetchNeeded(resolution) {
    await Promise.all([shapes.units, shapes.cities, shapes.provinces].map((s) => s.ensure()));
    if (platformIds().length) await shapes.platforms.ensure();
    if (resolution === 'overview') return;
    const bounds = map.getBounds().pad(0.5);
    const platforms = platformIds().filter((id) => shapes.platforms.features.has(id));
    await Promise.all([shapes.units.refine(resolution, bounds),
      ...[...state.outlines].map((name) => shapes[name].refine(resolution, bounds)),
      platforms.length ? shapes.platforms.refine(resolution, bounds, platforms) : null]);
  }

  let updates = 0;
  /** Bring the map and the panel up to the state, then record the state in the URL. */
  async function update() {
    const call = ++updates;
    const resolution = resolutionAt(map.getZoom());
    try {
      await fetchNeeded(resolution);
    } catch (error) {
      notify(t('failed') + error.message);
      return;
    }
    if (call !== updates) return; // a later update draws
    shownResolution = resolution;
    drawUnits();
    drawOutlines();
    drawEntities();
    drawHighlights();
    renderLayers();
    renderLegend();
    el('export-selection').disabled = !state.selection;
    writeFragment();
  }

  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

  /** The first view: the units the page preloads (latest, WGS-84) are drawn and painted
   *  first, the panel's text next; a link with another date or datum fetches its own. */
  async function start() {
    const units = shapes.units.ensure(config.preloaded);
    const view = readFragment();
    unfold(state.on);
    if (matchMedia('(max-width: 640px)').matches) el('fold').click();
    if (view) map.setView([view[1], view[2]], view[0]);
    else map.fitBounds(config.bounds, fitOptions());
    try {
      await units;
    } catch (error) {
      notify(t('failed') + error.message);
      console.error(error);
      return;
    }
    drawUnits();
    await nextFrame();
    await nextFrame(); // the units are painted
    performance.mark('atlas:units-drawn');
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution(config.attribution);
    translate();
    showBase();
    if (state.date || datum() !== 'wgs84') shapes.units.reset();
    if (state.question) {
      el('question').value = state.question;
      await ask(state.question, false);
    } else {
      await update();
    }
    map.on('moveend', update);
    document.documentElement.dataset.atlas = 'ready';
  }

  window.addEventListener('hashchange', () => location.reload()); // a link edited by hand
  window.atlas = {map, state, shapes}; // read by the browser tests and the benchmark
  start();
})();
