// report-review — 报告报送 on the reports page: this node's report of a period and the
// children's reports it rests on (a township's weekly on each village's seven dailies, a
// ledger on the children's ledgers). A parent reads each child's report, accepts it, returns
// it with a comment, or marks it missing with a reason; then submits its own with the marks
// (GET /api/v1/reports/draft, GET /api/v1/reports, POST /api/v1/reports/review and
// /submit). Marks stay on this page until the submission: they are part of it.
import { get, post, query } from './api.js';
import { h, clear, field, input, textarea, formError, submitting, values, toast, table, fmtTime, isoDate } from './ui.js';
import { name } from './vocab.js';

const marks = new Map(); // "CHILD/DATE" → {name, reason}, for the report shown
let marksOf = '';        // the kind/period the marks belong to

const tag = (c) => `${c.node}/${c.period}`;

function ownText(own) {
  if (!own) return '未上报';
  if (own.state === 'draft') return `草稿（生成于 ${fmtTime(own.generated_ms)}），尚未上报`;
  return `${name('report_state', own.state)}（${own.submitted_by_name} 于 ${fmtTime(own.submitted_ms)} 报送${own.reviewer_name ? `，${own.reviewer_name} 审核` : ''}）${own.comment ? `，上级意见：${own.comment}` : ''}`;
}

function stateChip(c) {
  if (marks.has(tag(c))) return h('span', { class: 'chip state-missing' }, `标注缺报：${marks.get(tag(c)).reason}`);
  return h('span', { class: `chip state-${c.state}` }, name('report_state', c.state));
}

// The child's report as read by the parent: analysis, the main figures, the review.
function reportDetail(c) {
  const f = c.figures || {};
  return h('div', { class: 'report-detail' },
    h('p', {}, `报送人：${c.submitted_by_name}，${fmtTime(c.submitted_ms)}${c.late ? '（迟报）' : ''}`),
    h('p', {}, `受理 ${f.taken_in ?? '—'}，办结 ${f.closed ?? '—'}${f.withdrawn ? `（其中撤回 ${f.withdrawn}）` : ''}，在办 ${f.pending ?? '—'}，超期 ${f.overdue ?? '—'}，红色风险 ${f.red ?? '—'}`),
    c.disagreements && c.disagreements.length
      ? h('p', { class: 'late' }, '与本级核算不一致：', c.disagreements.map((d) => `${name('figure', d.figure)}：报 ${d.reported}，核 ${d.recomputed}`).join('；')) : null,
    h('h4', {}, '分析研判'), h('pre', { class: 'analysis' }, c.analysis || ''),
    c.comment ? h('p', {}, `审核意见（${c.reviewer_name}）：${c.comment}`) : null);
}

export function reviewForm(c, reload) {
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-review': tag(c) },
    formError(), field('意见', input(), 'comment'),
    h('button', { type: 'submit', class: 'primary', value: 'accept' }, '接收'),
    h('button', { type: 'submit', class: 'secondary', value: 'return' }, '退回'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const accepted = ev.submitter && ev.submitter.value === 'accept';
    submitting(form, async () => {
      await post('/api/v1/reports/review', { node: c.node, kind: c.kind, period: c.period, accepted, comment: values(form).comment || '' });
      toast(accepted ? `已接收${c.name}的报告` : `已退回${c.name}的报告`);
      reload();
    });
  });
  return form;
}

// 标注缺报: the reason is asked for before the mark is kept.
function markForm(c, redraw) {
  if (marks.has(tag(c)))
    return h('button', { type: 'button', class: 'secondary', onclick: () => { marks.delete(tag(c)); redraw(); } }, '取消缺报标注');
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-mark': tag(c) },
    formError(), field('缺报原因', input({ maxlength: 100 }), 'reason'),
    h('button', { type: 'submit', class: 'secondary' }, '标注缺报'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const reason = values(form).reason;
    const slot = form.querySelector('.form-error');
    if (!reason) { slot.textContent = '请填写缺报原因'; slot.hidden = false; return; }
    marks.set(tag(c), { name: c.name || c.node, reason });
    redraw();
  });
  return form;
}

