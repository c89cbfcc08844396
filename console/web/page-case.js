// page-case — 一案一卷: one case's file from GET /api/v1/cases/<id> (the case, the parties
// this node may open, every event of every tier as a timeline), and the actions of
// docs/api.md "Case actions" in place. An action is offered when the user's permissions
// include it and the case is where it applies (held here, open, …); the API decides. Its
// SMS (短信通知: receipts and notices, by status) close the page (sms-table.js).
import { get, post } from './api.js';
import { h, clear, banner, field, input, select, textarea, formError, submitting, values, toast, table, riskChip, statusChip, fmtTime, isoDate } from './ui.js';
import { name, options, departments } from './vocab.js';
import { directiveCard } from './page-directives.js';
import { caseAccessSection } from './page-access.js';
import { currentPurpose, purposeLine, purposePicker } from './purpose.js';
import formsPanel from './forms-panel.js';
import { followupFields, followupChip } from './page-followups.js';
import { partsTable } from './dept.js';
import { smsTable } from './sms-table.js';
import { documentsSection } from './case-documents.js';
import { interopCard, confirmCard, confirmForm } from './interop-card.js';

const open = (c) => c.where === 'here' && c.status === 'open';
const live = (c) => c.where === 'here' && (c.status === 'open' || c.status === 'resolved');
const yesNo = [['true', '批准'], ['false', '不批准']];

// The current part of the signed-in department's account in case c (undefined if none).
function myPart(ctx, c) {
  const mine = ctx.session.user.department;
  return ((c.departments && c.departments.parts) || [])
    .filter((p) => mine && p.department === mine && (p.state === 'to_sign' || p.state === 'in_hand')).pop();
}

