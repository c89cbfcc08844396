// page-inbox — 待办: GET /api/v1/inbox, what waits for the signed-in user (cases to route or
// take over, leaders to assign, time limits, extensions, follow-ups, directives, reports,
// requests to copy, print or archive, which a director decides in the row),
// by kind with counts, each item with its names and a link to where it is done.
import { get } from './api.js';
import { h, clear, fmtTime, table } from './ui.js';
import { decideControls } from './page-access.js';

const COLUMNS = [
  ['待办', (it) => h('span', { class: `chip${it.overdue ? ' overdue' : ''}` }, it.kind_name)],
  ['事项', (it) => h('a', { href: it.link }, it.title || it.id)],
  ['节点', (it) => it.node_name],
  ['期限', (it) => fmtTime(it.due_ms)],
];

export default async function inboxPage(main, ctx) {
  const box = await get('/api/v1/inbox?limit=200');
  if (ctx.stale()) return;
  // A request to copy, print or archive (摘抄复印报批) is decided here, in its row.
  const reload = () => inboxPage(main, ctx);
  const columns = box.items.some((it) => it.request)
    ? [...COLUMNS, ['审批', (it) => (it.request ? decideControls(it.request, reload) : '')]] : COLUMNS;
  const counts = box.kinds.filter((k) => k.count > 0)
    .map((k) => h('span', { class: 'chip', 'data-kind': k.kind }, `${k.name} ${k.count}`));
  clear(main,
    h('h1', {}, '待办'),
    h('p', { class: 'meta inbox-counts' }, box.total ? `共 ${box.total} 项：` : '暂无待办事项', ...counts),
    box.items.length ? table(columns, box.items, '暂无待办事项', { class: 'inbox' }) : null);
}
