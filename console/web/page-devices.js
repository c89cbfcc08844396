// page-devices — 设备登记 (一机一账号), for administrators: the devices accounts log in from
// (GET /api/v1/devices): each refused login from an unapproved device files a request
// (待批准) with its refusals counted; 批准 lets that account log in from it, 撤销 ends its
// sessions and refuses it again (POST /api/v1/devices/{id}/approve|revoke).
import { get, post } from './api.js';
import { h, clear, table, fmtTime, toast } from './ui.js';

export default async function devicesPage(main, ctx) {
  const box = await get('/api/v1/devices');
  if (ctx.stale()) return;
  const reload = () => devicesPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const act = (d, verb, done) => async (ev) => {
    ev.target.disabled = true;
    try {
      await post(`/api/v1/devices/${d.id}/${verb}`);
      toast(`${done}：${d.name || d.user} 的设备 ${d.label || d.id}`);
      reload();
    } catch (err) {
      ev.target.disabled = false;
      toast(err.message, 'error');
    }
  };
  const actions = (d) => h('span', { class: 'actions' },
    d.state !== 'approved'
      ? h('button', { type: 'button', class: 'device-approve', onclick: act(d, 'approve', '已批准') }, '批准') : null,
    d.state !== 'revoked'
      ? h('button', { type: 'button', class: 'link device-revoke', onclick: act(d, 'revoke', '已撤销') }, '撤销') : null);
  clear(main,
    h('h1', {}, '设备登记'),
    h('p', { class: 'meta' }, box.binding
      ? '本中心已启用一机一账号：账户只能在管理员批准的设备上登录。未登记设备的登录会被拒绝，并在此提交登记申请。撤销后，该设备上的登录立即结束。'
      : '本中心未启用一机一账号（jiefend.conf 的 [auth] device_binding = off）：任何设备都可登录，以下登记暂不生效。'),
    table([
      ['用户', (d) => (d.name ? `${d.name}（${d.user}）` : d.user)],
      ['设备', (d) => d.label || '—'],
      ['状态', (d) => h('span', { class: `chip device-${d.state}` }, d.state_name)],
      ['被拒次数', (d) => String(d.refusals)],
      ['最近被拒', (d) => (d.last_refused_ms ? fmtTime(d.last_refused_ms) : '—')],
      ['申请时间', (d) => fmtTime(d.requested_ms)],
      ['处理', (d) => (d.decided_ms ? `${d.decided_by_name || d.decided_by} · ${fmtTime(d.decided_ms)}` : '—')],
      ['操作', actions],
    ], box.devices, '没有设备登记申请', { class: 'devices' }));
}
