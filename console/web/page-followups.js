// page-followups — 回访: GET /api/v1/followups, the closed cases held here whose follow-up
// visit is not recorded yet, in due order: 待回访 (due) and 回访逾期 (overdue), each with
// its assignee by name, filtered by state or to the user's own; and the record that
// completes one (POST /api/v1/cases/<id>/followup) in place. The form's fields are shared
// with the case page (followupFields).
import { get, post } from './api.js';
import { h, clear, field, select, textarea, formError, submitting, values, toast, table, fmtTime, caseLink } from './ui.js';
import { name, options } from './vocab.js';

// The follow-up record's fields [member, label, control, options] (docs/api.md followup).
export function followupFields() {
  return [
    ['satisfaction', '满意度', select(options('satisfaction'), {}, '请选择'), { required: true }],
    ['method', '回访方式', select(options('followup_method'), {}, '请选择'), {}],
    ['performance', '协议履行情况', select(options('performance'), {}, '请选择'), {}],
    ['reopen', '当事人申请重新办理', h('input', { type: 'checkbox' }), {}],
    ['note', '回访记录', textarea(), { wide: true }],
  ];
}

export function followupChip(state) {
  return h('span', { class: `chip followup-${state}${state === 'overdue' ? ' overdue' : ''}` }, name('followup_state', state));
}

function recordForm(item, done) {
  const form = h('form', { class: 'card action-form', novalidate: true, 'data-case': item.id },
    h('h3', {}, `记录回访：${item.id} ${item.summary}`), formError(),
    h('div', { class: 'grid' }, followupFields().map(([key, label, control, opts]) => field(label, control, key, opts))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '提交回访记录'),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, '取消')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post(`/api/v1/cases/${encodeURIComponent(item.id)}/followup`, values(form));
      toast(`案件 ${item.id} 回访已记录`);
      done();
    });
  });
  return form;
}

const FILTERS = [['', '全部'], ['due', '待回访'], ['overdue', '回访逾期']];

export default async function followupsPage(main, ctx) {
  const state = ctx.params.get('state') || '';
  const mine = ctx.params.get('mine') === '1';
  const q = new URLSearchParams({ ...(state ? { state } : {}), ...(mine ? { assignee: 'me' } : {}) });
  const box = await get(`/api/v1/followups?${q}`);
  if (ctx.stale()) return;
  const slot = h('div', { class: 'action-slot' });
  const reload = () => followupsPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const link = (s, m) => `#/followups?${new URLSearchParams({ ...(s ? { state: s } : {}), ...(m ? { mine: '1' } : {}) })}`;
  const columns = [
    ['状态', (it) => followupChip(it.state)],
    ['案件', (it) => caseLink(it.id)],
    ['摘要', (it) => it.summary],
    ['办结时间', (it) => fmtTime(it.closed_ms)],
    ['回访期限', (it) => fmtTime(it.due_ms)],
    ['回访人', (it) => it.assignee_name || it.assignee || '—'],
    ['', (it) => (ctx.can('case.followup') ? h('button', {
      type: 'button', class: 'secondary', 'data-record': it.id,
      onclick: () => { clear(slot, recordForm(it, reload)); slot.querySelector('select')?.focus(); },
    }, '记录回访') : null)],
  ];
  clear(main,
    h('h1', {}, '回访'),
    h('p', { class: 'meta followup-counts' },
      h('span', { class: 'chip', 'data-state': 'due' }, `待回访 ${box.due}`),
      h('span', { class: `chip${box.overdue ? ' overdue' : ''}`, 'data-state': 'overdue' }, `回访逾期 ${box.overdue}`),
      `办结后 ${box.followup_days} 天内回访`),
    h('nav', { class: 'filters', 'aria-label': '筛选' },
      FILTERS.map(([s, label]) => h('a', { href: link(s, mine), class: s === state ? 'active' : null }, label)),
      h('a', { href: link(state, !mine), class: mine ? 'active' : null }, mine ? '显示全部人员' : '只看我的')),
    slot,
    table(columns, box.items, '暂无待回访的案件', { class: 'followups' }));
}
