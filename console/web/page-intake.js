// page-intake — 一窗受理: the intake form of POST /api/v1/cases. Nothing is checked here
// that the API checks: its message is put beside the field it names (parties[1].id_number
// and so on), so the window shows exactly the rules the node enforces.
import { post } from './api.js';
import { h, clear, field, input, select, textarea, formError, submitting, toast } from './ui.js';
import { options, departments } from './vocab.js';

const PARTY_FIELDS = [
  ['name', '姓名', { autocomplete: 'off' }],
  ['id_number', '身份证号码', { inputmode: 'text', maxlength: 18, class: 'mono' }],
  ['phone', '联系电话', { inputmode: 'tel' }],
  ['address', '住址', {}],
];

function partyBlock(i, p, onRemove, count) {
  const role = select(options('party_role'));
  role.value = p.role || (i === 0 ? 'applicant' : 'respondent');
  return h('fieldset', { class: 'party', 'data-field': `parties[${i}]` },
    h('legend', {}, `当事人 ${i + 1}`),
    h('div', { class: 'grid' },
      field('身份', role, `parties[${i}].role`),
      PARTY_FIELDS.map(([key, label, attrs]) =>
        field(label, input({ ...attrs, value: p[key] || '' }), `parties[${i}].${key}`, { required: true }))),
    count > 1 ? h('button', { type: 'button', class: 'link danger', onclick: () => onRemove(i) }, `删除当事人 ${i + 1}`) : null,
    h('span', { class: 'field-error', role: 'alert' }));
}

export default async function intakePage(main, { session, go }) {
  const node = session.status.node;
  const partiesBox = h('div', { class: 'parties', 'data-field': 'parties' });
  const partiesError = h('span', { class: 'field-error', role: 'alert' });
  let parties = [{}, {}];

  const readParties = () => parties.map((_, i) => {
    const p = {};
    for (const key of ['role', ...PARTY_FIELDS.map(([k]) => k)]) p[key] = form.elements[`parties[${i}].${key}`].value.trim();
    return p;
  });
  const drawParties = () => clear(partiesBox,
    parties.map((p, i) => partyBlock(i, p, remove, parties.length)), partiesError);
  const remove = (i) => { parties = readParties(); parties.splice(i, 1); drawParties(); };
  const add = () => { parties = [...readParties(), {}]; drawParties(); };

  const category = select(options('category'), {}, '请选择');
  const dept = h('small', { class: 'hint', 'aria-live': 'polite' });
  category.addEventListener('change', () => { dept.textContent = departments[category.value] ? `归口部门：${departments[category.value]}` : ''; });
  const village = input({ value: node.tier === 'village' ? node.name : '' });
  const risk = select(options('risk'));
  risk.value = 'blue';

  const form = h('form', { class: 'card intake', novalidate: true },
    formError(),
    h('h2', {}, '当事人'),
    partiesBox,
    h('button', { type: 'button', class: 'secondary', onclick: add }, '添加当事人'),
    h('h2', {}, '纠纷情况'),
    h('div', { class: 'grid' },
      h('div', { class: 'field-group' }, field('纠纷类别', category, 'category', { required: true }), dept),
      field('事项类型', select(options('matter_type'), {}, '请选择'), 'matter_type', { required: true }),
      field('所在村（社区）', village, 'village', { required: true }),
      field('来源', select(options('source'), {}, '请选择'), 'source', { required: true }),
      field('繁简程度', select(options('complexity'), {}, '请选择'), 'complexity', { required: true, hint: '简易3个工作日，复杂7个工作日' }),
      field('风险等级', risk, 'risk')),
    field('纠纷概要', textarea({ rows: 4, maxlength: 2000 }), 'summary', { required: true, wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '受理登记')));

  drawParties();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const body = { parties: readParties() };
      for (const key of ['category', 'matter_type', 'village', 'source', 'complexity', 'risk', 'summary']) {
        const v = form.elements[key].value.trim();
        if (v) body[key] = v;
      }
      const { case: c } = await post('/api/v1/cases', body);
      toast(`已受理，案件编号 ${c.id}`);
      go(`#/case/${encodeURIComponent(c.id)}`);
    });
  });
  clear(main, h('h1', {}, '一窗受理'), form);
}
