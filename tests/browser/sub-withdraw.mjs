// 撤回 in Chromium: a case at 西村 closed with the box 当事人撤回申请 ticked; a refusal
// (反馈情况 left empty) keeps the form as typed, box included; once closed, the case's facts
// and its history say 当事人撤回.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, PARTY, login, newPage, open, pageFetch, shot } = lib;

export default async function (t) {
  await t.test('撤回: the close form\'s 当事人撤回申请 box is kept over a refusal, and the closed case says 当事人撤回', async () => {
    const p = await newPage();
    await login(p, FU, 'cunzhuren');
    const { body: s } = await pageFetch(p, 'GET', '/api/v1/session', null);
    const intake = { parties: [{ role: 'applicant', ...PARTY[0] }, { role: 'respondent', ...PARTY[1] }],
      category: 'neighbourhood', matter_type: 'dispute_mediation', source: 'walk_in',
      summary: '邻里排水沟纠纷，申请人后来撤回', complexity: 'simple' };
    const made = await pageFetch(p, 'POST', '/api/v1/cases', intake, { 'X-CSRF-Token': s.csrf });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.case.id;

    await open(p, FU, `#/case/${encodeURIComponent(id)}`);
    await p.click('.case-actions button[data-action=close]');
    const close = 'form[data-action=close]';
    await p.fill(`${close} [name=result]`, '双方自行协商解决');
    await p.check(`${close} [name=withdrawn]`);
    await p.click(`${close} button[type=submit]`);
    const slot = await p.waitForSelector(`${close} .field.invalid`);
    assert.equal(await slot.getAttribute('data-field'), 'feedback');
    assert.equal(await p.inputValue(`${close} [name=result]`), '双方自行协商解决');
    assert.equal(await p.isChecked(`${close} [name=withdrawn]`), true);

    await p.fill(`${close} [name=feedback]`, '已电话告知双方');
    await p.click(`${close} button[type=submit]`);
    await p.waitForSelector('.timeline .kind-case_closed');
    assert.match(await p.textContent('.facts'), /双方自行协商解决\s*当事人撤回/);
    assert.match(await p.textContent('.timeline .kind-case_closed'), /当事人撤回：双方自行协商解决/);
    const shown = (await pageFetch(p, 'GET', `/api/v1/cases/${encodeURIComponent(id)}`, null)).body.case;
    assert.equal(shown.withdrawn, true);
    await shot(p, '24-case-withdrawn');
    await p.context().close();
  });
}
