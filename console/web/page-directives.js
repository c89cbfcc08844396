// page-directives — 指令: GET /api/v1/directives (督办、排查、通知 from above and sent from
// here), acknowledging those awaiting this node, and sending one down when allowed: to all
// children, or to children picked by name (with their subtrees or not), optionally about a
// case (#/directives?case=ID fills it in). Every node and person is shown by name.
// directiveCard is also the case page's list of the directives about a case.
import { get, post } from './api.js';
import { h, clear, field, input, select, textarea, formError, submitting, values, toast, fmtTime } from './ui.js';
import { name, options } from './vocab.js';

function ackForm(d, reload) {
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-directive': d.id },
    formError(),
    field('回复', input({ placeholder: '可填写落实情况' }), 'note'),
    h('button', { type: 'submit', class: 'primary' }, '签收'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/directives/ack', { id: d.id, ...values(form) });
      toast('已签收');
      reload();
    });
  });
  return form;
}

const names = (nodes) => nodes.map((n) => n.name).join('、');

export function directiveCard(d, ctx, reload) {
  const to = d.target_nodes.length ? `${names(d.target_nodes)}${d.subtree ? '（含下级）' : ''}` : '';
  return h('article', { class: `card directive${d.awaiting_me ? ' awaiting' : ''}`, 'data-id': d.id },
    h('header', {},
      h('span', { class: `chip kind-${d.kind}` }, name('directive_kind', d.kind)),
      h('strong', {}, d.title),
      d.awaiting_me ? h('span', { class: 'chip warned' }, '待签收') : null),
    h('p', { class: 'meta' }, `${d.origin_name} · ${d.actor_name} · ${fmtTime(d.time_ms)}`,
      d.case_id ? [' · 案件 ', h('a', { href: `#/case/${encodeURIComponent(d.case_id)}`, class: 'mono' }, d.case_id)] : null),
    to ? h('p', { class: 'meta to' }, `下发给：${to}`) : null,
    d.body ? h('p', {}, d.body) : null,
    d.acks.length ? h('p', { class: 'meta acks' }, '已签收：', d.acks.map((a) => `${a.node_name}（${fmtTime(a.time_ms)}${a.note ? `：${a.note}` : ''}）`).join('；')) : null,
    d.pending_nodes.length ? h('p', { class: 'meta pending' }, `未签收：${names(d.pending_nodes)}`) : null,
    d.awaiting_me && ctx.can('directive.ack') ? ackForm(d, reload) : null);
}

// Whom to send to: all children, or the children ticked (each by name), with their subtrees
// when asked.
function scopePicker(children) {
  const picks = h('fieldset', { class: 'children', hidden: true },
    h('legend', {}, '选择下级'),
    children.map((n) => h('label', { class: 'check' }, h('input', { type: 'checkbox', 'data-child': n.id }), ` ${n.name}`)),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'subtree' }), ' 含所选节点的全部下级'));
  const scope = select([['all', '全部下级'], ['chosen', '选定的下级']], { 'data-scope': true });
  scope.addEventListener('change', () => { picks.hidden = scope.value !== 'chosen'; });
  return { scope, picks };
}

function sendForm(children, cases, caseId, reload) {
  const { scope, picks } = scopePicker(children);
  const list = h('datalist', { id: 'directive-cases' }, cases.map((c) => h('option', { value: c.id }, c.summary)));
  const form = h('form', { class: 'card send-directive', novalidate: true },
    h('h2', {}, '下发指令'), formError(),
    h('div', { class: 'grid' },
      field('类型', select(options('directive_kind')), 'kind', { required: true }),
      field('标题', input(), 'title', { required: true }),
      field('相关案件编号', input({ list: 'directive-cases', value: caseId || undefined }), 'case_id', { hint: '可不填' }),
      field('下发范围', scope, null)),
    picks, list,
    field('内容', textarea(), 'body', { wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '下发')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const v = values(form);
      const chosen = [...picks.querySelectorAll('[data-child]:checked')].map((el) => el.dataset.child);
      const body = scope.value === 'all' ? { ...v, to: 'all', subtree: undefined } : { ...v, to: chosen };
      await post('/api/v1/directives', body);
      toast('指令已下发');
      reload();
    });
  });
  return form;
}

export default async function directivesPage(main, ctx) {
  const sender = ctx.can('directive.send') && ctx.session.status.node.tier !== 'village';
  const [{ directives }, nodes, cases] = await Promise.all([get('/api/v1/directives'),
    sender ? get('/api/v1/nodes') : { nodes: [] }, sender ? get('/api/v1/cases?limit=200') : { cases: [] }]);
  if (ctx.stale()) return;
  const reload = () => directivesPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const self = ctx.session.status.node.id;
  const children = nodes.nodes.filter((n) => n.parent === self && !n.revoked);
  const awaiting = directives.filter((d) => d.awaiting_me);
  const others = directives.filter((d) => !d.awaiting_me);
  clear(main, h('h1', {}, '指令'),
    h('section', {}, h('h2', {}, `待签收（${awaiting.length}）`),
      awaiting.length ? awaiting.map((d) => directiveCard(d, ctx, reload)) : h('p', { class: 'empty' }, '没有待签收的指令')),
    h('section', {}, h('h2', {}, `全部指令（${others.length}）`),
      others.length ? others.map((d) => directiveCard(d, ctx, reload)) : h('p', { class: 'empty' }, '暂无')),
    sender && children.length ? sendForm(children, cases.cases, ctx.params.get('case'), reload) : null);
}
