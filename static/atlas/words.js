/* The page's words in Chinese and English, and text helpers. */
import {state} from './state.js';

const WORDS = {
  zh: {
    title: '成渝地区双城经济圈规划地图', fold: '收起或展开面板', language: 'English',
    search: '搜索区县、城市、平台', searchHint: '如 荣昌、rongchang、万达开',
    question: '提问', questionHint: '如 与广安接壤的平台', ask: '查询',
    date: '日期', latest: '最新', colour: '着色', basemap: '底图', layers: '图层',
    export: '导出', exportView: '视图内区县', exportSelection: '所选对象', exportPicture: '下载此视图地图',
    byProvince: '按省份', none: '无底图（离线）', osm: 'OpenStreetMap (WGS-84)',
    amap: '高德地图 (GCJ-02)', boundaries: '行政边界', cities: '地级市/州界',
    provinces: '省界', units: '区县界', province: '省级', planning_extent: '规划范围',
    cooperation_platforms: '合作平台', metropolitan_areas: '都市圈', other_zones: '其他功能区',
    whole: '全部', part: '部分', named: '点名', notInForce: '该日期尚未设立',
    platforms: '合作平台', otherEntities: '所属其他区域', nothing: '无', loading: '加载中…',
    lines: '第', borders: '接壤', covers: '包含', within: '位于其内', overlaps: '部分重叠',
    member: '包括该地', memberKind: '成员', subject: '提问对象', unitHit: '区县', legend: '图例', selected: '所选',
    notMember: '不属于所选着色的区域', tilesFailed: '底图无法加载（离线），已改为无底图。',
    noResult: '无结果', failed: '加载失败：', meaning: '“{text}”理解为{chosen}，也可能指：{others}',
    count: '{n} 项结果', asOf: '截至 {date}',
    home: '回到经济圈全图', outside: '规划范围以外', added: '因日期变化新增的区县',
    members: '文件列出 {n} 个成员（{names}），合 {units} 个区县单元',
    addedUnits: '新增 {n} 个：{names}', possible: '可能', uncertain: '待确认',
    statedArea: '全区面积（文件所述）{area} 平方公里', lineRange: '第 {lines} 行',
    source: '查看依据', partOf: '部分区域', exportAll: '全部区县',
    needsApi: '提问需要连接 API 服务器：此静态版本未配置 API 地址，可搜索地名或打开图层。',
  },
  en: {
    title: 'Chengdu–Chongqing Economic Circle planning map', fold: 'Fold or unfold the panel',
    language: '中文', search: 'Search units, cities, platforms',
    searchHint: 'e.g. 荣昌, rongchang, 万达开', question: 'Ask',
    questionHint: 'e.g. platforms touching 广安', ask: 'Ask', date: 'Date',
    latest: 'Latest', colour: 'Colour', basemap: 'Base map', layers: 'Layers',
    export: 'Export', exportView: 'Units in view', exportSelection: 'Selection', exportPicture: 'Map of this view',
    byProvince: 'By province', none: 'None (offline)', osm: 'OpenStreetMap (WGS-84)',
    amap: 'Amap 高德 (GCJ-02)', boundaries: 'Boundaries', cities: 'Prefecture outlines',
    provinces: 'Province outlines', units: 'County outlines', province: 'province',
    planning_extent: 'Planning extent',
    cooperation_platforms: 'Cooperation platforms', metropolitan_areas: 'Metropolitan areas',
    other_zones: 'Other zones', whole: 'whole', part: 'part', named: 'named',
    notInForce: 'not yet defined on this date', platforms: 'Cooperation platforms',
    otherEntities: 'Other zones it belongs to', nothing: 'none', loading: 'Loading…',
    lines: 'lines', borders: 'borders', covers: 'covers', within: 'within',
    overlaps: 'overlaps', member: 'includes it', memberKind: 'member',
    subject: 'asked about', unitHit: 'unit',
    legend: 'Legend', selected: 'Selected', notMember: 'in none of the coloured zones',
    tilesFailed: 'The base map cannot load (offline); switched to none.',
    noResult: 'No result', failed: 'Failed to load: ',
    meaning: '“{text}” read as {chosen}; it may also mean: {others}', count: '{n} results',
    asOf: 'as of {date}',
    home: 'Back to the whole circle', outside: 'outside the planning extent',
    added: 'units added by the change of date',
    members: '{n} members as written ({names}), {units} county units',
    addedUnits: '{n} added: {names}', possible: 'possible', uncertain: 'uncertain',
    statedArea: 'whole area as stated {area} km²', lineRange: 'line {lines}', source: 'evidence',
    partOf: 'in part', exportAll: 'All units',
    needsApi: 'Questions need the API server: this static edition has no API address '
      + 'configured. Search for a place or switch layers on instead.',
  },
};

/** The word for ``key`` in the page's language, with ``{name}`` placeholders filled in. */
export const t = (key, values = {}) => (WORDS[state.lang][key] ?? key)
  .replace(/\{(\w+)\}/g, (_, name) => values[name]);

/** An entity's name in the page's language. */
export const nameOf = (entity) => (state.lang === 'en' ? entity.en : entity.zh);

/** ``text`` escaped for HTML. */
export const esc = (text) => String(text ?? '').replace(/[&<>"']/g,
  (c) => `&#${c.charCodeAt(0)};`);
