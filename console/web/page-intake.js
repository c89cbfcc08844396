// page-intake — 一窗受理: the intake form of POST /api/v1/cases. Nothing is checked here
// that the API checks: every fault it names is put beside its field at once
// (parties[1].id_number and so on), so the window shows exactly the rules the node
// enforces. What the form adds: ID numbers made plain as they are typed or pasted (as the
// API does), a counter on each limited field with the API's limits (GET /api/v1/reference
// "intake"), the time limit as this node counts it, and at a township its villages to pick
// from (GET /api/v1/nodes), any other name still allowed. What is typed stays in memory only.
// With #/intake?hazard=<id> it converts that 苗头隐患 into a case: the form starts from the
// hazard (village, category, risk, its title as the summary) and goes to
// POST /api/v1/hazards/<id>/convert, which opens the case by the same intake and links both.
import { get, post } from './api.js';
import { h, clear, field, input, select, textarea, formError, submitting, toast } from './ui.js';
import { options, departments, intakeRules } from './vocab.js';

const PARTY_FIELDS = [
  ['name', '姓名', { autocomplete: 'off' }],
  ['id_number', '身份证号码', { inputmode: 'text', class: 'mono', spellcheck: 'false' }],
  ['phone', '联系电话', { inputmode: 'tel' }],
  ['address', '住址', {}],
];

// As the API makes it plain: no spaces, ASCII digits, X in capitals.
export function plainId(s) {
  return s.replace(/[\s\u3000]/g, '')
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xFF10 + 48))
    .replace(/[xX\uFF38\uFF58]/g, 'X');
}

const chars = (s) => [...s.trim()].length;

// A field with "n/max" beside it, marked when over (the API refuses it then, nothing is cut).
function counted(label, control, path, max, opts) {
  if (!max) return field(label, control, path, opts);
  const counter = h('small', { class: 'counter', 'aria-live': 'polite' });
  const count = () => {
    const n = path.endsWith('id_number') ? plainId(control.value).length : chars(control.value);
    counter.textContent = `${n}/${max}`;
    counter.classList.toggle('over', n > max);
  };
  control.addEventListener('input', count);
  count();
  const f = field(label, control, path, opts);
  f.insertBefore(counter, f.querySelector(':scope > .field-error'));
  return f;
}

function idInput(attrs, value) {
  const el = input({ ...attrs, value });
  el.addEventListener('change', () => {
    el.value = plainId(el.value);
    el.dispatchEvent(new Event('input'));
  });
  return el;
}

function partyBlock(i, p, onRemove, count) {
  const role = select(options('party_role'));
  role.value = p.role || (i === 0 ? 'applicant' : 'respondent');
  return h('fieldset', { class: 'party', 'data-field': `parties[${i}]` },
    h('legend', {}, `当事人 ${i + 1}`),
    h('div', { class: 'grid' },
      field('身份', role, `parties[${i}].role`),
      PARTY_FIELDS.map(([key, label, attrs]) => counted(label,
        key === 'id_number' ? idInput(attrs, p[key] || '') : input({ ...attrs, value: p[key] || '' }),
        `parties[${i}].${key}`, intakeRules.limits[key], { required: true }))),
    count > 1 ? h('button', { type: 'button', class: 'link danger', onclick: () => onRemove(i) }, `删除当事人 ${i + 1}`) : null,
    h('span', { class: 'field-error', role: 'alert' }));
}

// "简易3日，复杂7日（自然日）" from the node's [limits].
function deadlineHint() {
  const d = intakeRules.deadline;
  if (!d) return null;
  const unit = d.working_days ? '个工作日' : '日';
  return `限时办结：简易${d.simple_days}${unit}，复杂${d.complex_days}${unit}（${d.working_days ? '按工作日计' : '按自然日计'}）`;
}

// The villages under this township, for the village field to offer.
async function villageList(node) {
  if (node.tier === 'village') return null;
  const { nodes } = await get('/api/v1/nodes');
  const mine = nodes.filter((n) => n.parent === node.id && n.tier === 'village' && !n.revoked);
  return h('datalist', { id: 'intake-villages' }, mine.map((n) => h('option', { value: n.name })));
}