function actions(c, ctx, open, reload, redraw) {
  const out = [];
  if (c.analysis !== undefined)
    out.push(h('button', { type: 'button', class: 'secondary', 'aria-expanded': String(open.has(tag(c))), onclick: () => { if (open.has(tag(c))) open.delete(tag(c)); else open.add(tag(c)); redraw(); } }, open.has(tag(c)) ? '收起' : '查看'));
  if (c.state === 'submitted' && ctx.can('report.review')) out.push(reviewForm(c, reload));
  if ((c.state === 'absent' || c.state === 'returned') && ctx.can('report.submit')) out.push(markForm(c, redraw));
  return h('div', { class: 'buttons' }, out);
}

function submitForm(kind, period, reload) {
  const list = [...marks].map(([t, m]) => ({ node: t.split('/')[0], period: t.split('/')[1], reason: m.reason, name: m.name }));
  const form = h('form', { class: 'card', novalidate: true, 'data-submit': kind },
    h('h3', {}, `上报本级${name('report_kind', kind)}`), formError(),
    list.length ? h('p', {}, `随报标注缺报 ${list.length} 份：`, list.map((m) => `${m.name} ${m.period}（${m.reason}）`).join('、')) : null,
    field('分析研判', textarea({ rows: 4 }), 'analysis', { required: true, wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '上报')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/reports/submit', { kind, period, ...values(form), missing: list.map(({ node, period: p, reason }) => ({ node, period: p, reason })) });
      marks.clear();
      toast('报告已上报');
      reload();
    });
  });
  return form;
}

// The children's reports of the period: those this one rests on (the draft's list), each
// with its full report when it was sent; else the children that send the same kind.
async function childRows(kind, period, r) {
  const { draft } = await get('/api/v1/reports/draft' + query({ kind, period }));
  if (!draft.children.length) return r.children.map((c) => ({ ...c, kind, period: r.period }));
  const periods = [...new Set(draft.children.map((c) => c.period))];
  const sent = await Promise.all(periods.map((p) => get('/api/v1/reports' + query({ kind: draft.children[0].kind, period: p }))));
  const full = new Map();
  sent.forEach((s, i) => { for (const c of s.children) full.set(`${c.node}/${periods[i]}`, c); });
  return draft.children.map((c) => ({ ...full.get(tag(c)), ...c }));
}

export default async function reportsSection(box, ctx, kind, period) {
  const reload = () => reportsSection(box, ctx, kind, period).catch((err) => toast(err.message, 'error'));
  const r = await get('/api/v1/reports' + query({ kind, period }));
  if (marksOf !== `${kind}/${r.period}`) { marks.clear(); marksOf = `${kind}/${r.period}`; }
  const rows = await childRows(kind, period, r);
  const open = new Set();
  const own = r.own;
  const canSubmit = ctx.can('report.submit') && (!own || own.state === 'returned' || own.state === 'draft');
  const children = h('div', { class: 'child-reports' });
  const submitBox = h('div');
  const count = h('p');
  const redraw = () => {
    const pending = rows.filter((c) => (c.state === 'absent' || c.state === 'returned') && !marks.has(tag(c))).length;
    clear(count, rows.length ? `下级报告 ${rows.length} 份，待报送或待重报 ${pending} 份，标注缺报 ${marks.size} 份` : '');
    clear(children, table([
      ['下级', (c) => c.name || c.node],
      ['报告期', (c) => c.period],
      ['状态', stateChip],
      ['迟报', (c) => (c.late ? h('span', { class: 'chip overdue' }, '迟报') : '否')],
      ['受理', (c) => (c.figures ? String(c.figures.taken_in) : '—')],
      ['审核', (c) => h('div', {}, actions(c, ctx, open, reload, redraw), open.has(tag(c)) ? reportDetail(c) : null)],
    ], rows, '本级没有需要报送此类报告的下级', { 'aria-label': '下级报告' }));
    for (const tr of children.querySelectorAll('tbody tr')) tr.dataset.report = tag(rows[tr.rowIndex - 1]);
    clear(submitBox, canSubmit ? submitForm(kind, r.period, reload) : null);
  };
  redraw();
  clear(box,
    h('p', {}, `${name('report_kind', kind)}：${isoDate(r.from_ms)} 至 ${isoDate(r.to_ms - 1)}，报送期限 ${fmtTime(r.due_ms)}`),
    h('p', { class: 'own-report' }, '本级：', ownText(own)),
    count, children, submitBox);
}