// Each action: the API's name, its button, the permission it needs, when it applies, its
// fields [member, label, control, options], and how the form becomes the body.
function actions(ctx, children, pick, depts) {
  const today = isoDate(Date.now());
  const enabled = depts.filter((d) => !d.disabled).map((d) => [d.name, d.name]);
  const part = (state) => (c) => c.where === 'here' && myPart(ctx, c) && state.includes(myPart(ctx, c).state);
  return [
    { action: 'departments/route', label: '分流至部门', perm: 'case.route', when: open, fields: () => [
      ['lead', '牵头部门', select(enabled, {}, '请选择'), { required: true }],
      ['helpers', '协办部门', input({ list: 'dept-names' }), { hint: '可不填；多个部门用逗号分隔，如：派出所,妇联' }],
      ['reason', '分流意见', textarea(), { required: true, wide: true }],
    ] },
    { action: 'departments/sign', label: '签收', perm: 'department.act', when: part(['to_sign']), fields: () => [
      ['note', '签收意见', textarea(), { wide: true }],
    ] },
    { action: 'departments/return', label: '退回', perm: 'department.act', when: part(['to_sign', 'in_hand']), fields: () => [
      ['reason', '退回理由', textarea(), { required: true, wide: true }],
    ] },
    { action: 'departments/feedback', label: '反馈', perm: 'department.act', when: part(['in_hand']), fields: () => [
      ['text', '反馈内容', textarea(), { required: true, wide: true }],
      ['final', '这是办理结果（本部门事项办结）', h('input', { type: 'checkbox' }), {}],
    ] },
    { action: 'route', label: '分流', perm: 'case.route', when: live, fields: () => [
      ['department', '归口部门', input(), { hint: '与牵头单位至少填一项' }],
      ['lead_unit', '牵头单位', input(), {}],
      ['reason', '分流理由', textarea(), { required: true, wide: true }],
    ] },
    { action: 'guide', label: '引导至法定途径', perm: 'case.guide', when: open, fields: () => [
      ['channel', '法定途径', select(options('channel'), {}, '请选择'), { required: true }],
      ['guidance', '引导说明', textarea(), { required: true, wide: true }],
    ] },
    { action: 'attempts', label: '记录调解', perm: 'case.attempt', when: open, fields: () => [
      ['roster_id', '名册人员', select(pick.roster.map((p) => [p.id, `${p.name}（${p.kind_name}${p.organisation ? `，${p.organisation}` : ''}）`]), {}, '不从名册选择'),
        { hint: '选择后以其姓名记为调解员' }],
      ['mediator', '调解员', input({ value: ctx.session.user.name || ctx.session.user.user }), { required: true }],
      ['date', '调解日期', input({ type: 'date', value: today, max: today }), { required: true }],
      ['method', '调解方式', select(options('method'), {}, '请选择'), { required: true }],
      ['outcome', '调解结果', select(options('outcome'), {}, '请选择'), { required: true }],
      ['agreement', '协议内容', textarea(), { hint: '调解不成时不填', wide: true }],
      ['judicial_confirmation', '申请司法确认', h('input', { type: 'checkbox' }), {}],
      ['referral', '诉调/仲裁对接', select(options('referral'), {}, '无'), {}],
      ['note', '备注', textarea(), { wide: true }],
    ] },
    { action: 'appointment', label: '预约调解', perm: 'case.attempt', when: open, fields: (c) => [
      ['at', '调解时间', input({ type: 'datetime-local', value: c.appointment ? localInput(c.appointment.at_ms) : '' }), { required: true }],
      ['place', '调解地点', input({ value: c.appointment ? c.appointment.place : '' }), { required: true, hint: '只写地点，不写人名；当事人将收到短信' }],
    ] },
    { action: 'appointment', id: 'appointment-cancel', label: '取消预约', perm: 'case.attempt', when: (c) => open(c) && c.appointment,
      fields: () => [], body: () => ({ cancel: true }) },
    { action: 'escalate', label: '上报上级', perm: 'case.escalate', when: (c) => open(c) && ctx.session.status.enrolment.parent, fields: () => [
      ['reason', '上报理由', textarea(), { required: true, wide: true }],
    ] },
    { action: 'risk', label: '调整风险等级', perm: 'case.risk', when: live, fields: () => [
      ['risk', '风险等级', select(options('risk'), {}, '请选择'), { required: true }],
      ['reason', '理由', textarea(), { required: true, wide: true }],
    ] },
    { action: 'handdown', label: '交办下级', perm: 'case.handdown', when: (c) => open(c) && children.length, fields: () => [
      ['to', '交办给', select(children.map((n) => [n.id, n.name]), {}, '请选择'), { required: true }],
      ['instructions', '交办要求', textarea(), { required: true, wide: true }],
    ] },
    { action: 'leader', label: '领导包案', perm: 'case.leader', when: (c) => (c.where === 'here' || c.where === 'below') && (c.status === 'open' || c.status === 'resolved'), fields: () => [
      ['leader', '包案领导', input(), { required: true }],
      ['organisation', '所在单位', input(), { required: true }],
      ['liaison_unit', '联系单位', input(), { required: true }],
      ['plan', '化解方案', textarea(), { required: true, wide: true }],
      ['legal_consultation', '法律咨询意见', textarea(), { required: true, wide: true }],
    ] },
    { action: 'leader/ack', label: '确认包案', perm: 'case.leader.ack', when: (c) => c.where === 'here' && c.leader && !c.leader.acknowledged, fields: () => [
      ['note', '备注', textarea(), { wide: true }],
    ] },
    { action: 'leader/progress', label: '记录包案进展', perm: 'case.leader.progress', when: (c) => live(c) && c.leader, fields: () => [
      ['text', '进展情况', textarea(), { required: true, wide: true }],
    ] },
    { action: 'extension', label: '申请延期', perm: 'case.extension', when: (c) => open(c) && ctx.session.status.enrolment.parent && !(c.extension && c.extension.state === 'pending'), fields: () => [
      ['days', '延期天数', input({ type: 'number', min: 1, max: 90 }), { required: true, hint: '1–90天' }],
      ['reason', '延期理由', textarea(), { required: true, wide: true }],
    ] },
    { action: 'extension/decide', label: '审批延期', perm: 'case.extension.decide', when: (c) => c.where === 'below' && c.extension && c.extension.state === 'pending',
      fields: (c) => [
        ['approved', '审批意见', select(yesNo), { required: true }],
        ['days', '批准天数', input({ type: 'number', min: 1, max: 90, value: c.extension.days }), {}],
        ['reason', '理由', textarea(), { wide: true }],
      ],
      body: (v) => ({ ...v, approved: v.approved === 'true', ...(v.approved === 'true' ? {} : { days: undefined }) }) },
    { action: 'close', label: '办结', perm: 'case.close', when: live, fields: () => [
      ['result', '办理结果', textarea(), { required: true, wide: true }],
      ['feedback', '反馈情况', textarea(), { required: true, wide: true }],
      ['withdrawn', '当事人撤回申请', h('input', { type: 'checkbox' }), { hint: '当事人撤回调解申请而办结；诉前委派的案件将告知法院“当事人撤回申请”' }],
      ['followup_assignee', '回访人', select(pick.assignees.map((u) => [u.user, u.name || u.user]), {}, '本人'), { hint: '办结后按期回访' }],
    ] },
    { action: 'followup', label: '回访', perm: 'case.followup', when: (c) => c.where === 'here' && c.status === 'closed', fields: followupFields },
  ];
}

