// page-reports — 统计报表: the ledger figures of a period (GET /api/v1/ledger) as figures and
// ECharts charts (echarts.min.js is served by this node, loaded on first use), its XLSX and
// CSV download (GET /api/v1/ledger/export), the reports of this tier and its children
// (GET /api/v1/reports; submit, accept, return) and the early warnings.
import { get, post, query } from './api.js';
import { h, clear, banner, field, input, select, textarea, formError, submitting, values, toast, table, fmtRate, fmtTime, isoDate } from './ui.js';
import { name } from './vocab.js';

const KINDS = { village: 'daily', township: 'weekly', county: 'monthly' };
let charts = [];

function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/console/vendor/echarts.min.js';
    s.onload = () => resolve(window.echarts);
    s.onerror = () => reject(new Error('图表组件加载失败'));
    document.head.append(s);
  });
}

window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

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
  const echarts = await loadECharts();
  for (const c of charts) c.dispose();
  const sat = l.satisfaction || {};
  const specs = [
    ['按纠纷类别受理', barOption('按纠纷类别受理', series(l.taken_in_by.category, 'category'))],
    ['按来源受理', pieOption('按来源受理', series(l.taken_in_by.source, 'source'))],
    ['按村（社区）受理', barOption('按村（社区）受理', series(l.taken_in_by.village))],
    ['办结所在层级', pieOption('办结所在层级', series(l.closed_at_tier, 'tier'))],
    ['回访满意度', pieOption('回访满意度', series({ satisfied: sat.satisfied, basically_satisfied: sat.basically_satisfied, dissatisfied: sat.dissatisfied }, 'satisfaction'))],
  ];
  charts = [];
  for (const [label, option] of specs) {
    if (!option.series[0].data.length) {
      box.append(h('div', { class: 'chart empty-chart' }, h('strong', {}, label), h('span', {}, '本期暂无数据')));
      continue;
    }
    const el = h('div', { class: 'chart', role: 'img', 'aria-label': label });
    box.append(el);
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(option);
    charts.push(chart);
  }
}

function figures(l) {
  const cards = [
    ['受理', l.taken_in], ['化解', l.resolved], ['化解率', fmtRate(l.resolution_rate)],
    ['办结', l.closed], ['按期办结率', fmtRate(l.on_time_rate)], ['引导至法定途径', l.guided],
    ['在办', l.pending], ['超期', l.overdue], ['领导包案', l.leader_owned],
    ['红色风险', l.red], ['橙色风险', l.orange], ['信访事项', l.petitions],
    ['就地化解率', fmtRate(l.local_share)], ['满意率', fmtRate(l.satisfaction && l.satisfaction.rate)],
  ];
  return h('div', { class: 'figures' }, cards.map(([label, v]) => h('div', { class: 'figure' }, h('strong', {}, String(v ?? '—')), h('span', {}, label))));
}

function reviewForm(kind, period, child, reload) {
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-node': child.node },
    formError(), field('意见', input(), 'comment'),
    h('button', { type: 'submit', class: 'primary', value: 'accept' }, '采纳'),
    h('button', { type: 'submit', class: 'secondary', value: 'return' }, '退回'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const accepted = ev.submitter && ev.submitter.value === 'accept';
    submitting(form, async () => {
      await post('/api/v1/reports/review', { node: child.node, kind, period, accepted, comment: values(form).comment || '' });
      toast(accepted ? '已采纳' : '已退回');
      reload();
    });
  });
  return form;
}

function submitForm(kind, period, reload) {
  const form = h('form', { class: 'card', novalidate: true },
    h('h3', {}, `上报本级${name('report_kind', kind)}`), formError(),
    field('分析研判', textarea({ rows: 4 }), 'analysis', { required: true, wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '上报')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/reports/submit', { kind, period, ...values(form) });
      toast('报告已上报');
      reload();
    });
  });
  return form;
}

function ownText(own) {
  if (!own) return '未上报';
  if (own.state === 'draft') return `草稿（生成于 ${fmtTime(own.generated_ms)}），尚未上报`;
  return `${name('report_state', own.state)}（${own.submitted_by} 于 ${fmtTime(own.submitted_ms)}）${own.comment ? `，上级意见：${own.comment}` : ''}`;
}

async function reportsSection(box, ctx, kind, period) {
  const reload = () => reportsSection(box, ctx, kind, period).catch((err) => toast(err.message, 'error'));
  const r = await get('/api/v1/reports' + query({ kind, period }));
  const own = r.own;
  clear(box,
    h('p', {}, `${name('report_kind', kind)}：${isoDate(r.from_ms)} 至 ${isoDate(r.to_ms - 1)}，报送期限 ${fmtTime(r.due_ms)}`),
    h('p', {}, '本级：', ownText(own)),
    table([
      ['下级', (c) => c.name || c.node],
      ['状态', (c) => h('span', { class: `chip state-${c.state}` }, name('report_state', c.state))],
      ['迟报', (c) => (c.late ? h('span', { class: 'chip overdue' }, '迟报') : '否')],
      ['上报时间', (c) => fmtTime(c.submitted_ms)],
      ['受理', (c) => (c.figures ? String(c.figures.taken_in) : '—')],
      ['数据不一致', (c) => (c.disagreements && c.disagreements.length ? c.disagreements.map((d) => `${d.figure}：报 ${d.reported}，核 ${d.recomputed}`).join('；') : '—')],
      ['审核', (c) => (c.state === 'submitted' && ctx.can('report.review') ? reviewForm(kind, r.period, c, reload) : '')],
    ], r.children, '本级没有需要报送此类报告的下级'),
    ctx.can('report.submit') && (!own || own.state === 'returned' || own.state === 'draft')
      ? submitForm(kind, r.period, reload) : null);
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
