// The follow-up queue (回访) and the rosters (名册) in Chromium (issue 16).
import assert from 'node:assert/strict';
import path from 'node:path';
import * as lib from './lib.mjs';

const { FU, FU_OPEN, FU_OVERDUE, login, newPage, open, shot } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
export default async function (t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('名册: the director adds a person (a wrong phone shown beside its field, the typing kept), deactivates and restores them', async () => {
    const dir = await newPage();
    await login(dir, FU, 'cunzhuren');
    await open(dir, FU, '#/roster');
    assert.match(await dir.textContent('main'), /名册中暂无人员/);
    await dir.click('#roster-add');
    const form = 'form.roster-form';
    await dir.fill(`${form} [name=name]`, '王律师');
    await dir.selectOption(`${form} [name=kind]`, 'lawyer');
    await dir.fill(`${form} [name=specialties]`, '婚姻家庭、继承');
    await dir.fill(`${form} [name=organisation]`, '正义律师事务所');
    await dir.fill(`${form} [name=phone]`, '请打电话');
    await dir.click(`${form} button[type=submit]`);
    const slot = await dir.waitForSelector(`${form} .field.invalid`);
    assert.equal(await slot.getAttribute('data-field'), 'phone');
    assert.match(await (await slot.$('.field-error')).textContent(), /联系电话/);
    assert.equal(await dir.inputValue(`${form} [name=name]`), '王律师');
    await dir.fill(`${form} [name=phone]`, '13987654321');
    await dir.click(`${form} button[type=submit]`);
    await dir.waitForSelector('table.roster [data-person=R1]');
    const row = await dir.textContent('table.roster tbody tr');
    assert.match(row, /王律师.*律师.*婚姻家庭、继承.*正义律师事务所.*13987654321.*在用/);
    await dir.click('[data-person=R1] button[data-switch=off]');
    await dir.waitForSelector('[data-person=R1] button[data-switch=on]');
    assert.match(await dir.textContent('table.roster tbody tr'), /已停用/);
    await dir.click('[data-person=R1] button[data-switch=on]');
    await dir.waitForSelector('[data-person=R1] button[data-switch=off]');
    await shot(dir, '18-roster');
    await dir.context().close();
  });

  await t.test('回访: an overdue follow-up in the inbox and the queue; a roster person chosen for an attempt; closing makes one due; both recorded', async () => {
    const med = await newPage();
    await login(med, FU, 'tiaojie');
    await open(med, FU, '#/inbox');
    assert.match(await med.textContent('table.inbox'), /回访逾期/);
    await open(med, FU, '#/followups');
    assert.match(await med.textContent('.followup-counts'), /回访逾期 1/);
    const overdueRow = await med.textContent('table.followups tbody tr');
    assert.match(overdueRow, new RegExp(`回访逾期.*${FU_OVERDUE}.*邻里漏水纠纷.*李调解`));
    await shot(med, '19-followups-overdue');

    // The open case: mediated by 王律师 from the roster, closed, its follow-up due.
    await open(med, FU, `#/case/${encodeURIComponent(FU_OPEN)}`);
    await med.click('.case-actions button[data-action=attempts]');
    const att = 'form[data-action=attempts]';
    await med.selectOption(`${att} [name=roster_id]`, 'R1');
    await med.selectOption(`${att} [name=method]`, 'lawyer');
    await med.selectOption(`${att} [name=outcome]`, 'agreement');
    await med.fill(`${att} [name=agreement]`, '赔偿三千元');
    await med.click(`${att} button[type=submit]`);
    await med.waitForSelector('.timeline .kind-attempt');
    assert.match(await med.textContent('.timeline .kind-attempt'), /王律师/);
    await med.click('.case-actions button[data-action=close]');
    const close = 'form[data-action=close]';
    await med.fill(`${close} [name=result]`, '达成协议并履行');
    await med.fill(`${close} [name=feedback]`, '已电话告知');
    await med.selectOption(`${close} [name=followup_assignee]`, 'tiaojie');
    await med.click(`${close} button[type=submit]`);
    await med.waitForSelector('.timeline .kind-case_closed');
    assert.match(await med.textContent('.facts'), /待回访 期限 .*回访人 李调解/);

    await open(med, FU, '#/followups?state=due');
    assert.match(await med.textContent('table.followups'), new RegExp(`待回访.*${FU_OPEN}`));
    // Recorded from the queue: a bad choice is refused beside its field, then it is done.
    for (const id of [FU_OPEN, FU_OVERDUE]) {
      await open(med, FU, '#/followups');
      await med.click(`button[data-record="${id}"]`);
      const form = `form[data-case="${id}"]`;
      await med.click(`${form} button[type=submit]`);
      const missing = await med.waitForSelector(`${form} .field.invalid`);
      assert.equal(await missing.getAttribute('data-field'), 'satisfaction');
      await med.selectOption(`${form} [name=satisfaction]`, 'satisfied');
      await med.selectOption(`${form} [name=method]`, 'visit');
      await med.selectOption(`${form} [name=performance]`, 'performed');
      await med.fill(`${form} [name=note]`, '协议已履行');
      await med.click(`${form} button[type=submit]`);
      await med.waitForSelector(`button[data-record="${id}"]`, { state: 'detached' });
    }
    assert.match(await med.textContent('main'), /暂无待回访的案件/);
    await open(med, FU, `#/case/${encodeURIComponent(FU_OVERDUE)}`);
    assert.match(await med.textContent('.facts'), /逾期回访 .*满意，上门，协议已履行/);
    await open(med, FU, '#/roster');
    assert.match(await med.textContent('table.roster tbody tr'), /王律师.*在用\s*1\s*1\s*100\.0%/);
    await med.context().close();
  });
}