export default async function intakePage(main, { session, go, params }) {
  const node = session.status.node;
  const villages = await villageList(node);
  const hazardId = params.get('hazard');
  const hazard = hazardId ? (await get(`/api/v1/hazards/${encodeURIComponent(hazardId)}`)).hazard : null;
  const partiesBox = h('div', { class: 'parties', 'data-field': 'parties' });
  const partiesError = h('span', { class: 'field-error', role: 'alert' });
  let parties = [{}, {}];

  const readParties = () => parties.map((_, i) => {
    const p = {};
    for (const key of ['role', ...PARTY_FIELDS.map(([k]) => k)]) p[key] = form.elements[`parties[${i}].${key}`].value.trim();
    p.id_number = plainId(p.id_number);
    return p;
  });
  const drawParties = () => clear(partiesBox,
    parties.map((p, i) => partyBlock(i, p, remove, parties.length)), partiesError);
  const remove = (i) => { parties = readParties(); parties.splice(i, 1); drawParties(); };
  const add = () => { parties = [...readParties(), {}]; drawParties(); };

  const category = select(options('category'), {}, '请选择');
  const dept = h('small', { class: 'hint', 'aria-live': 'polite' });
  category.addEventListener('change', () => { dept.textContent = departments[category.value] ? `归口部门：${departments[category.value]}` : ''; });
  const village = input({ value: node.tier === 'village' ? node.name : '', list: villages ? 'intake-villages' : null });
  const risk = select(options('risk'));
  risk.value = 'blue';
  const limits = intakeRules.limits;
  const summary = textarea({ rows: 4 });
  if (hazard) {
    category.value = hazard.category;
    category.dispatchEvent(new Event('change'));
    village.value = hazard.village;
    risk.value = hazard.risk;
    summary.value = hazard.title;
  }

  const form = h('form', { class: 'card intake', novalidate: true },
    formError(),
    h('h2', {}, '当事人'),
    partiesBox,
    h('button', { type: 'button', class: 'secondary', onclick: add }, '添加当事人'),
    h('h2', {}, '纠纷情况'),
    h('div', { class: 'grid' },
      h('div', { class: 'field-group' }, field('纠纷类别', category, 'category', { required: true }), dept),
      field('事项类型', select(options('matter_type'), {}, '请选择'), 'matter_type', { required: true }),
      counted('所在村（社区）', village, 'village', limits.village,
        { required: true, hint: villages ? '可从本镇所辖村（社区）中选择，也可直接填写' : null }),
      villages,
      field('来源', select(options('source'), {}, '请选择'), 'source', { required: true }),
      counted('外部工单号', input({ name: 'external_ref' }), 'external_ref', limits.external_ref,
        { hint: '12345热线等转来的工单号，可不填；字母、数字、“-”和“_”' }),
      field('繁简程度', select(options('complexity'), {}, '请选择'), 'complexity', { required: true, hint: deadlineHint() }),
      field('风险等级', risk, 'risk')),
    counted('纠纷概要', summary, 'summary', limits.summary, { required: true, wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, hazard ? '转为案件' : '受理登记')));

  drawParties();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const body = { parties: readParties() };
      for (const key of ['category', 'matter_type', 'village', 'source', 'complexity', 'risk', 'summary', 'external_ref']) {
        const v = form.elements[key].value.trim();
        if (v) body[key] = v;
      }
      const path = hazard ? `/api/v1/hazards/${encodeURIComponent(hazard.id)}/convert` : '/api/v1/cases';
      const { case: c } = await post(path, body);
      toast(hazard ? `隐患已转为案件，案件编号 ${c.id}` : `已受理，案件编号 ${c.id}`);
      go(`#/case/${encodeURIComponent(c.id)}`);
    });
  });
  clear(main, h('h1', {}, hazard ? `隐患转为案件：${hazard.title}` : '一窗受理'),
    hazard ? h('p', { class: 'meta' }, `由隐患 ${hazard.id}（${hazard.village}）转入，受理后与隐患相互关联`) : null, form);
}
