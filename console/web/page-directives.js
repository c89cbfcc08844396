// page-directives — 指令: GET /api/v1/directives (督办、排查、通知 from above and sent from
// here), acknowledging those awaiting this node, and sending one down when allowed.
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

function directiveCard(d, ctx, reload) {
  return h('article', { class: `card directive${d.awaiting_me ? ' awaiting' : ''}` },
    h('header', {},
      h('span', { class: `chip kind-${d.kind}` }, name('directive_kind', d.kind)),
      h('strong', {}, d.title),
      d.awaiting_me ? h('span', { class: 'chip warned' }, '待签收') : null),
    h('p', { class: 'meta' }, `${d.origin} · ${d.actor} · ${fmtTime(d.time_ms)}${d.case_id ? ` · 案件 ${d.case_id}` : ''}`),
    d.body ? h('p', {}, d.body) : null,
    d.acks.length ? h('p', { class: 'meta' }, '已签收：', d.acks.map((a) => `${a.node}（${fmtTime(a.time_ms)}${a.note ? `：${a.note}` : ''}）`).join('；')) : null,
    d.pending.length ? h('p', { class: 'meta' }, `未签收：${d.pending.join('、')}`) : null,
    d.awaiting_me && ctx.can('directive.ack') ? ackForm(d, reload) : null);
}

function sendForm(reload) {
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, '下发指令'), formError(),
    h('div', { class: 'grid' },
      field('类型', select(options('directive_kind')), 'kind', { required: true }),
      field('标题', input(), 'title', { required: true }),
      field('相关案件编号', input(), 'case_id'),
      field('含下级全部节点', h('input', { type: 'checkbox', checked: true }), 'subtree')),
    field('内容', textarea(), 'body', { wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '下发给全部下级')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/directives', { to: 'all', ...values(form) });
      toast('指令已下发');
      reload();
    });
  });
  return form;
}

export default async function directivesPage(main, ctx) {
  const { directives } = await get('/api/v1/directives');
  if (ctx.stale()) return;
  const reload = () => directivesPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const awaiting = directives.filter((d) => d.awaiting_me);
  const others = directives.filter((d) => !d.awaiting_me);
  clear(main, h('h1', {}, '指令'),
    h('section', {}, h('h2', {}, `待签收（${awaiting.length}）`),
      awaiting.length ? awaiting.map((d) => directiveCard(d, ctx, reload)) : h('p', { class: 'empty' }, '没有待签收的指令')),
    h('section', {}, h('h2', {}, `全部指令（${others.length}）`),
      others.length ? others.map((d) => directiveCard(d, ctx, reload)) : h('p', { class: 'empty' }, '暂无')),
    ctx.can('directive.send') && ctx.session.status.node.tier !== 'village' ? sendForm(reload) : null);
}