// A time as a datetime-local input holds it: YYYY-MM-DDTHH:MM in the node's zone.
function localInput(ms) {
  return fmtTime(ms).replace(' ', 'T');
}

function actionForm(ctx, c, a, reload) {
  const form = h('form', { class: 'card action-form', novalidate: true, 'data-action': a.id || a.action },
    h('h3', {}, a.label), formError(),
    h('div', { class: 'grid' }, a.fields(c).map(([key, label, control, opts]) => field(label, control, key, opts))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, `提交${a.label}`),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, '取消')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const v = values(form);
      const body = a.body ? a.body(v) : v;
      const out = await post(`/api/v1/cases/${encodeURIComponent(c.id)}/${a.action}`, body);
      if (out.rule === 'escalated') toast('调解不成次数已达上限，案件已自动上报上级', 'warn');
      else if (out.rule === 'leader_required') toast('调解不成次数已达上限，需领导包案', 'warn');
      else toast(`${a.label}已记录`);
      reload();
    });
  });
  return form;
}

function actionBar(ctx, c, children, pick, depts, reload) {
  const list = actions(ctx, children, pick, depts).filter((a) => ctx.can(a.perm) && a.when(c));
  if (!list.length) return null;
  const slot = h('div', { class: 'action-slot' });
  return h('section', { class: 'case-actions', 'aria-label': '办理' },
    h('h2', {}, '办理'),
    h('div', { class: 'buttons' }, list.map((a) => h('button', {
      type: 'button', class: 'secondary', 'data-action': a.id || a.action,
      onclick: () => { clear(slot, actionForm(ctx, c, a, reload)); slot.querySelector('input, select, textarea')?.focus(); },
    }, a.label))),
    slot);
}

