// dept — what the department pages and the case page share about departments (入驻部门):
// the names of a part's states, and the parts of a case as a table.
import { h, fmtTime, table } from './ui.js';

export const STATE_NAMES = {
  to_sign: '待签收', in_hand: '办理中', done: '已反馈结果', returned: '已退回', ended: '已结束',
};

export function stateChip(p) {
  const late = p.sign_late && p.state === 'to_sign';
  return h('span', { class: `chip${late ? ' overdue' : ''}`, 'data-state': p.state },
    late ? `${STATE_NAMES[p.state]}（签收逾期）` : STATE_NAMES[p.state] || p.state);
}

// The departments' parts of a case: who leads, who helps, where each stands.
export function partsTable(dept) {
  const parts = (dept && dept.parts) || [];
  return table([
    ['部门', (p) => [p.department, p.lead ? h('span', { class: 'chip' }, '牵头') : h('span', { class: 'chip' }, '协办')]],
    ['状态', stateChip],
    ['签收时限', (p) => fmtTime(p.sign_due_ms)],
    ['签收', (p) => (p.signed_ms ? `${fmtTime(p.signed_ms)}${p.sign_late ? '（逾期）' : ''}` : '—')],
    ['反馈', (p) => (p.done_ms ? `办理结果：${p.result}` : p.last_feedback || (p.returned_ms ? `退回：${p.return_reason}` : '—'))],
  ], parts, '尚未分流至入驻部门', { class: 'dept-parts' });
}
