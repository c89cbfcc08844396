// linkage-card — 信息互通指标 on the 统计报表 page (page-reports.js): the linkage figures of
// the ledger (docs/ledger.md: 初信初访一次性化解率, 重复信访, 万人成讼率 by village,
// 无讼村居), computed from keyed tags of ID numbers, never the numbers; and, for the node's
// administrator, the court's filings by tag (POST /api/v1/linkage/filings) pasted as JSON.
import { post } from './api.js';
import { h, field, textarea, formError, submitting, table, fmtRate, toast } from './ui.js';

function figures(k) {
  const cards = [
    ['初信初访一次性化解率', fmtRate(k.first_resolution_rate)],
    ['初信初访', `${k.first_cases} 件`],
    ['首次受理地化解', `${k.first_resolved} 件`],
    ['重复信访', `${k.repeat_persons} 人 / ${k.repeat_cases} 件`],
  ];
  return h('div', { class: 'figures linkage-figures' }, cards.map(([label, v]) =>
    h('div', { class: 'figure' }, h('strong', {}, v), h('span', {}, label))));
}

function villages(k) {
  const rows = Object.values(k.villages || {});
  const none = (k.no_lawsuit_villages || []).map((id) => k.villages[id].name);
  return [
    h('h3', {}, '万人成讼率（按村）'),
    table([
      ['村（社区）', (v) => v.name],
      ['常住人口', (v) => (v.population == null ? '未配置' : String(v.population))],
      ['起诉', (v) => String(v.filings)],
      ['万人成讼率', (v) => (v.rate_per_10k == null ? '—' : v.rate_per_10k.toFixed(2))],
    ], rows, '本期无起诉登记，也未配置村人口', { class: 'linkage-villages' }),
    h('p', { class: 'no-lawsuit' }, '无讼村居：', none.length ? none.join('、') : '无'),
  ];
}

// The form keeps what was pasted when the daemon refuses it (the error names the filing).
function filingsForm(reload) {
  const form = h('form', { class: 'linkage-filings' },
    field('法院起诉登记（JSON：{"filings":[{"tag","village","date"}]}）',
      textarea({ name: 'filings', rows: 4, class: 'mono' }), 'filings'),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, '导入起诉登记')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      let body;
      try { body = JSON.parse(form.elements.filings.value); } catch {
        throw Object.assign(new Error('不是有效的 JSON'), { code: 'invalid_json', field: 'filings' });
      }
      const r = await post('/api/v1/linkage/filings', body);
      toast(`已收到起诉登记 ${r.received} 条，新增 ${r.added} 条`);
      reload();
    });
  });
  return form;
}

export function linkageSection(l, canImport, reload) {
  const k = l.linkage;
  if (!k) return null;
  return h('section', { class: 'card linkage', 'aria-label': '信息互通指标' },
    h('h2', {}, '信息互通指标'),
    h('p', { class: 'hint' }, '按身份证号的关联标记计算，不含身份证号本身。'),
    figures(k), ...villages(k), canImport ? filingsForm(reload) : null);
}
