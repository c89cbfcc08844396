// page-dashboard — 领导驾驶舱: what a director reads first (GET /api/v1/dashboard): this
// week's intake, closure rate, overdue and 3221 escalations of the subtree, by category and
// by village, and the trend of the last 12 weeks as ECharts charts (charts.js).
import { get } from './api.js';
import { h, clear, table, fmtRate, isoDate } from './ui.js';
import { disposeCharts, drawChart } from './charts.js';

const FIGURES = [['taken_in', '受理'], ['closed', '办结'], ['withdrawn', '撤回'], ['overdue', '超期'], ['escalated', '逐级上报']];
const COLOURS = { taken_in: '#1565c0', closed: '#2e7d32', withdrawn: '#6a1b9a', overdue: '#c62828', escalated: '#ef6c00' };

function cards(d) {
  const w = d.week;
  const list = [
    ['本周受理', w.taken_in], ['本周办结率', fmtRate(w.closure_rate)], ['本周受理中超期', w.overdue],
    ['本周逐级上报（3221）', w.escalated], ['当前在办', d.open], ['当前超期', d.overdue_now],
  ];
  return h('div', { class: 'figures' }, list.map(([label, v]) => h('div', { class: 'figure' }, h('strong', {}, String(v ?? '—')), h('span', {}, label))));
}

function groupTable(heading, rows, label) {
  return table([
    [heading, label],
    ...FIGURES.map(([k, name]) => [name, (r) => String(r[k])]),
    ['办结率', (r) => fmtRate(r.closure_rate)],
  ], rows, '本周暂无受理', { 'aria-label': heading });
}

function trendOption(trend) {
  return {
    title: { text: '近 12 周趋势', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, bottom: 32, top: 40, containLabel: true },
    xAxis: { type: 'category', data: trend.map((t) => t.period.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: FIGURES.map(([k, name]) => ({ name, type: 'line', data: trend.map((t) => t[k]), itemStyle: { color: COLOURS[k] } })),
  };
}

function categoryOption(rows) {
  return {
    title: { text: '本周按纠纷类别', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, bottom: 32, top: 40, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name) },
    series: FIGURES.map(([k, name]) => ({ name, type: 'bar', data: rows.map((r) => r[k]), itemStyle: { color: COLOURS[k] } })),
  };
}

export default async function dashboardPage(main, { stale }) {
  const { dashboard: d } = await get('/api/v1/dashboard');
  if (stale()) return;
  const w = d.week;
  const trendBox = h('div', { class: 'chart', role: 'img', 'aria-label': '近 12 周趋势' });
  const catBox = w.by_category.length ? h('div', { class: 'chart', role: 'img', 'aria-label': '本周按纠纷类别' }) : null;
  clear(main, h('h1', {}, '领导驾驶舱'),
    h('p', {}, `本周：${isoDate(w.from_ms)} 至 ${isoDate(w.to_ms - 1)}（按本周受理的案件统计其办结、超期与上报）`),
    cards(d),
    h('section', { class: 'card' }, h('h2', {}, '趋势'), h('div', { class: 'charts' }, trendBox, catBox)),
    h('section', { class: 'card' }, h('h2', {}, '按纠纷类别'), groupTable('纠纷类别', w.by_category, (r) => r.name)),
    h('section', { class: 'card' }, h('h2', {}, '按村（社区）'), groupTable('村（社区）', w.by_village, (r) => r.village)));
  disposeCharts();
  await drawChart(trendBox, trendOption(d.trend));
  if (catBox) await drawChart(catBox, categoryOption(w.by_category));
}
