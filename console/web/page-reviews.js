// page-reviews — 分析研判: the quarterly and half-year reviews (every tier) and, at a
// township, the monthly 研判 meeting record, as reports of those kinds (docs/api.md
// REVIEW): the period's figures from the ledger (GET /api/v1/reports/draft), this node's
// review with its decisions and action items and the form to submit it (POST
// /api/v1/reports/submit: a failure keeps what was typed, the message beside its field),
// the children's reviews to read, accept or return (report-review.js's form), and each
// action item of a review made here sent down to the children as a directive (POST
// /api/v1/directives).
import { get, post, query } from './api.js';
import { h, clear, banner, field, input, select, textarea, formError, submitting, values, toast, table, fmtTime, isoDate } from './ui.js';
import { name } from './vocab.js';
import { reviewForm } from './report-review.js';

// The first day of the period of `kind` containing today.
function periodStart(kind) {
  const [y, m] = isoDate(Date.now()).split('-').map(Number);
  const first = kind === 'quarterly' ? m - ((m - 1) % 3) : kind === 'halfyear' ? (m <= 6 ? 1 : 7) : m;
  return `${y}-${String(first).padStart(2, '0')}-01`;
}

const lines = (s) => (s || '').split('\n').map((x) => x.trim()).filter(Boolean);

// "事项｜责任人｜期限" per line → {text, owner, due}.
function actionItems(s) {
  return lines(s).map((l) => {
    const [text, owner = '', due = ''] = l.split(/[|｜]/).map((x) => x.trim());
    return { text, owner, due };
  });
}

function figuresLine(f) {
  const hz = f.hazards || {};
  return `受理 ${f.taken_in}，化解 ${f.resolved}，办结 ${f.closed}${f.withdrawn ? `（其中撤回 ${f.withdrawn}）` : ''}，在办 ${f.pending}，超期 ${f.overdue}，红色风险 ${f.red}；` +
    `隐患登记 ${hz.registered ?? 0}，转为案件 ${hz.converted ?? 0}，化解 ${hz.resolved ?? 0}，监测中 ${hz.watching ?? 0}`;
}

// A review's record as people read it.
function reviewBody(r) {
  const v = r.review || {};
  return h('div', { class: 'review-record' },
    v.meeting_date ? h('p', {}, `会议日期：${v.meeting_date}；参会人员：${(v.attendees || []).join('、')}`) : null,
    v.cases && v.cases.length ? h('p', {}, '研判案件：', v.cases.map((id, i) => [i ? '、' : '', h('a', { href: `#/case/${encodeURIComponent(id)}`, class: 'mono' }, id)])) : null,
    h('h4', {}, '分析研判'), h('pre', { class: 'analysis' }, r.analysis || ''),
    h('h4', {}, '研判结论'), h('ul', { class: 'decisions' }, (v.decisions || []).map((d) => h('li', {}, d))),
    v.actions && v.actions.length ? [h('h4', {}, '落实事项'),
      table([['事项', (a) => a.text], ['责任人', (a) => a.owner || '—'], ['期限', (a) => a.due || '—']], v.actions, '', { class: 'actions-list' })] : null);
}

function submitForm(kind, period, reload) {
  const meeting = kind === 'meeting';
  const form = h('form', { class: 'card submit-review', novalidate: true, 'data-kind': kind },
    h('h2', {}, `报送本级${name('report_kind', kind)}`), formError(),
    meeting ? h('div', { class: 'grid' },
      field('会议日期', input({ type: 'date', value: isoDate(Date.now()) }), 'review.meeting_date', { required: true }),
      field('参会人员', textarea({ rows: 2, 'data-list': 'attendees' }), 'review.attendees', { required: true, hint: '每行一人' }),
      field('研判案件编号', textarea({ rows: 2, 'data-list': 'cases' }), 'review.cases', { hint: '每行一个' })) : null,
    field('分析研判', textarea({ rows: 4 }), 'analysis', { required: true, wide: true }),
    field('研判结论', textarea({ rows: 3, 'data-list': 'decisions' }), 'review.decisions', { required: true, wide: true, hint: '每行一条' }),
    field('落实事项', textarea({ rows: 3, 'data-list': 'actions' }), 'review.actions', { wide: true, hint: '每行一项：事项｜责任人｜完成期限（YYYY-MM-DD）' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '报送')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const v = values(form);
      const review = {
        decisions: lines(v['review.decisions']),
        actions: actionItems(v['review.actions']),
      };
      if (meeting) Object.assign(review, { meeting_date: v['review.meeting_date'] || '', attendees: lines(v['review.attendees']), cases: lines(v['review.cases']) });
      await post('/api/v1/reports/submit', { kind, period, analysis: v.analysis || '', review });
      toast(`${name('report_kind', kind)}已报送`);
      reload();
    });
  });
  return form;
}

