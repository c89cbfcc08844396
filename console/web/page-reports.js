// page-reports — 统计报表: the ledger figures of a period (GET /api/v1/ledger) as figures and
// ECharts charts (charts.js), its XLSX and CSV download (GET /api/v1/ledger/export), the
// reports of this tier and its children (report-review.js), the linkage figures
// (linkage-card.js) and the early warnings.
import { get, query } from './api.js';
import { h, clear, banner, field, input, select, values, table, fmtRate, fmtTime, isoDate } from './ui.js';
import { name } from './vocab.js';
import { disposeCharts, drawChart } from './charts.js';
import reportsSection from './report-review.js';
import { linkageSection } from './linkage-card.js';

const KINDS = { village: 'daily', township: 'weekly', county: 'monthly' };

function monthStart() { return isoDate(Date.now()).slice(0, 8) + '01'; }

// The period a report of `kind` is most likely wanted for: yesterday's daily, this week's
// weekly (from its Monday), this month's monthly or ledger.
function defaultPeriod(kind) {
  const today = isoDate(Date.now());
  if (kind === 'daily') return isoDate(Date.now() - 864e5);
  if (kind !== 'weekly') return monthStart();
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

// Non-zero entries of a {code: count} map, largest first, with their Chinese names.
function series(map, kind) {
  return Object.entries(map || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => ({ name: kind ? name(kind, k) : k, value: v }));
}

function barOption(title, data) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: data.map((d) => d.name) },
    series: [{ type: 'bar', data: data.map((d) => d.value), barMaxWidth: 28, itemStyle: { color: '#b71c1c' }, label: { show: true, position: 'right' } }],
  };
}

function pieOption(title, data) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['35%', '65%'], center: ['50%', '50%'], data, label: { formatter: '{b}\n{c}' } }],
  };
}

async function drawCharts(box, l) {
  disposeCharts();
  const sat = l.satisfaction || {};
  const specs = [
    ['按纠纷类别受理', barOption('按纠纷类别受理', series(l.taken_in_by.category, 'category'))],
    ['按来源受理', pieOption('按来源受理', series(l.taken_in_by.source, 'source'))],
    ['按村（社区）受理', barOption('按村（社区）受理', series(l.taken_in_by.village))],
    ['办结所在层级', pieOption('办结所在层级', series(l.closed_at_tier, 'tier'))],
    ['回访满意度', pieOption('回访满意度', series({ satisfied: sat.satisfied, basically_satisfied: sat.basically_satisfied, dissatisfied: sat.dissatisfied }, 'satisfaction'))],
  ];
  for (const [label, option] of specs) {
    if (!option.series[0].data.length) {
      box.append(h('div', { class: 'chart empty-chart' }, h('strong', {}, label), h('span', {}, '本期暂无数据')));
      continue;
    }
    const el = h('div', { class: 'chart', role: 'img', 'aria-label': label });
    box.append(el);
    await drawChart(el, option);
  }
}

function figures(l) {
  const cards = [
    ['受理', l.taken_in], ['化解', l.resolved], ['化解率', fmtRate(l.resolution_rate)],
    ['办结', l.closed], ['按期办结率', fmtRate(l.on_time_rate)], ['引导至法定途径', l.guided],
    ['撤回', l.withdrawn],
    ['在办', l.pending], ['超期', l.overdue], ['领导包案', l.leader_owned],
    ['红色风险', l.red], ['橙色风险', l.orange], ['信访事项', l.petitions],
    ['就地化解率', fmtRate(l.local_share)], ['满意率', fmtRate(l.satisfaction && l.satisfaction.rate)],
  ];
  return h('div', { class: 'figures' }, cards.map(([label, v]) => h('div', { class: 'figure' }, h('strong', {}, String(v ?? '—')), h('span', {}, label))));
}

export default async function reportsPage(main, ctx) {
  const from = ctx.params.get('from') || monthStart();
  const to = ctx.params.get('to') || isoDate(Date.now());
  const [{ ledger: l }, warnings] = await Promise.all([
    get('/api/v1/ledger' + query({ from, to })), get('/api/v1/warnings')]);
  if (ctx.stale()) return;
  const period = h('form', { class: 'filters' },
    field('自', input({ type: 'date', value: from }), 'from'),
    field('至', input({ type: 'date', value: to }), 'to'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '统计')));
  period.addEventListener('submit', (ev) => { ev.preventDefault(); ctx.go('#/reports' + query(values(period))); });
  const kind = KINDS[ctx.session.status.node.tier] || 'monthly';
  const kindSelect = select([[kind, name('report_kind', kind)], ['ledger', name('report_kind', 'ledger')]]);
  const reportBox = h('div', { class: 'reports' });
  const periodInput = input({ type: 'date', value: defaultPeriod(kind) });
  const showReports = () => reportsSection(reportBox, ctx, kindSelect.value, periodInput.value).catch((err) => clear(reportBox, banner(err.message, 'error')));
  kindSelect.addEventListener('change', () => { periodInput.value = defaultPeriod(kindSelect.value); showReports(); });
  periodInput.addEventListener('change', showReports);
  const chartBox = h('div', { class: 'charts' });
  const exportLink = (format, label) => h('a', { class: 'button secondary', href: '/api/v1/ledger/export' + query({ from, to, format }), download: '' }, label);
  clear(main, h('h1', {}, '统计报表'),
    h('section', { class: 'card' }, h('h2', {}, '综合台账'), period,
      h('div', { class: 'buttons' }, exportLink('xlsx', '下载 Excel 台账（XLSX）'), exportLink('csv', '下载 CSV')),
      figures(l), chartBox),
    linkageSection(l, ctx.can('node.admin'), () => ctx.go(location.hash)),
    h('section', { class: 'card' }, h('h2', {}, '报告报送'),
      h('div', { class: 'filters' }, field('报告', kindSelect, 'kind'), field('期间（首日）', periodInput, 'period')), reportBox),
    h('section', { class: 'card' }, h('h2', {}, `预测预警（${warnings.total}）`),
      table([
        ['时间', (w) => fmtTime(w.time_ms)],
        ['规则', (w) => name('warning_rule', w.rule)],
        ['村（社区）', (w) => w.village],
        ['类别', (w) => name('category', w.category)],
        ['案件', (w) => w.case_id || '—'],
        ['说明', (w) => w.detail],
      ], warnings.warnings.slice(0, 50), '暂无预警')));
  showReports();
  await drawCharts(chartBox, l);
}
