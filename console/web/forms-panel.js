// forms-panel — 文书与打印 on a case's page: the content of each step's form entered where
// the step is (调解笔录 while the case is being mediated, 调解协议书 when an agreement is
// reached, 司法确认申请书 after it, 回访单 after closing: POST /api/v1/cases/<id>/records),
// and a 打印 button for every printable form (GET /api/v1/cases/<id>/forms/<form>.pdf),
// which opens the PDF the node rendered. What is typed in a form is kept in memory per
// case and form until it is saved, so a refusal, a reload of the page by a live event or
// closing the form loses nothing.
import { post } from './api.js';
import { currentPurpose } from './purpose.js';
import { h, clear, field, input, textarea, formError, submitting, values, toast, isoDate } from './ui.js';

const held = (c) => c.where === 'here';
// While the court rules on an application, or once it confirmed the agreement, the two
// forms it was made from stay as they were (the node refuses changes: confirm_pending).
const confirmLocked = (c) => !!c.confirmation && (c.confirmation.decision === '' || c.confirmation.decision === 'confirmed');
const KINDS = [
  { kind: 'mediation_record', label: '调解笔录', when: (c) => held(c) && c.status === 'open', fields: (me, today) => [
    ['date', '调解日期', input({ type: 'date', value: today, max: today }), { required: true }],
    ['place', '调解地点', input(), { required: true }],
    ['mediator', '调解员', input({ value: me }), { required: true }],
    ['recorder', '记录人', input(), {}],
    ['applicant_statement', '申请人陈述', textarea({ rows: 4 }), { required: true, wide: true }],
    ['respondent_statement', '被申请人陈述', textarea({ rows: 4 }), { required: true, wide: true }],
    ['mediator_notes', '调解情况', textarea({ rows: 4 }), { required: true, wide: true }],
  ] },
  { kind: 'agreement', label: '调解协议书', when: (c) => held(c) && !confirmLocked(c) && (c.status === 'open' || c.status === 'resolved'), fields: (me) => [
    ['facts', '纠纷主要事实及争议事项', textarea({ rows: 3 }), { required: true, wide: true }],
    ['terms', '协议内容', textarea({ rows: 4 }), { required: true, wide: true }],
    ['deadline', '履行期限', input({ type: 'date' }), { required: true }],
    ['method', '履行方式', input(), { required: true }],
    ['mediator', '调解员', input({ value: me }), { required: true }],
  ] },
  { kind: 'confirmation_application', label: '司法确认申请书', when: (c, has) => held(c) && !confirmLocked(c) && has.agreement, fields: () => [
    ['court', '受理法院', input(), { required: true }],
    ['request', '请求事项', textarea(), { required: true, wide: true }],
    ['reasons', '事实与理由', textarea({ rows: 4 }), { required: true, wide: true }],
  ] },
  { kind: 'follow_up', label: '回访单', when: (c) => held(c) && c.status === 'closed', fields: (me, today) => [
    ['date', '回访日期', input({ type: 'date', value: today, max: today }), { required: true }],
    ['method', '回访方式', input({ placeholder: '电话、上门……' }), { required: true }],
    ['visitor', '回访人', input({ value: me }), { required: true }],
    ['performance', '协议履行情况', textarea(), { required: true, wide: true }],
    ['opinion', '当事人意见', textarea(), { wide: true }],
  ] },
];

const FORMS = [
  ['intake_register', '受理登记表'], ['receipt', '受理回执'], ['mediation_record', '调解笔录'],
  ['agreement', '调解协议书'], ['confirmation_application', '司法确认申请书'],
  ['follow_up', '回访单'], ['cover', '卷宗封面及卷内目录'],
];

// What was typed, by "case/kind", until saved.
const drafts = new Map();

function recordForm(ctx, c, k, reload) {
  const key = `${c.id}/${k.kind}`;
  const me = ctx.session.user.name || ctx.session.user.user;
  const form = h('form', { class: 'card action-form', novalidate: true, 'data-record': k.kind },
    h('h3', {}, `录入${k.label}`), formError(),
    h('div', { class: 'grid' }, k.fields(me, isoDate(Date.now())).map(([name, label, control, opts]) => field(label, control, name, opts))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, `保存${k.label}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, '收起')));
  for (const [name, value] of Object.entries(drafts.get(key) || {})) {
    const el = form.querySelector(`[name="${name}"]`);
    if (el) el.value = value;
  }
  form.addEventListener('input', () => drafts.set(key, values(form)));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post(`/api/v1/cases/${encodeURIComponent(c.id)}/records`, { kind: k.kind, fields: values(form) });
      drafts.delete(key);
      toast(`${k.label}已保存，可以打印`);
      reload();
    });
  });
  return form;
}

// Fetches the PDF and opens it (a new tab, or a download where the browser keeps PDFs).
async function printForm(c, code, label, button) {
  button.disabled = true;
  try {
    const purpose = currentPurpose() ? `?purpose=${encodeURIComponent(currentPurpose())}` : '';
    const res = await fetch(`/api/v1/cases/${encodeURIComponent(c.id)}/forms/${code}.pdf${purpose}`, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error(body && body.error ? body.error.message : `打印失败（${res.status}）`);
    }
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, target: '_blank', rel: 'noopener', download: `${c.id}-${label}.pdf` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    toast(`${label}已生成`);
  } catch (err) {
    toast(err.message, 'error');
  } finally {
    button.disabled = false;
  }
}

export default function formsPanel(ctx, c, history, reload) {
  if (!ctx.can('case.parties')) return null;
  const has = Object.fromEntries(history.filter((e) => e.kind === 'forms_record').map((e) => [e.details.kind, true]));
  const slot = h('div', { class: 'action-slot' });
  const entries = ctx.can('case.attempt') ? KINDS.filter((k) => k.when(c, has)) : [];
  return h('section', { class: 'case-forms card', 'aria-label': '文书与打印' },
    h('h2', {}, '文书与打印'),
    entries.length ? h('div', { class: 'buttons' }, entries.map((k) => h('button', {
      type: 'button', class: 'secondary', 'data-record': k.kind,
      onclick: () => { clear(slot, recordForm(ctx, c, k, reload)); slot.querySelector('input, textarea')?.focus(); },
    }, `${has[k.kind] ? '修改' : '录入'}${k.label}`))) : null,
    slot,
    h('div', { class: 'buttons print' }, FORMS.map(([code, label]) => {
      const b = h('button', { type: 'button', class: 'secondary', 'data-print': code, title: `打印${label}（PDF）` }, `打印${label}`);
      b.addEventListener('click', () => printForm(c, code, label, b));
      return b;
    })));
}