// An action item of this node's review sent down as a directive: to all children or one.
function directiveForm(a, own, children) {
  const to = select([['all', '全部下级'], ...children.map((n) => [n.id, n.name])], { 'aria-label': '下发给' });
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-action': a.text },
    formError(), field('下发给', to, 'to'),
    h('button', { type: 'submit', class: 'secondary' }, '转为指令'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const body = `来源：${name('report_kind', own.kind)}（${own.period}）${a.owner ? `；责任人：${a.owner}` : ''}${a.due ? `；完成期限：${a.due}` : ''}`;
      await post('/api/v1/directives', { kind: 'notice', title: a.text, body, to: to.value === 'all' ? 'all' : [to.value] });
      toast(`已下发指令：${a.text}`);
    });
  });
  return form;
}

function ownSection(own, ctx, children) {
  if (!own || own.state === 'draft') return h('p', { class: 'own-report' }, '本级：未报送');
  const send = ctx.can('directive.send') && children.length;
  const acts = (own.review && own.review.actions) || [];
  return h('section', { class: 'own-review' },
    h('p', { class: 'own-report' }, `本级：${name('report_state', own.state)}（${own.submitted_by_name} 于 ${fmtTime(own.submitted_ms)} 报送${own.reviewer_name ? `，${own.reviewer_name} 审核` : ''}）${own.comment ? `，上级意见：${own.comment}` : ''}`),
    reviewBody(own),
    send && acts.length ? h('div', { class: 'action-directives' }, h('h4', {}, '落实事项转为指令'),
      acts.map((a) => h('div', { class: 'action-item' }, h('span', {}, a.text), directiveForm(a, own, children)))) : null);
}

function childSection(r, ctx, reload) {
  const open = new Set();
  const box = h('div', { class: 'child-reviews' });
  const draw = () => clear(box, table([
    ['下级', (c) => c.name || c.node],
    ['状态', (c) => h('span', { class: `chip state-${c.state}` }, name('report_state', c.state))],
    ['报送', (c) => (c.submitted_ms ? `${c.submitted_by_name} ${fmtTime(c.submitted_ms)}` : '—')],
    ['审核', (c) => h('div', { 'data-review-of': c.node },
      c.analysis !== undefined ? h('button', { type: 'button', class: 'secondary', onclick: () => { if (open.has(c.node)) open.delete(c.node); else open.add(c.node); draw(); } }, open.has(c.node) ? '收起' : '查看') : null,
      c.state === 'submitted' && ctx.can('report.review') ? reviewForm({ ...c, kind: r.kind, period: r.period }, reload) : null,
      open.has(c.node) ? reviewBody(c) : null)],
  ], r.children, '没有应报送的下级', { 'aria-label': '下级分析研判' }));
  draw();
  return box;
}

async function section(box, ctx, kind, period) {
  const reload = () => section(box, ctx, kind, period).catch((err) => clear(box, banner(err.message, 'error')));
  const self = ctx.session.status.node.id;
  const [r, { draft }, nodes] = await Promise.all([get('/api/v1/reports' + query({ kind, period })),
    get('/api/v1/reports/draft' + query({ kind, period })), get('/api/v1/nodes')]);
  const children = nodes.nodes.filter((n) => n.parent === self && !n.revoked);
  const mayKind = kind !== 'meeting' || ctx.session.status.node.tier === 'township';
  const canSubmit = mayKind && ctx.can('report.submit') && (!r.own || r.own.state === 'returned' || r.own.state === 'draft');
  clear(box,
    h('p', {}, `${name('report_kind', kind)}：${isoDate(r.from_ms)} 至 ${isoDate(r.to_ms - 1)}，报送期限 ${fmtTime(r.due_ms)}`),
    h('p', { class: 'review-figures' }, '本期台账数字：', figuresLine(draft.figures)),
    ownSection(r.own, ctx, children),
    canSubmit ? submitForm(kind, r.period, reload) : null,
    children.length ? [h('h3', {}, '下级报送'), childSection(r, ctx, reload)] : null);
}

export default async function reviewsPage(main, ctx) {
  const tier = ctx.session.status.node.tier;
  const kinds = [['quarterly', '季度分析研判'], ['halfyear', '半年分析研判']];
  if (tier === 'township' || tier === 'county') kinds.push(['meeting', tier === 'township' ? '月研判会议记录' : '月研判会议记录（乡镇）']);
  const kind = ctx.params.get('kind') || 'quarterly';
  const kindSelect = select(kinds, { 'aria-label': '类型' });
  kindSelect.value = kind;
  const periodInput = input({ type: 'date', value: ctx.params.get('period') || periodStart(kind) });
  const box = h('div', { class: 'reviews' });
  const show = () => ctx.go('#/reviews' + query({ kind: kindSelect.value, period: kindSelect.value === kind ? periodInput.value : periodStart(kindSelect.value) }));
  kindSelect.addEventListener('change', show);
  periodInput.addEventListener('change', show);
  clear(main, h('h1', {}, '分析研判'),
    h('div', { class: 'filters' }, field('类型', kindSelect, 'kind'), field('期间（首日）', periodInput, 'period')), box);
  await section(box, ctx, kind, periodInput.value);
}
