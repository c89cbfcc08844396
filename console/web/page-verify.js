// page-verify — 核验回执: a receipt's or an agreement's QR text, pasted, checked by this
// node against its tree's root certificate (POST /api/v1/receipts/verify). A valid one says
// which case, which paper and which centre signed it; a changed or forged one is refused
// with the reason. The same check runs offline with `jiefenctl receipt verify`.
import { post } from './api.js';
import { h, clear, field, textarea, formError, submitting, fmtTime } from './ui.js';

const KIND = { receipt: '受理回执', agreement: '调解协议书' };

function outcome(r) {
  if (!r.valid)
    return h('div', { class: 'banner error verify-result', role: 'status', 'data-valid': 'false' },
      h('strong', {}, '核验未通过：'), r.message, h('small', { class: 'mono' }, ` [${r.code}]`));
  const x = r.receipt;
  return h('div', { class: 'banner ok verify-result', role: 'status', 'data-valid': 'true' },
    h('strong', {}, '核验通过：'), r.message,
    h('dl', { class: 'facts' },
      h('dt', {}, '案件编号'), h('dd', { class: 'mono' }, x.case_id),
      h('dt', {}, '文书'), h('dd', {}, KIND[x.kind] || x.kind),
      h('dt', {}, '签发单位'), h('dd', {}, `${x.node_name}（${x.node_id}）`),
      h('dt', {}, '事件时间'), h('dd', {}, fmtTime(x.time_ms)),
      h('dt', {}, '事件哈希'), h('dd', { class: 'mono' }, x.event_hash)));
}

export default async function verifyPage(main) {
  const result = h('div', { class: 'verify-slot' });
  const form = h('form', { class: 'card', novalidate: true },
    h('p', {}, '将回执或调解协议书上二维码扫出的文本（以 JFR1. 开头）粘贴到下面，核验其是否由本树的节点签发、内容是否被改动。'),
    formError(),
    field('二维码文本', textarea({ rows: 5, class: 'mono', spellcheck: 'false' }), 'text', { required: true, wide: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '核验')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const text = form.querySelector('[name=text]').value.trim();
      clear(result, outcome(await post('/api/v1/receipts/verify', { text })));
    });
  });
  clear(main, h('h1', {}, '核验回执'), form, result);
}
