// page-supervision — 督办: GET /api/v1/supervision, the lists a director reads each morning
// (overdue, due soon, red/orange risk, leader-owned, needing a leader, extensions to decide).
import { get } from './api.js';
import { h, clear, table } from './ui.js';
import { caseColumns } from './page-cases.js';

const LISTS = [
  ['overdue', '已超期'],
  ['due_soon', '即将到期'],
  ['risk', '高风险（红、橙）及本级风险'],
  ['leader_owned', '领导包案'],
  ['needs_leader', '待领导包案'],
  ['extensions_to_decide', '待审批延期'],
];

export default async function supervisionPage(main, { stale }) {
  const s = await get('/api/v1/supervision');
  if (stale()) return;
  clear(main, h('h1', {}, '督办'),
    h('nav', { class: 'counts', 'aria-label': '督办分类' }, LISTS.map(([key, label]) =>
      h('a', { href: `#/supervision`, class: `count${(s[key] || []).length ? ' some' : ''}`, onclick: (ev) => { ev.preventDefault(); document.getElementById(`sv-${key}`).scrollIntoView(); } },
        h('strong', {}, String((s[key] || []).length)), label))),
    LISTS.map(([key, label]) => h('section', { class: 'card', id: `sv-${key}` },
      h('h2', {}, `${label}（${(s[key] || []).length}）`),
      table(caseColumns, s[key] || [], '无'))));
}
