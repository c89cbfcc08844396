// interop-card — 外部工单 on the case page (page-case.js): a case taken in from an outside
// system (12345热线, 信访系统) shows that system, its order number, when it arrived and
// its 回单: the result told, whether it went (the outbox's status by name), the system's
// answer (its 回执号) or the last error. A court's delegation (诉前委派) shows its 案号 and
// the deadline it set. And 申请司法确认: the form that applies to a court for the
// confirmation of the agreement (POST /api/v1/cases/<id>/confirmation).
import { post } from './api.js';
import { h, field, select, banner, formError, submitting, values, toast, fmtTime } from './ui.js';
import { smsStatus } from './sms-table.js';
import { courts } from './vocab.js';

export function interopCard(io) {
  if (!io) return null;
  const r = io.receipt;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return h('section', { class: 'card case-interop', 'aria-label': '外部工单' },
    h('h2', {}, '外部工单'),
    h('dl', { class: 'facts' },
      row('来源系统', io.system_name),
      row('工单号', h('span', { class: 'mono order-no' }, io.order_no)),
      row('收到时间', fmtTime(io.received_ms)),
      io.court ? row('法院案号', h('span', { class: 'court-case-no' }, io.court.case_no)) : null,
      io.court ? row('委派期限', h('span', { class: 'court-deadline' }, `${io.court.deadline}（含当日）`)) : null,
      row('回单', r ? h('span', { class: 'receipt' }, `${r.result_name} `, smsStatus(r))
                    : h('span', { class: 'receipt' }, '尚未办结，未发送')),
      r && r.answer ? row('对方回执', h('span', { class: 'mono' }, r.answer)) : null,
      r && r.last_error ? row('最近错误', r.last_error) : null));
}

// 司法确认 on the case page: the application to the court (its number, when), and the
// court's ruling (确认有效 or 驳回 with the reason, its ruling number); the ruling document
// itself is among the case's documents (裁定/文书).
export function confirmCard(cf) {
  if (!cf) return null;
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return h('section', { class: 'card case-confirm', 'aria-label': '司法确认' },
    h('h2', {}, '司法确认'),
    h('dl', { class: 'facts' },
      row('状态', h('span', { class: 'confirm-state' }, cf.decision_name)),
      row('申请编号', h('span', { class: 'mono confirm-no' }, cf.application_no)),
      row('申请时间', fmtTime(cf.applied_ms)),
      cf.ruling_no ? row('裁定书号', h('span', { class: 'confirm-ruling' }, cf.ruling_no)) : null,
      cf.ruled_ms ? row('裁定时间', fmtTime(cf.ruled_ms)) : null,
      cf.reason ? row('驳回理由', cf.reason) : null));
}

// The court picked per case until the application is made: a redraw by a live event keeps it.
const picked = new Map();

// 申请司法确认 for case c (held here, the last attempt an agreement in full or in part, no
// application waiting or confirmed: after a refusal it shows again), or null. The courts
// are shown by name; with none configured the form says so instead.
export function confirmForm(ctx, c, reload) {
  const agreed = c.last_outcome === 'agreement' || c.last_outcome === 'partial';
  const cf = c.confirmation;
  if (!ctx.can('case.close') || c.where !== 'here' || !agreed || (cf && cf.decision !== 'refused')) return null;
  const form = h('form', { class: 'card action-form confirm-form', novalidate: true, 'aria-label': '申请司法确认' },
    h('h2', {}, '申请司法确认'), formError());
  if (!courts.length) {
    form.append(banner('未配置法院（[interop] 中 kind = court 的系统），请联系管理员', 'warn'));
    return form;
  }
  const court = select(courts.map((k) => [k.code, k.name]), {}, '请选择法院');
  court.value = picked.get(c.id) || '';
  court.addEventListener('change', () => picked.set(c.id, court.value));
  form.append(
    h('div', { class: 'grid' }, field('受理法院', court, 'court', { required: true })),
    h('p', { class: 'hint confirm-sends' }, '申请书与调解协议书将随申请一并送达法院'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '申请司法确认')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post(`/api/v1/cases/${encodeURIComponent(c.id)}/confirmation`, values(form));
      picked.delete(c.id);
      toast('已申请司法确认，等待法院裁定');
      reload();
    });
  });
  return form;
}
