// purpose — 查阅目的: why the signed-in user opens personal data (办案, 回访, 督办, 审计,
// 复核, 其他), asked for once and remembered for the browser tab's session (sessionStorage,
// cleared at sign-out), and sent as `purpose` with every view of parties and every search,
// each of which the node records (查阅记录, docs/casefile.md "Who saw what").
import { h } from './ui.js';
import { options, name } from './vocab.js';

const KEY = 'jiefen.purpose';

export function currentPurpose() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function forgetPurpose() {
  try { sessionStorage.removeItem(KEY); } catch { /* nothing kept */ }
}

// Asks for the purpose in a modal dialog; resolves with its code, or '' when the user
// declines (then nothing personal is shown).
export function askPurpose() {
  return new Promise((resolve) => {
    const choice = h('select', { id: 'purpose-choice', name: 'purpose' },
      h('option', { value: '' }, '请选择'),
      options('purpose').map(([code, label]) => h('option', { value: code }, label)));
    choice.value = currentPurpose();
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'purpose-title' }, '查阅目的'),
      h('p', {}, '查看当事人个人信息须说明查阅目的；本次登录期间沿用，可随时更改。每次查阅都记入查阅记录，逐级上报。'),
      h('label', { for: 'purpose-choice' }, '查阅目的'), choice, err,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'ok' }, '确定'),
        h('button', { type: 'submit', class: 'secondary', value: 'cancel', formnovalidate: true }, '不查看个人信息')));
    const dlg = h('dialog', { class: 'purpose-dialog', 'aria-labelledby': 'purpose-title' }, form);
    form.addEventListener('submit', (ev) => {
      if (ev.submitter && ev.submitter.value === 'ok' && !choice.value) {
        ev.preventDefault();
        err.textContent = '请选择查阅目的';
        err.hidden = false;
        choice.focus();
      }
    });
    dlg.addEventListener('close', () => {
      const code = dlg.returnValue === 'ok' ? choice.value : '';
      if (code) {
        try { sessionStorage.setItem(KEY, code); } catch { /* asked again next time */ }
      }
      dlg.remove();
      resolve(code);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// The purpose in force, asking when there is none yet.
export async function ensurePurpose() {
  return currentPurpose() || askPurpose();
}

// "查阅目的：办案 [更改]" for a page that shows personal data; `changed` reloads it.
export function purposeLine(changed) {
  const code = currentPurpose();
  return h('p', { class: 'meta purpose-line' }, '查阅目的：',
    h('strong', {}, code ? name('purpose', code) : '未说明（不显示个人信息）'), ' ',
    h('button', { type: 'button', class: 'link', onclick: async () => { if (await askPurpose()) changed(); } }, '更改'));
}
