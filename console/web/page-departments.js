// page-departments — 入驻部门: the departments seated in this centre (GET
// /api/v1/departments), added and edited by the director or the administrator
// (department.table), and their timeliness this month from the ledger (GET /api/v1/ledger
// "departments": received, signed for on time, overdue, returned, results on time).
import { get, post } from './api.js';
import { h, clear, table, fmtRate, field, input, textarea, formError, submitting, values, toast, isoDate } from './ui.js';

function addForm(reload) {
  const form = h('form', { class: 'card action-form', novalidate: true, 'data-action': 'department-add' },
    h('h3', {}, '添加部门'), formError(),
    h('div', { class: 'grid' },
      field('部门名称', input(), 'name', { required: true }),
      field('签收时限（工作小时）', input({ type: 'number', min: 0, max: 240 }), 'sign_hours', { hint: '0 或不填：本中心默认' }),
      field('职责', textarea(), 'duty', { wide: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '添加')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const v = values(form);
      await post('/api/v1/departments', v);
      toast(`已添加部门：${v.name}`);
      reload();
    });
  });
  return form;
}

async function toggle(d, reload) {
  try {
    await post('/api/v1/departments/edit', { name: d.name, disabled: !d.disabled });
    toast(`${d.name}已${d.disabled ? '启用' : '停用'}`);
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

export default async function departmentsPage(main, ctx) {
  const now = Date.now();
  const from = `${isoDate(now).slice(0, 8)}01`;
  const [{ departments, sign_hours: hours, work_hours: work }, { ledger }] = await Promise.all([
    get('/api/v1/departments'), get(`/api/v1/ledger?from=${from}&to=${isoDate(now)}`)]);
  if (ctx.stale()) return;
  const edit = ctx.can('department.table');
  const reload = () => departmentsPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const figures = ledger.departments || {};
  const rows = Object.entries(figures).map(([name, f]) => ({ name, ...f }));
  clear(main,
    h('h1', {}, '入驻部门'),
    h('p', { class: 'meta' }, `签收时限默认 ${hours} 个工作小时（工作时间 ${work}）。`),
    h('h2', {}, '部门办理时效（本月）'),
    table([
      ['部门', (r) => h('a', { href: `#/workbench?department=${encodeURIComponent(r.name)}` }, r.name)],
      ['收案', (r) => String(r.received)],
      ['按时签收', (r) => String(r.signed_on_time)],
      ['签收逾期', (r) => String(r.overdue)],
      ['退回', (r) => String(r.returned)],
      ['反馈结果', (r) => String(r.done)],
      ['按时办结', (r) => String(r.closed_on_time)],
      ['按时签收率', (r) => fmtRate(r.sign_on_time_rate)],
    ], rows, '本月尚无分流至部门的案件', { class: 'dept-timeliness' }),
    h('h2', {}, '部门'),
    table([
      ['部门', (d) => d.name],
      ['职责', (d) => d.duty || '—'],
      ['签收时限', (d) => (d.sign_hours ? `${d.sign_hours} 个工作小时` : '本中心默认')],
      ['状态', (d) => (d.disabled ? '已停用' : '启用')],
      ...(edit ? [['', (d) => h('button', { type: 'button', class: 'secondary', onclick: () => toggle(d, reload) }, d.disabled ? '启用' : '停用')]] : []),
    ], departments, '暂无部门', { class: 'departments' }),
    edit ? addForm(reload) : null);
}
