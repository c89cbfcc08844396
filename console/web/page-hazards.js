// page-hazards — 隐患台账: the 苗头隐患 register of this node and its subtree (GET
// /api/v1/hazards), registering a hazard (POST /api/v1/hazards), and one hazard at
// #/hazard/<id> (GET /api/v1/hazards/<id>) with its check-ins, a check-in, closing it as
// resolved, and converting it into a case through the intake form pre-filled from it
// (#/intake?hazard=<id>, page-intake.js). Only the node that registered a hazard acts on
// it; the description and notes are shown only where they were written. A form that fails
// keeps what was typed, with the API's message beside the field it names.
import { get, post, query } from './api.js';
import { h, clear, field, input, select, textarea, formError, submitting, values, toast, table, riskChip, fmtDate, fmtTime, isoDate } from './ui.js';
import { options } from './vocab.js';

const STATES = [['watching', '监测中'], ['converted', '已转为案件'], ['closed', '已化解']];

const hazardLink = (x) => h('a', { href: `#/hazard/${encodeURIComponent(x.id)}`, class: 'mono' }, x.id);

function dueCell(x) {
  if (x.state !== 'watching') return '—';
  return [fmtDate(x.next_due_ms), x.overdue ? h('span', { class: 'chip overdue' }, '走访逾期') : null];
}

function hazardTable(list) {
  return table([
    ['编号', hazardLink],
    ['村（社区）', (x) => x.village],
    ['隐患事项', (x) => x.title],
    ['类别', (x) => x.category_name],
    ['风险', (x) => riskChip(x.risk)],
    ['状态', (x) => h('span', { class: `chip hazard-${x.state}` }, x.state_name)],
    ['下次走访', dueCell],
    ['跟踪责任人', (x) => x.watcher],
    ['登记节点', (x) => x.node_name],
    ['案件', (x) => (x.case_id ? h('a', { href: `#/case/${encodeURIComponent(x.case_id)}`, class: 'mono' }, x.case_id) : '—')],
  ], list, '暂无隐患', { class: 'hazards' });
}

function addForm(ctx, reload) {
  const node = ctx.session.status.node;
  const risk = select(options('risk'));
  risk.value = 'yellow';
  const form = h('form', { class: 'card add-hazard', novalidate: true },
    h('h2', {}, '登记隐患'), formError(),
    h('div', { class: 'grid' },
      field('所在村（社区）', input({ value: node.tier === 'village' ? node.name : '' }), 'village', { required: true }),
      field('隐患事项', input({ placeholder: '不写当事人姓名' }), 'title', { required: true }),
      field('类别', select(options('category'), {}, '请选择'), 'category', { required: true }),
      field('风险等级', risk, 'risk', { required: true, hint: '红色每周、橙色每两周、黄色每月、蓝色每季度走访一次' }),
      field('跟踪责任人', input({ value: ctx.session.user.name || '' }), 'watcher', { required: true })),
    field('隐患情况', textarea({ rows: 3 }), 'description', { wide: true, hint: '可写明涉及人员，仅本节点可见，加密保存' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '登记')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const { hazard } = await post('/api/v1/hazards', values(form));
      toast(`已登记隐患 ${hazard.id}`);
      reload();
    });
  });
  return form;
}

export default async function hazardsPage(main, ctx) {
  const state = ctx.params.get('state') || '';
  const { hazards, total } = await get('/api/v1/hazards' + query({ state }));
  if (ctx.stale()) return;
  const filter = select(STATES, { 'aria-label': '状态' }, '全部');
  filter.value = state;
  filter.addEventListener('change', () => ctx.go('#/hazards' + query({ state: filter.value })));
  const reload = () => hazardsPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const overdue = hazards.filter((x) => x.overdue).length;
  clear(main, h('h1', {}, '隐患台账'),
    h('div', { class: 'filters' }, field('状态', filter, null)),
    h('p', { class: 'meta' }, `共 ${total} 条${overdue ? `，走访逾期 ${overdue} 条` : ''}`),
    hazardTable(hazards),
    ctx.can('case.create') ? addForm(ctx, reload) : null);
}

// ---- one hazard ------------------------------------------------------------------------

function stepForm(title, path, fields, button, done) {
  const form = h('form', { class: 'card hazard-step', novalidate: true, 'data-step': path.split('/').pop() },
    h('h2', {}, title), formError(), h('div', { class: 'grid' }, fields), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, button)));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post(path, values(form));
      toast(done);
      form.dispatchEvent(new CustomEvent('done'));
    });
  });
  return form;
}

export async function hazardPage(main, ctx) {
  const { hazard: x } = await get(`/api/v1/hazards/${encodeURIComponent(ctx.arg)}`);
  if (ctx.stale()) return;
  const here = x.node === ctx.session.status.node.id && x.state === 'watching';
  const path = `/api/v1/hazards/${encodeURIComponent(x.id)}`;
  const reload = () => hazardPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const today = isoDate(Date.now());
  const forms = [];
  if (here && ctx.can('case.risk')) {
    const risk = select(options('risk'), {}, '不变');
    forms.push(stepForm('记录走访', `${path}/checkin`, [
      field('走访日期', input({ type: 'date', value: today, max: today }), 'date', { required: true }),
      field('风险等级', risk, 'risk'),
      field('走访情况', textarea(), 'note', { required: true, wide: true }),
    ], '记录走访', '已记录走访'));
  }
  if (here && ctx.can('case.close'))
    forms.push(stepForm('化解销号', `${path}/close`, [field('化解情况', textarea(), 'result', { required: true, wide: true })], '化解销号', '隐患已化解销号'));
  for (const f of forms) f.addEventListener('done', reload);
  const rows = [
    ['登记', `${x.node_name} · ${x.registered_by} · ${fmtTime(x.registered_ms)}`],
    ['村（社区）', x.village], ['类别', x.category_name], ['风险', riskChip(x.risk)],
    ['状态', x.state_name], ['跟踪责任人', x.watcher],
    ['走访周期', `每 ${x.checkin_days} 天`],
    ['下次走访', dueCell(x)],
    ['隐患情况', x.description ?? (x.sealed_here ? '（无权查看）' : '（仅登记节点可见）')],
    ['转为案件', x.case_id ? h('a', { href: `#/case/${encodeURIComponent(x.case_id)}`, class: 'mono' }, x.case_id) : '—'],
    ['化解情况', x.result || '—'],
  ];
  clear(main, h('h1', {}, `隐患 ${x.title}`),
    h('p', { class: 'meta' }, h('a', { href: '#/hazards' }, '← 隐患台账'), ` · ${x.id}`),
    h('dl', { class: 'facts hazard-fields' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, `走访记录（${x.checkin_list.length}）`),
    table([['日期', (c) => c.date], ['走访人', (c) => c.by], ['风险', (c) => riskChip(c.risk)], ['情况', (c) => c.note ?? '（仅登记节点可见）']],
      x.checkin_list, '尚未走访', { class: 'checkins' }),
    forms,
    here && ctx.can('case.create')
      ? h('p', { class: 'actions' }, h('a', { class: 'button primary convert', href: `#/intake${query({ hazard: x.id })}` }, '转为案件（一窗受理）'))
      : null);
}
