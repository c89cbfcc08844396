// page-roster — 名册: the node's people's mediators, lawyers, legal advisers and experts
// (GET /api/v1/roster) with each one's figures (cases handled, agreements, satisfaction
// from follow-ups); a director or admin adds a person, changes one, deactivates and
// reactivates them (POST /api/v1/roster, /api/v1/roster/<id>). A refused form keeps what
// was typed and shows the error beside its field.
import { get, post } from './api.js';
import { h, clear, field, input, select, formError, submitting, values, toast, table, fmtRate } from './ui.js';
import { name, options } from './vocab.js';

function personForm(title, p, submit) {
  const specialties = p ? p.specialties.join('、') : '';
  const form = h('form', { class: 'card action-form roster-form', novalidate: true },
    h('h3', {}, title), formError(),
    h('div', { class: 'grid' },
      field('姓名', input({ value: p ? p.name : '' }), 'name', { required: true }),
      field('类别', select(options('roster_kind'), {}, '请选择'), 'kind', { required: true }),
      field('专长', input({ value: specialties }), 'specialties', { hint: '多项用顿号分隔' }),
      field('所在单位', input({ value: p ? p.organisation : '' }), 'organisation'),
      field('联系电话', input({ value: p && p.phone ? p.phone : '', inputmode: 'tel' }), 'phone')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '保存'),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, '取消')));
  if (p) form.querySelector('[name=kind]').value = p.kind;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, () => submit(values(form)));
  });
  return form;
}

export default async function rosterPage(main, ctx) {
  const kind = ctx.params.get('kind') || '';
  const box = await get(`/api/v1/roster${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`);
  if (ctx.stale()) return;
  const edit = ctx.can('roster.edit');
  const slot = h('div', { class: 'action-slot' });
  const reload = () => rosterPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const save = (path, done) => async (v) => {
    const out = await post(path, { ...v, specialties: v.specialties || '', organisation: v.organisation || '', phone: v.phone || '' });
    toast(`${done}：${out.person.name}（${out.person.id}）`);
    reload();
  };
  const open = (form) => { clear(slot, form); slot.querySelector('input')?.focus(); };
  const setActive = (p, active) => async () => {
    try {
      await post(`/api/v1/roster/${encodeURIComponent(p.id)}`, { active });
      toast(`${active ? '已恢复' : '已停用'}：${p.name}`);
      reload();
    } catch (err) { toast(err.message, 'error'); }
  };
  const columns = [
    ['编号', (p) => p.id],
    ['姓名', (p) => p.name],
    ['类别', (p) => p.kind_name],
    ['专长', (p) => p.specialties.join('、') || '—'],
    ['所在单位', (p) => p.organisation || '—'],
    ['联系电话', (p) => p.phone || '—'],
    ['状态', (p) => h('span', { class: `chip${p.active ? '' : ' bad'}` }, p.active ? '在用' : '已停用')],
    ['办理案件', (p) => String(p.cases)],
    ['调解成功', (p) => String(p.agreements)],
    ['回访满意率', (p) => fmtRate(p.satisfaction.rate)],
    ['', (p) => (edit ? h('span', { class: 'row-actions', 'data-person': p.id },
      h('button', { type: 'button', class: 'secondary', onclick: () => open(personForm(`修改：${p.name}`, p, save(`/api/v1/roster/${encodeURIComponent(p.id)}`, '已修改'))) }, '修改'),
      h('button', { type: 'button', class: 'secondary', 'data-switch': p.active ? 'off' : 'on', onclick: setActive(p, !p.active) }, p.active ? '停用' : '恢复')) : null)],
  ];
  clear(main,
    h('h1', {}, '名册'),
    h('nav', { class: 'filters', 'aria-label': '类别' },
      [['', '全部'], ...options('roster_kind')].map(([k, label]) =>
        h('a', { href: `#/roster${k ? `?kind=${k}` : ''}`, class: k === kind ? 'active' : null }, label))),
    edit ? h('button', { type: 'button', class: 'primary', id: 'roster-add', onclick: () => open(personForm('新增名册人员', null, save('/api/v1/roster', '已加入名册'))) }, '新增人员') : null,
    slot,
    table(columns, box.people, '名册中暂无人员', { class: 'roster' }),
    h('p', { class: 'meta' }, '名册为本节点的参考资料，不随事件上报；联系电话加密保存，仅对可查看当事人信息或维护名册的岗位显示。'));
}
