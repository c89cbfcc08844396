// page-outbox — 短信发件箱, for administrators: GET /api/v1/outbox, the node's SMS newest
// first, filtered by status (#/outbox?status=held; the statuses and their names are the
// API's), and whether a gateway is configured
// (without one, messages wait: 未配置网关，等待发送).
import { get, query } from './api.js';
import { h, clear, banner, select } from './ui.js';
import { smsTable } from './sms-table.js';

function gatewayBanner(gw) {
  if (!gw.configured) return banner('未配置网关，等待发送：短信保存在发件箱中，配置 [sms] gateway_url 并重启后发出，不会丢失。', 'warn');
  return banner(`短信网关已配置；免打扰时段 ${gw.quiet_hours || '无'}；${gw.expiry_hours} 小时内未发出即过期。`);
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
    h('p', { class: 'meta outbox-filter' }, h('label', {}, '状态 ', filter)),
    smsTable(box.messages, { withCase: true }));
}
