// page-cases — 案件列表: GET /api/v1/cases with its filters (status, where held, category,
// responsible department, village, risk, intake dates, words of the summary), newest first,
// one page at a time, each row in its risk colour.
import { get, query } from './api.js';
import { h, clear, field, input, select, table, caseLink, riskChip, statusChip, fmtDate, fmtTime } from './ui.js';
import { name, options, departments } from './vocab.js';

const FILTERS = ['status', 'held', 'category', 'department', 'village', 'risk', 'from', 'to', 'text'];

export const caseColumns = [
  ['案件编号', (c) => caseLink(c.id)],
  ['风险', (c) => riskChip(c.risk)],
  ['状态', (c) => statusChip(c)],
  ['类别', (c) => c.category_name || name('category', c.category)],
  ['村（社区）', (c) => c.village],
  ['概要', (c) => h('span', { class: 'summary' }, c.summary)],
  ['办理单位', (c) => `${c.holder_name}（${name('where', c.where)}）`],
  ['受理日期', (c) => fmtDate(c.opened_ms)],
  ['办理时限', (c) => h('span', { class: c.overdue ? 'late' : null }, c.due_ms ? fmtTime(c.due_ms) : '—')],
];

export default async function casesPage(main, { params, go, stale }) {
  const form = h('form', { class: 'filters', role: 'search' },
    field('状态', select(options('status'), {}, '全部'), 'status'),
    field('办理位置', select(options('where').filter(([k]) => k !== 'elsewhere'), {}, '全部'), 'held'),
    field('类别', select(options('category'), {}, '全部'), 'category'),
    field('归口部门', input({ list: 'department-names' }), 'department'),
    h('datalist', { id: 'department-names' },
      [...new Set(Object.values(departments).filter(Boolean))].map((d) => h('option', { value: d }))),
    field('村（社区）', input(), 'village'),
    field('风险', select(options('risk'), {}, '全部'), 'risk'),
    field('受理自', input({ type: 'date' }), 'from'),
    field('至', input({ type: 'date' }), 'to'),
    field('概要含', input({ type: 'search', placeholder: '概要中的字词' }), 'text'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '查询'),
      h('button', { type: 'button', class: 'secondary', onclick: () => go('#/cases') }, '清除')));
  for (const k of FILTERS) if (params.get(k)) form.elements[k].value = params.get(k);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = {};
    for (const k of FILTERS) q[k] = form.elements[k].value.trim();
    go('#/cases' + query(q));
  });

  const filter = {};
  for (const k of [...FILTERS, 'after']) filter[k] = params.get(k) || '';
  const page = await get('/api/v1/cases' + query({ ...filter, limit: 50 }));
  if (stale()) return;
  const next = page.next ? h('a', { class: 'button secondary', href: '#/cases' + query({ ...filter, after: page.next }) }, '下一页') : null;
  const first = filter.after ? h('a', { class: 'button secondary', href: '#/cases' + query({ ...filter, after: '' }) }, '第一页') : null;
  clear(main, h('h1', {}, '案件列表'), form,
    h('p', { class: 'legend' }, '按受理时间由新到旧排列。风险等级：', ['blue', 'yellow', 'orange', 'red'].map(riskChip)),
    table(caseColumns, page.cases, '没有符合条件的案件', { class: 'cases' }),
    h('div', { class: 'pager' }, first, next));
}
