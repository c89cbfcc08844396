// page-outbox — 短信发件箱, for administrators: GET /api/v1/outbox, the node's SMS newest
// first, filtered by status (#/outbox?status=held; the statuses and their names are the
// API's), and whether a gateway is configured
// (without one, messages wait: 未配置网关，等待发送), and how each outside system's 回单
// travel (回单去向: 回单地址, 交换目录 with its folder, or 未配置网关，等待发送).
import { get, query } from './api.js';
import { h, clear, banner, select, table } from './ui.js';
import { smsTable } from './sms-table.js';

function gatewayBanner(gw) {
  if (!gw.configured) return banner('未配置网关，等待发送：短信保存在发件箱中，配置 [sms] gateway_url 并重启后发出，不会丢失。', 'warn');
  return banner(`短信网关已配置；免打扰时段 ${gw.quiet_hours || '无'}；${gw.expiry_hours} 小时内未发出即过期。`);
}

const DELIVERY_TONE = { http: 'ok', folder: 'ok' };

function receiptsSection(receipts) {
  if (!receipts?.length) return null;
  return h('section', { class: 'outbox-receipts' },
    h('h2', {}, '回单去向'),
    table([
      ['外部系统', (r) => r.system_name],
      ['发送方式', (r) => h('span', { class: `chip sms-status ${DELIVERY_TONE[r.delivery] || ''}`, 'data-delivery': r.delivery }, r.delivery_name)],
      ['交换目录', (r) => (r.folder ? h('span', { class: 'mono' }, r.folder) : '—')],
    ], receipts, '', { class: 'receipts' }));
}

export default async function outboxPage(main, ctx) {
  const status = ctx.params.get('status') || '';
  const box = await get('/api/v1/outbox' + query({ status, limit: 500 }));
  if (ctx.stale()) return;
  const filter = select(box.statuses.map((st) => [st.code, st.name]), { name: 'status', 'aria-label': '按状态筛选' }, '全部状态');
  filter.value = status;
  filter.addEventListener('change', () => ctx.go(`#/outbox${filter.value ? `?status=${filter.value}` : ''}`));
  clear(main,
    h('h1', {}, '短信发件箱'),
    gatewayBanner(box.gateway),
    receiptsSection(box.receipts),
    h('p', { class: 'meta outbox-filter' }, h('label', {}, '状态 ', filter)),
    smsTable(box.messages, { withCase: true }));
}