function facts(c, nodeName) {
  const rows = [
    ['类别', `${c.category_name || name('category', c.category)}（归口：${c.department || departments[c.category] || '—'}）`],
    ['牵头单位', c.lead_unit || '—'],
    ['事项类型', name('matter_type', c.matter_type)],
    ['村（社区）', c.village],
    ['来源', [name('source', c.source), c.hazard_id ? ['，由隐患 ', h('a', { href: `#/hazard/${encodeURIComponent(c.hazard_id)}`, class: 'mono hazard-link' }, c.hazard_id), ' 转入'] : null]],
    ['外部工单号', c.external && c.external.ref ? h('span', { class: 'external-ref' }, `${c.external.system_name ? `${c.external.system_name} ` : ''}${c.external.ref}`) : '—'],
    ['繁简', name('complexity', c.complexity)],
    ['风险等级', [riskChip(c.risk), ` 责任人：${c.risk_official || '—'}`]],
    ['受理节点', nodeName(c.opened_at_node)],
    ['受理时间', [fmtTime(c.opened_ms), c.clock_corrected_ms ? h('span', { class: 'chip warned', title: '受理节点的时钟与其上级不一致' }, '时间已按上级时钟校正') : null]],
    ['办理单位', `${c.holder_name}（${name('where', c.where)}），第${c.period}办理期，自 ${fmtTime(c.holder_since_ms)}`],
    ['办理时限', [fmtTime(c.due_ms), c.overdue ? h('span', { class: 'chip overdue' }, '超期') : c.warned ? h('span', { class: 'chip warned' }, '即将到期') : null]],
    ['调解', `共 ${c.attempts} 次，本期调解不成 ${c.failed_attempts_here} 次，上报 ${c.escalations} 次`],
    ['领导包案', c.leader ? `${c.leader.leader}（${c.leader.organisation}）${c.leader.acknowledged ? '已确认' : '待确认'}` : (c.needs_leader ? '需领导包案' : '—')],
    ['延期申请', c.extension ? `${c.extension.days} 天，${{ pending: '待审批', approved: '已批准', refused: '未批准' }[c.extension.state] || c.extension.state}：${c.extension.reason}` : '—'],
    ['办结', c.closed_ms ? [`${fmtTime(c.closed_ms)} ${c.result}`, c.withdrawn ? h('span', { class: 'chip withdrawn' }, '当事人撤回') : null] : '—'],
    ['回访', followupFact(c.followup, c.satisfaction)],
    ['调解预约', c.appointment ? h('span', { class: 'appointment' }, `${fmtTime(c.appointment.at_ms)}，${c.appointment.place}（${c.appointment.by_name || c.appointment.by}安排${c.appointment.changes ? `，已改期 ${c.appointment.changes} 次` : ''}）`) : '—'],
  ];
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// The follow-up of the last closing: its state, due date and who makes it, or what it found.
function followupFact(f, satisfaction) {
  if (!f) return satisfaction ? name('satisfaction', satisfaction) : '—';
  const who = f.assignee_name || f.assignee;
  if (!f.done_ms) return [followupChip(f.state), ` 期限 ${fmtTime(f.due_ms)}${who ? `，回访人 ${who}` : ''}`];
  return [followupChip(f.state), ` ${fmtTime(f.done_ms)}，${name('satisfaction', f.satisfaction)}`,
    f.method ? `，${name('followup_method', f.method)}` : '', f.performance ? `，协议${name('performance', f.performance)}` : ''];
}

function partiesView(parties, noPurpose) {
  if (!Array.isArray(parties) || !parties.length || typeof parties[0] !== 'object')
    return noPurpose ? null : banner('当事人个人信息仅在受理和办理节点、并对需要的岗位显示。', 'info');
  return table([
    ['身份', (p) => name('party_role', p.role)],
    ['姓名', (p) => p.name],
    ['身份证号码', (p) => h('span', { class: 'mono' }, p.id_number)],
    ['联系电话', (p) => p.phone],
    ['住址', (p) => p.address],
  ], parties);
}

// What one event says, in a line or two.
function details(e, nodeName) {
  const d = e.details || {};
  switch (e.kind) {
  case 'case_opened': return `类别：${name('category', d.category)}；时限 ${fmtTime(d.due_ms)}。${d.summary}`;
  case 'case_routed': return `归口部门：${d.department || '—'}；牵头单位：${d.lead_unit || '—'}。${d.reason}`;
  case 'case_guided': return `${name('channel', d.channel)}：${d.guidance}`;
  case 'attempt': return [`${d.date} ${d.mediator}，${name('method', d.method)}，`, h('strong', { class: `outcome-${d.outcome}` }, name('outcome', d.outcome)),
    d.agreement ? `。协议：${d.agreement}` : '', d.judicial_confirmation ? '（申请司法确认）' : '', d.referral ? `；${name('referral', d.referral)}` : '', d.note ? `；${d.note}` : ''];
  case 'case_moved': return `${name('move', d.kind)}：${nodeName(d.from)} → ${nodeName(d.to)}${d.automatic ? '（3221规则自动）' : ''}；${d.reason}${d.due_ms ? `；新时限 ${fmtTime(d.due_ms)}` : ''}`;
  case 'risk_changed': return [riskChip(d.risk), ` ${d.reason}`];
  case 'leader_assigned': return `${d.leader}（${d.organisation}），联系单位 ${d.liaison_unit}。方案：${d.plan}；法律意见：${d.legal_consultation}`;
  case 'leader_ack': return d.note || '已确认';
  case 'leader_progress': return d.text;
  case 'leader_required': return d.reason;
  case 'deadline': return `${name('deadline', d.kind)}（时限 ${fmtTime(d.due_ms)}）`;
  case 'extension_requested': return `申请延期 ${d.days} 天：${d.reason}`;
  case 'extension_decided': return `${d.approved ? `批准，新时限 ${fmtTime(d.new_due_ms)}` : '不批准'}${d.reason ? `：${d.reason}` : ''}`;
  case 'case_closed': return `${d.withdrawn ? '当事人撤回：' : ''}${d.result}；反馈：${d.feedback}${d.return_to ? `；退回 ${nodeName(d.return_to)} 回访` : ''}`;
  case 'follow_up': return `${name('satisfaction', d.satisfaction)}${d.method ? `，${name('followup_method', d.method)}` : ''}${d.performance ? `，协议${name('performance', d.performance)}` : ''}${d.reopen_requested ? '，申请重新办理' : ''}${d.note ? `：${d.note}` : ''}`;
  case 'forms_record': return `${name('record', d.kind)}（内容已加密保存，可打印查看）`;
  case 'dept_routed': return `牵头：${d.lead}${d.helpers.length ? `；协办：${d.helpers.join('、')}` : ''}；签收时限 ${fmtTime(d.sign_due_ms)}。${d.reason}`;
  case 'dept_signed': return `${d.department}${d.note ? `：${d.note}` : ''}`;
  case 'dept_returned': return `${d.department}：${d.reason}`;
  case 'dept_feedback': return `${d.department}${d.final ? '（办理结果）' : ''}：${d.text}`;
  case 'dept_sign_overdue': return `${d.department}未在 ${fmtTime(d.sign_due_ms)} 前签收`;
  case 'appointment_set': return d.cancel ? '取消调解预约' : `${fmtTime(d.at_ms)} 在 ${d.place} 调解（已短信通知当事人）`;
  case 'doc_attached': return `${d.kind_name}：${d.type_name}，${d.size} 字节`;
  case 'confirm_applied': return `申请编号 ${d.application_no}`;
  case 'confirm_ruled': return `${d.decision === 'confirmed' ? '确认协议有效' : `驳回申请：${d.reason}`}（裁定书 ${d.ruling_no}）`;
  default: return JSON.stringify(d);
  }
}

function timeline(history, nodeName) {
  return h('ol', { class: 'timeline' }, history.map((e) => h('li', { class: `event kind-${e.kind}` },
    h('div', { class: 'when' }, fmtTime(e.time_ms)),
    h('div', { class: 'what' },
      h('strong', {}, name('event', e.kind)),
      h('span', { class: 'who' }, `${e.origin_name || e.origin} · ${name('tier', e.tier)} · ${e.actor_name || e.actor}`),
      e.signature_ok ? null : h('span', { class: 'chip bad' }, '签名无法验证'),
      h('p', {}, details(e, nodeName))))));
}

// The case file, with the parties for the purpose in force (asked for in place once per
// session); without one, the file without them (parties=no: nothing to record).
async function caseFile(ctx, id) {
  const purpose = ctx.can('case.parties') ? currentPurpose() : '';
  const q = purpose ? `?purpose=${encodeURIComponent(purpose)}` : (ctx.can('case.parties') ? '?parties=no' : '');
  return get(`/api/v1/cases/${encodeURIComponent(id)}${q}`);
}

// A department's account reads only the case and the departments (docs/permissions.md).
const none = (key) => Promise.resolve({ [key]: [] });

export default async function casePage(main, ctx) {
  const id = ctx.arg;
  const dept = ctx.can('department.act');
  const [file, nodes, about, table, roster, queue] = await Promise.all([caseFile(ctx, id),
    dept ? none('nodes') : get('/api/v1/nodes'),
    dept ? none('directives') : get(`/api/v1/directives?case_id=${encodeURIComponent(id)}`),
    ctx.can('case.route') ? get('/api/v1/departments') : none('departments'),
    dept ? none('people') : get('/api/v1/roster?active=1'),
    dept ? none('assignees') : get('/api/v1/followups?limit=1')]);
  const pick = { roster: roster.people, assignees: queue.assignees };
  if (ctx.stale()) return;
  const access = await caseAccessSection(ctx, file.case, () => casePage(main, ctx).catch((err) => toast(err.message, 'error')));
  if (ctx.stale()) return;
  const byId = Object.fromEntries(nodes.nodes.map((n) => [n.id, n]));
  const nodeName = (nid) => (byId[nid] ? `${byId[nid].name}` : nid);
  const self = ctx.session.status.node.id;
  const children = nodes.nodes.filter((n) => n.parent === self && !n.revoked);
  const c = file.case;
  const reload = () => casePage(main, ctx).catch((err) => toast(err.message, 'error'));
  clear(main,
    h('h1', {}, '一案一卷 ', h('span', { class: 'mono' }, c.id)),
    h('div', { class: 'case-head' }, riskChip(c.risk), statusChip(c), h('span', { class: 'summary' }, c.summary)),
    actionBar(ctx, c, children, pick, table.departments, reload),
    formsPanel(ctx, c, file.history, reload),
    h('datalist', { id: 'dept-names' }, table.departments.map((d) => h('option', { value: d.name }))),
    h('section', { class: 'card case-departments', 'aria-label': '入驻部门' }, h('h2', {}, '入驻部门办理'),
      c.departments.awaiting_route ? banner(`${c.departments.returned_by}已退回：${c.departments.return_reason}。案件待重新分流。`, 'warn') : null,
      partsTable(c.departments)),
    h('div', { class: 'case-body' },
      h('section', { class: 'card' }, h('h2', {}, '基本情况'), facts(c, nodeName), h('h2', {}, '当事人'),
        ctx.can('case.parties') ? (currentPurpose() ? purposeLine(reload) : purposePicker(reload)) : null,
        partiesView(file.parties, ctx.can('case.parties') && !currentPurpose())),
      h('section', { class: 'card' }, h('h2', {}, `办理经过（${file.history.length}）`), timeline(file.history, nodeName))),
    documentsSection(ctx, c),
    directivesAbout(ctx, c, about.directives, children, reload),
    interopCard(file.interop),
    confirmCard(file.case.confirmation),
    confirmForm(ctx, c, reload),
    h('section', { class: 'card case-sms', 'aria-label': '短信通知' },
      h('h2', {}, `短信通知（${(file.sms || []).length}）`), smsTable(file.sms || [])), access);
}

// The directives about this case (交办, 督办) known at this node, and a way to send one.
function directivesAbout(ctx, c, list, children, reload) {
  const send = ctx.can('directive.send') && children.length;
  if (!list.length && !send) return null;
  return h('section', { class: 'case-directives', 'aria-label': '相关指令' },
    h('h2', {}, `相关指令（${list.length}）`),
    list.map((d) => directiveCard(d, ctx, reload)),
    send ? h('a', { class: 'button secondary', href: `#/directives?case=${encodeURIComponent(c.id)}` }, '就此案下发指令') : null);
}
