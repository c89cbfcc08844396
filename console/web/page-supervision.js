// page-supervision — 督办: GET /api/v1/supervision, the lists a director reads each morning
// (risks, overdue, due soon, leader-owned, needing a leader, extensions to decide). Risks
// are red, orange and yellow (blue is normal), red first: the heading counts each colour,
// so a red case held here is seen before anything else.
import { get } from './api.js';
import { h, clear, table } from './ui.js';
import { caseColumns } from './page-cases.js';

const LISTS = [
  ['risk', '风险（红、橙、黄）'],
  ['overdue', '已超期'],
  ['due_soon', '即将到期'],
  ['leader_owned', '领导包案'],
  ['needs_leader', '待领导包案'],
  ['extensions_to_decide', '待审批延期'],
];

const COLOURS = [['red', '红色'], ['orange', '橙色'], ['yellow', '黄色']];

function jump(key) {
  return (ev) => { ev.preventDefault(); document.getElementById(`sv-${key}`).scrollIntoView(); };
}

// One count per risk colour, each in its colour, then one per other list.
function headings(s) {
  const risks = s.risk || [];
  return h('nav', { class: 'counts', 'aria-label': '督办分类' },
    COLOURS.map(([colour, label]) => {
      const n = risks.filter((c) => c.risk === colour).length;
      return h('a', { href: '#/supervision', class: `count${n ? ' some' : ''}`, 'data-risk': colour, onclick: jump('risk') },
        h('strong', {}, String(n)), `${label}风险`);
    }),
    LISTS.slice(1).map(([key, label]) =>
      h('a', { href: '#/supervision', class: `count${(s[key] || []).length ? ' some' : ''}`, onclick: jump(key) },
        h('strong', {}, String((s[key] || []).length)), label)));
}

export default async function supervisionPage(main, { stale }) {
  const s = await get('/api/v1/supervision');
  if (stale()) return;
  clear(main, h('h1', {}, '督办'), headings(s),
    LISTS.map(([key, label]) => h('section', { class: 'card', id: `sv-${key}` },
      h('h2', {}, `${label}（${(s[key] || []).length}）`),
      table(caseColumns, s[key] || [], '无'))));
}
