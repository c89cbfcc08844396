// purpose — 查阅目的: why the signed-in user opens personal data (办案, 回访, 督办, 审计,
// 复核, 其他). Asked for in place where personal data would show (never over the page, so
// nothing else waits for it), remembered for the session in this module's memory only
// (not in the browser's storage; forgotten at sign-out), and sent as `purpose` with every
// view of parties and every search, each of which the node records (查阅记录,
// docs/casefile.md "Who saw what").
import { h } from './ui.js';
import { options, name } from './vocab.js';

let purpose = '';

export function currentPurpose() { return purpose; }

export function forgetPurpose() { purpose = ''; }

// A small form asking for the purpose; `chosen` runs once one is picked.
export function purposePicker(chosen, note = '查看当事人个人信息须说明查阅目的（本次登录期间沿用，每次查阅均记入查阅记录）：') {
  const choice = h('select', { name: 'purpose', 'aria-label': '查阅目的' },
    h('option', { value: '' }, '请选择查阅目的'),
    options('purpose').map(([code, label]) => h('option', { value: code }, label)));
  choice.value = purpose;
  const err = h('span', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'purpose-picker', novalidate: true },
    h('span', {}, note), choice, h('button', { type: 'submit', class: 'primary' }, '查看'), err);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!choice.value) {
      err.textContent = '请选择查阅目的';
      choice.focus();
      return;
    }
    purpose = choice.value;
    chosen(purpose);
  });
  return form;
}

// "查阅目的：办案 [更改]" where personal data shows; 更改 puts the picker in its place.
export function purposeLine(changed) {
  const line = h('p', { class: 'meta purpose-line' }, '查阅目的：', h('strong', {}, name('purpose', purpose)), ' ');
  line.append(h('button', { type: 'button', class: 'link', onclick: () => line.replaceWith(purposePicker(changed, '更改查阅目的：')) }, '更改'));
  return line;
}
