// page-parties — 查当事人: the search box in the header of every page (for the roles with
// `case.parties`) and the page of its results, GET /api/v1/parties: this node's cases of the
// person (link, role, status, holder) and how many cases the person has on other nodes of
// the tree, by node name. What was searched for is personal data: it is kept only in this
// module's memory (never in the URL, the history or the browser's storage) and forgotten
// when the user signs out.
import { get, query } from './api.js';
import { h, clear, banner, table, caseLink, statusChip, fmtDate } from './ui.js';
import { name } from './vocab.js';
import { currentPurpose, purposeLine, purposePicker } from './purpose.js';

export const FIELDS = [['name', '姓名'], ['id_number', '身份证号'], ['phone', '电话']];

const label = (field) => (FIELDS.find(([k]) => k === field) || [field, field])[1];

// The search being shown: {field, value}, or null.
let current = null;

export function forgetSearch() { current = null; }

// The header's form; `go` opens a page by hash (the app's).
export function searchBox(go) {
  const field = h('select', { name: 'field', 'aria-label': '查询项' },
    FIELDS.map(([code, text]) => h('option', { value: code }, text)));
  const value = h('input', { type: 'search', name: 'value', autocomplete: 'off', spellcheck: 'false',
    maxlength: 120, placeholder: '查当事人', 'aria-label': '查询内容（完整的姓名、身份证号或电话）' });
  const form = h('form', { id: 'party-search', class: 'party-search', role: 'search' },
    field, value, h('button', { type: 'submit' }, '查询'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!value.value.trim()) { value.focus(); return; }
    current = { field: field.value, value: value.value };
    go('#/parties');
  });
  return form;
}

const COLUMNS = [
  ['案件编号', (c) => caseLink(c.id)],
  ['当事人身份', (c) => c.party_role_name],
  ['状态', (c) => statusChip(c)],
  ['类别', (c) => c.category_name || name('category', c.category)],
  ['概要', (c) => h('span', { class: 'summary' }, c.summary)],
  ['办理单位', (c) => c.holder_name],
  ['受理日期', (c) => fmtDate(c.opened_ms)],
];

function elsewhere({ cases, nodes }) {
  if (!cases) return h('p', { class: 'empty elsewhere' }, '树上其他节点没有此人的案件');
  return h('p', { class: 'elsewhere' }, `共 ${cases} 件：`,
    nodes.map((n) => h('span', { class: 'chip', 'data-node': n.node }, `${n.node_name} ${n.cases} 件`)));
}

export default async function partiesPage(main, { stale }) {
  if (!current) {
    clear(main, h('h1', {}, '查当事人'),
      banner('请在页面顶部选择姓名、身份证号或电话，输入完整内容后查询（空格、全角数字均可）。'));
    return;
  }
  const { field, value } = current;
  const purpose = currentPurpose();
  const again = () => partiesPage(main, { stale }).catch((err) => clear(main, h('h1', {}, '查当事人'), banner(err.message, 'error')));
  if (!purpose) {
    clear(main, h('h1', {}, '查当事人'), purposePicker(again, '查找当事人须说明查阅目的（本次登录期间沿用，每次查找均记入查阅记录）：'));
    return;
  }
  const found = await get('/api/v1/parties' + query({ [field]: value, purpose }));
  if (stale()) return;
  clear(main, h('h1', {}, '查当事人'), purposeLine(again),
    h('p', { class: 'meta search-what' }, `按${label(found.field)}查询：`, h('strong', {}, value.trim())),
    h('h2', {}, '本节点的案件'),
    table(COLUMNS, found.cases, '本节点没有此人的案件', { class: 'cases party-cases' }),
    h('h2', {}, '树上其他节点'),
    elsewhere(found.elsewhere));
}
