// Who saw what (查阅记录) and the 摘抄复印报批 approval flow in Chromium (issue 15).
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { PARTY, TOWN, VILLAGE_NOW, approveAccess, login, newPage, open, shot, until } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
export default async function (t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('查阅目的 asked in place before the parties show; 摘抄 refused without approval, requested, approved from the director\'s inbox, used; all in 查阅记录, up to the township', async () => {
    const med = await newPage();
    await login(med, VILLAGE_NOW(), 'tiaojie');
    await open(med, VILLAGE_NOW(), `#/case/${caseId}`);
    // No purpose yet: the file without the parties, and the question in their place.
    await med.waitForSelector('form.purpose-picker');
    assert.doesNotMatch(await med.textContent('main'), new RegExp(PARTY[0].id_number));
    await med.click('form.purpose-picker button[type=submit]');
    assert.match(await med.textContent('form.purpose-picker .field-error'), /请选择查阅目的/);
    await shot(med, '18-purpose-asked');
    await med.selectOption('form.purpose-picker select', 'follow_up');
    await med.click('form.purpose-picker button[type=submit]');
    await med.waitForSelector('.purpose-line');
    assert.match(await med.textContent('.purpose-line'), /回访/);
    assert.match(await med.textContent('main'), new RegExp(PARTY[0].id_number));
    // 摘抄 needs the director's approval here ([access] approval_for = archive,copy).
    await med.click('button[data-action=copy-parties]');
    await med.waitForSelector('form.request-access');
    assert.match(await med.textContent('.case-access .banner'), /未找到批准/);
    await med.click('form.request-access button[type=submit]');
    await med.waitForSelector('form.request-access .field.invalid');
    await med.fill('form.request-access [name=reason]', '当事人申请调取登记信息');
    await med.click('form.request-access button[type=submit]');
    await med.waitForFunction(() => /已提交申请/.test(document.getElementById('toast')?.textContent || ''));
    // The village's director approves it from the inbox.
    const boss = await newPage();
    await login(boss, VILLAGE_NOW(), 'cunzhuren');
    await open(boss, VILLAGE_NOW(), '#/inbox');
    await boss.waitForSelector('table.inbox form.decide-access');
    assert.match(await boss.textContent('table.inbox'), /待审批摘抄复印/);
    assert.match(await boss.textContent('table.inbox'), /摘抄当事人信息/);
    await shot(boss, '19-inbox-access-request');
    await approveAccess(boss);
    // Used once: the extract, then the next one needs a new approval.
    await open(med, VILLAGE_NOW(), '#/cases');
    await open(med, VILLAGE_NOW(), `#/case/${caseId}`);
    await med.click('button[data-action=copy-parties]');
    await med.waitForSelector('.access-extract');
    assert.match(await med.textContent('.access-extract'), new RegExp(PARTY[0].name));
    await shot(med, '20-copy-extract');
    // 查阅记录 at the village: who, what, why; never the data.
    await open(boss, VILLAGE_NOW(), '#/access');
    await boss.waitForSelector('table.access-log');
    const log = await boss.textContent('table.access-log');
    for (const want of ['摘抄当事人信息', '查看当事人信息', '李调解', '回访', '查找当事人']) assert.match(log, new RegExp(want));
    assert.doesNotMatch(log, new RegExp(PARTY[0].id_number));
    assert.match(await boss.textContent('table.access-requests'), /已使用/);
    await shot(boss, '21-access-log');
    // The link carries them up: the township's director audits the village.
    await until(async () => {
      await open(town, TOWN, '#/cases');
      await open(town, TOWN, '#/access');
      return /摘抄当事人信息/.test(await town.textContent('main'));
    }, 'the village\'s access events at the township');
    assert.match(await town.textContent('table.access-log'), /东村/);
    await shot(town, '22-access-log-township');
    await med.context().close();
    await boss.context().close();
  });
}
