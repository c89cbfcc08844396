// page-webhooks — 投递失败, for administrators: the webhook deliveries that are dead
// (GET /api/v1/webhooks/dead: refused by the subscriber, out of attempts, or expired), each
// with 重试 (tried again under the same delivery id) and 丢弃 (set aside for good), and the
// subscribers of [webhook NAME] with the events each hears (GET /api/v1/webhooks).
import { get, post } from './api.js';
import { h, clear, table, caseLink, fmtTime, toast } from './ui.js';

function subscribers(subs) {
  if (!subs.length) return h('p', { class: 'empty' }, '未配置 webhook 订阅方（jiefend.conf 的 [webhook 名称] 段）。');
  return table([
    ['订阅方', (s) => s.name],
    ['地址', (s) => s.url],
    ['订阅事件', (s) => s.events.map((e) => e.name).join('、')],
    ['最多尝试', (s) => `${s.max_attempts} 次，${s.expiry_h} 小时内`],
  ], subs, '', { class: 'webhook-subscribers' });
}

export default async function webhooksPage(main, ctx) {
  const [box, dead] = await Promise.all([get('/api/v1/webhooks'), get('/api/v1/webhooks/dead')]);
  if (ctx.stale()) return;
  const reload = () => webhooksPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const act = (d, verb, done) => async (ev) => {
    ev.target.disabled = true;
    try {
      await post(`/api/v1/webhooks/dead/${d.id}/${verb}`);
      toast(`${done}：${d.event_name}（${d.case_id}）`);
      reload();
    } catch (err) {
      ev.target.disabled = false;
      toast(err.message, 'error');
    }
  };
  clear(main,
    h('h1', {}, '投递失败'),
    h('p', { class: 'meta' }, '推送给外部订阅方（webhook）但未能送达的消息：对方拒收、多次重试仍失败或已过期。重试时沿用同一投递编号，对方不会重复处理。消息只含案件编号、事件、时间和状态，不含当事人信息。'),
    table([
      ['编号', (d) => String(d.id)],
      ['订阅方', (d) => d.subscriber],
      ['事件', (d) => d.event_name],
      ['案件', (d) => (d.case_id ? caseLink(d.case_id) : '—')],
      ['状态', (d) => h('span', { class: 'chip bad' }, d.status_name)],
      ['尝试次数', (d) => String(d.attempts)],
      ['最近错误', (d) => d.last_error || '—'],
      ['产生时间', (d) => fmtTime(d.created_ms)],
      ['操作', (d) => h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'webhook-retry', onclick: act(d, 'retry', '已重新排队投递') }, '重试'),
        h('button', { type: 'button', class: 'link webhook-discard', onclick: act(d, 'discard', '已丢弃') }, '丢弃'))],
    ], dead.dead, '没有投递失败的消息', { class: 'webhook-dead' }),
    h('h2', {}, '订阅方'),
    subscribers(box.subscribers));
}
