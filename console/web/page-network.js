// page-network — 网络状态: this node's link to its parent and to each child (GET
// /api/v1/status "links": online, backlog, last contact, throttling, disconnects; "clock":
// each peer's clock against ours) with the tree's names (GET /api/v1/nodes), the
// connections refused at the children's socket ("links.refused"), and the equivocation
// proofs held here (GET /api/v1/links/quarantine).
import { get } from './api.js';
import { h, clear, table, fmtTime } from './ui.js';
import { name } from './vocab.js';

function online(l) {
  return h('span', { class: `chip ${l.online ? 'online' : 'offline'}` }, l.online ? '在线' : '离线');
}

export default async function networkPage(main, { stale }) {
  const [status, nodes, quarantine] = await Promise.all([get('/api/v1/status'),
    get('/api/v1/nodes'), get('/api/v1/links/quarantine')]);
  if (stale()) return;
  const byId = Object.fromEntries(nodes.nodes.map((n) => [n.id, n]));
  const label = (id) => (byId[id] ? `${byId[id].name}（${id}）` : id);
  const { parent, children, refused } = status.links;
  const refusals = Object.entries(refused || {}).map(([reason, count]) => ({ reason, count }));
  // The parent is the reference: a child's clock is judged against ours, ours against the parent's.
  const peerClock = (l) => status.clock.peers.find((p) => p.peer === l.peer);
  const clockChip = (l) => {
    const p = peerClock(l);
    if (!p) return '—';
    const text = l === parent ? (status.clock.skewed ? status.clock.text : '正常') : (p.skewed ? `${p.text}，需校准` : '正常');
    return h('span', { class: `chip ${p.skewed ? 'bad' : 'online'}` }, text);
  };
  const rejected = (l) => (l.rejected_total ? h('span', { class: 'chip bad' }, `${l.rejected_total} 条被拒`) : '0');
  clear(main, h('h1', {}, '网络状态'),
    h('section', { class: 'card' },
      h('h2', {}, '本节点'),
      h('dl', { class: 'facts' },
        h('dt', {}, '节点'), h('dd', {}, `${status.node.name}（${status.node.id}，${name('tier', status.node.tier)}）`),
        h('dt', {}, '事件日志'), h('dd', {}, `${status.log.events} 条，最新序号 ${status.log.last_seq}`),
        h('dt', {}, '案件'), h('dd', {}, `${status.cases.total} 件`),
        h('dt', {}, '时钟'), h('dd', {}, status.clock.skewed ? h('span', { class: 'chip bad' }, status.clock.text) : (!parent ? '本节点为时间基准' : peerClock(parent) ? '与上级一致' : '尚未与上级比对')),
        h('dt', {}, '接入'), h('dd', {}, status.enrolment.enrolled ? (status.enrolment.parent ? `上级 ${label(status.enrolment.parent)}` : '根节点') : '尚未接入'))),
    h('section', { class: 'card' }, h('h2', {}, '上级连接'),
      parent ? table([
        ['上级', (l) => label(l.peer)],
        ['状态', online],
        ['待上报事件', (l) => String(l.backlog_up ?? 0)],
        ['最早待上报', (l) => fmtTime(l.backlog_up_oldest_ms)],
        ['最近联系', (l) => fmtTime(l.last_contact_ms)],
        ['最近确认', (l) => fmtTime(l.last_ack_ms)],
        ['被拒', rejected],
        ['时钟', clockChip],
      ], [parent], '', { class: 'links' }) : h('p', { class: 'empty' }, '无上级（根节点或尚未接入）')),
    h('section', { class: 'card' }, h('h2', {}, `下级连接（${children.length}）`),
      table([
        ['下级', (l) => label(l.peer)],
        ['状态', (l) => (l.revoked ? h('span', { class: 'chip bad' }, '已吊销')
          : l.throttled ? h('span', { class: 'chip bad' }, `限流至 ${fmtTime(l.throttled_until_ms)}`)
            : online(l))],
        ['待下发', (l) => String(l.backlog_down ?? 0)],
        ['最早待下发', (l) => fmtTime(l.backlog_down_oldest_ms)],
        ['最近联系', (l) => fmtTime(l.last_contact_ms)],
        ['已接收事件', (l) => String(l.applied ?? 0)],
        ['断线次数', (l) => String(l.disconnects ?? 0)],
        ['被拒', rejected],
        ['时钟', clockChip],
      ], children, '没有下级节点', { class: 'links' })),
    h('section', { class: 'card' }, h('h2', {}, '被拒绝的连接（重启后仍保留）'),
      table([
        ['原因', (r) => name('refusal', r.reason)],
        ['次数', (r) => (r.count ? h('span', { class: 'chip bad' }, String(r.count)) : '0')],
      ], refusals, '本节点不接受下级连接', { class: 'links refusals' })),
    h('section', { class: 'card' }, h('h2', {}, '隔离证据（一序号两事件，双方签名均已核验）'),
      table([
        ['节点', (p) => `${p.origin_name}（${p.origin}）`],
        ['序号', (p) => String(p.seq)],
        ['发现者', (p) => `${p.detected_by_name}（${p.detected_by}）`],
        ['时间', (p) => fmtTime(p.time_ms)],
        ['状态', (p) => h('span', { class: `chip ${p.quarantined ? 'bad' : 'online'}` },
          p.quarantined ? '隔离中' : '已解除')],
      ], quarantine.proofs, '没有隔离证据', { class: 'links' })));
}
