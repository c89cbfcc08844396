// Departments seated in the centre (入驻部门) in Chromium (issue 16): routing, 签收, 退回, 反馈.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as lib from './lib.mjs';

const { TOWN, login, newPage, open, shot, until } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
export default async function (t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('departments: the director routes the case; 司法所 signs for it, returns it, and after a new routing signs and feeds back its result; 信访办 sees nothing of it', async () => {
    const parts = (page) => page.locator('.case-departments table.dept-parts');
    const route = async (helpers) => {
      await open(town, TOWN, `#/case/${caseId}`);
      await town.click('.case-actions button[data-action="departments/route"]');
      await town.selectOption('form[data-action="departments/route"] [name=lead]', '司法所');
      if (helpers) await town.fill('form[data-action="departments/route"] [name=helpers]', helpers);
      await town.fill('form[data-action="departments/route"] [name=reason]', '涉及治安与调解，司法所牵头');
      const before = await town.locator('.timeline .kind-dept_routed').count();
      await town.click('form[data-action="departments/route"] button[type=submit]');
      await until(async () => (await town.locator('.timeline .kind-dept_routed').count()) > before, 'the routing in the file');
    };
    await route('派出所');
    assert.match(await parts(town).textContent(), /司法所.*牵头.*待签收/s);
    assert.match(await parts(town).textContent(), /派出所.*协办/s);
    await shot(town, '07a-case-routed-to-departments');

    const dept = await newPage();
    await login(dept, TOWN, 'sfs');
    await dept.waitForSelector('table.workbench');
    assert.match(await dept.textContent('#nav'), /部门工作台/);
    assert.doesNotMatch(await dept.textContent('#nav'), /案件列表|督办|统计报表/);
    assert.match(await dept.textContent('.workbench-counts'), /1\s*待签收/);
    await shot(dept, '07b-department-workbench');
    const act = async (action, fill) => {
      await dept.click(`.case-actions button[data-action="${action}"]`);
      await fill(`form[data-action="${action}"]`);
      await dept.click(`form[data-action="${action}"] button[type=submit]`);
    };
    await dept.click(`table.workbench a[href="#/case/${caseId}"]`);
    await dept.waitForSelector('.case-departments');
    await act('departments/sign', async (f) => dept.fill(`${f} [name=note]`, '已收到，安排人员'));
    await dept.waitForSelector('.case-departments [data-state=in_hand]');
    // A return without its reason is refused beside the field; with it, the case goes back.
    await dept.click('.case-actions button[data-action="departments/return"]');
    await dept.click('form[data-action="departments/return"] button[type=submit]');
    await dept.waitForSelector('form[data-action="departments/return"] [data-field=reason].invalid');
    await dept.fill('form[data-action="departments/return"] [name=reason]', '主要涉及治安处罚，应由派出所牵头');
    await dept.click('form[data-action="departments/return"] button[type=submit]');
    await dept.waitForSelector('.case-departments .banner');
    assert.match(await dept.textContent('.case-departments'), /待重新分流/);
    await shot(dept, '07c-department-returned');

    await route('');  // the director routes it again (it was in the routing queue)
    await open(dept, TOWN, '#/workbench?state=to_sign');
    await dept.click(`table.workbench a[href="#/case/${caseId}"]`);
    await dept.waitForSelector('.case-actions button[data-action="departments/sign"]');
    await act('departments/sign', async () => {});
    await dept.waitForSelector('.case-departments [data-state=in_hand]');
    await act('departments/feedback', async (f) => {
      await dept.fill(`${f} [name=text]`, '经调解双方达成协议，已履行');
      await dept.check(`${f} [name=final]`);
    });
    await dept.waitForSelector('.case-departments [data-state=done]');
    await dept.waitForSelector('.timeline .kind-dept_feedback');
    await open(dept, TOWN, '#/workbench?state=done');
    await dept.waitForSelector(`table.workbench a[href="#/case/${caseId}"]`);
    await shot(dept, '07d-department-done');

    // Another department sees none of it: not in its workbench, not by its file's address.
    const other = await newPage();
    await login(other, TOWN, 'xfb');
    assert.match(await other.textContent('main'), /暂无分流给本部门的案件/);
    await open(other, TOWN, `#/case/${caseId}`);
    assert.match(await other.textContent('main'), /无此案件/);
    const status = await other.evaluate(async (id) => [
      (await fetch(`/api/v1/cases/${encodeURIComponent(id)}`)).status,
      (await fetch('/api/v1/cases')).status], caseId);
    assert.deepEqual(status, [404, 403]);

    // The director's view of the departments' timeliness.
    await open(town, TOWN, '#/departments');
    assert.match(await town.textContent('table.dept-timeliness'), /司法所/);
    await shot(town, '07e-departments-timeliness');
    await dept.context().close();
    await other.context().close();
  });
}
