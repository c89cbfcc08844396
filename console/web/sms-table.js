// sms-table — SMS messages of the outbox as a table, for the case's 短信通知 section
// (page-case.js) and the administrator's 短信发件箱 (page-outbox.js): which message, to
// which number (masked, as the API gives it), its status by name, attempts and times.
import { h, table, fmtTime, caseLink } from './ui.js';

const TONE = { sent: 'ok', delivered: 'ok', failed: 'overdue', expired: 'overdue' };

export function smsStatus(m) {
  return h('span', { class: `chip sms-status ${TONE[m.status] || ''}`, 'data-status': m.status }, m.status_name);
}

export function smsTable(messages, { withCase = false } = {}) {
  const columns = [
    ['编号', (m) => String(m.id)],
    ['短信', (m) => m.template_name],
    ...(withCase ? [['案件编号', (m) => (m.case_id ? caseLink(m.case_id) : '—')]] : []),
    ['接收号码', (m) => h('span', { class: 'mono' }, m.recipient)],
    ['状态', smsStatus],
    ['尝试次数', (m) => String(m.attempts)],
    ['创建时间', (m) => fmtTime(m.created_ms)],
    ['下次尝试', (m) => (m.next_ms ? fmtTime(m.next_ms) : '—')],
    ['完成时间', (m) => (m.done_ms ? fmtTime(m.done_ms) : '—')],
    ['最近错误', (m) => m.last_error || '—'],
  ];
  return table(columns, messages, '暂无短信', { class: 'sms' });
}
