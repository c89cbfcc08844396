// page-refused — 被拒收工单, for administrators: the work orders from outside systems (12345,
// 信访) the centre refused (GET /api/v1/interop/refused), newest first, with the system by
// name, the order number, when and how it came (接口 or 交换目录) and what was wrong.
import { get } from './api.js';
import { h, clear, table, fmtTime } from './ui.js';

export default async function refusedPage(main, ctx) {
  const { refused } = await get('/api/v1/interop/refused');
  if (ctx.stale()) return;
  clear(main,
    h('h1', {}, '被拒收工单'),
    h('p', { class: 'meta' }, '外部系统（12345热线、信访系统）送来但未能受理的工单：未生成案件，原件加密保存。请按拒收原因联系对方更正后重新推送。'),
    table([
      ['编号', (r) => String(r.id)],
      ['外部系统', (r) => r.system_name],
      ['工单号', (r) => r.order_no || '—'],
      ['收到时间', (r) => fmtTime(r.received_ms)],
      ['途径', (r) => (r.via === 'folder' ? '交换目录' : '接口')],
      ['拒收原因', (r) => r.reason],
    ], refused, '没有被拒收的工单', { class: 'interop-refused' }));
}
