// page-workbench — 部门工作台: a department's queue (GET /api/v1/departments/queue): the
// cases routed to it at this centre with their counts (received, to sign, in hand, overdue
// to sign), by state; each case opens its file, where the department signs for it, returns
// it or feeds back (page-case.js). A department's account sees its own department; others
// (the director) pick one.
import { get, query } from './api.js';
import { h, clear, fmtTime, table, caseLink, select, field } from './ui.js';
import { STATE_NAMES, stateChip } from './dept.js';

const TABS = [['', '全部'], ['to_sign', '待签收'], ['in_hand', '办理中'], ['overdue', '签收逾期'],
  ['done', '已反馈结果'], ['returned', '已退回']];

export default async function workbenchPage(main, ctx) {
  const own = ctx.can('department.act');
  const state = ctx.params.get('state') || '';
  let dept = own ? '' : ctx.params.get('department') || '';
  let picker = null;
  if (!own) {
    const { departments } = await get('/api/v1/departments');
    dept = dept || (departments[0] && departments[0].name) || '';
    const sel = select(departments.map((d) => [d.name, d.name]), { value: dept });
    sel.value = dept;
    sel.addEventListener('change', () => ctx.go(`#/workbench${query({ department: sel.value, state })}`));
    picker = field('部门', sel, 'department');
  }
  const q = await get(`/api/v1/departments/queue${query({ department: own ? '' : dept, state })}`);
  if (ctx.stale()) return;
  const n = q.counts;
  const figures = [['收案', n.received], ['待签收', n.to_sign], ['办理中', n.in_hand], ['签收逾期', n.overdue],
    ['已反馈结果', n.done], ['已退回', n.returned]];
  clear(main,
    h('h1', {}, `部门工作台 · ${q.department}`),
    picker,
    h('div', { class: 'figures workbench-counts' }, figures.map(([label, v]) =>
      h('div', { class: 'figure', 'data-figure': label }, h('strong', {}, String(v)), h('span', {}, label)))),
    h('nav', { class: 'tabs', 'aria-label': '按状态' }, TABS.map(([code, label]) =>
      h('a', { href: `#/workbench${query({ department: own ? '' : dept, state: code })}`, class: code === state ? 'active' : null }, label))),
    table([
      ['案件', (it) => caseLink(it.case.id)],
      ['概要', (it) => it.case.summary],
      ['状态', (it) => stateChip({ ...it, sign_late: it.sign_late })],
      ['分流时间', (it) => fmtTime(it.routed_ms)],
      ['签收时限', (it) => fmtTime(it.sign_due_ms)],
    ], q.items, state ? `没有${STATE_NAMES[state] || '签收逾期'}的案件` : '暂无分流给本部门的案件', { class: 'workbench' }));
}
