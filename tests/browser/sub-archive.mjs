// 归档导出 and document downloads as access events in Chromium (issue 15, items 5 and 6).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as lib from './lib.mjs';

const { SHOTS, TOWN, approveAccess, ask, login, newPage, open, shot } = lib;

// Where a click on 归档导出 leads: the purpose asked first (once per sign-in), then either
// the approval's request form or the file.
async function archiveClick(page) {
  await page.click('.case-access button[data-action=archive]');
  const picker = await page.waitForSelector('.case-access form.purpose-picker, form.request-access, #toast:not(:empty)');
  if (await picker.evaluate((el) => el.matches('form.purpose-picker'))) {
    await page.selectOption('.case-access form.purpose-picker select', 'casework');
    await page.click('.case-access form.purpose-picker button[type=submit]');
  }
}

// A closed case at the township (the tree's root, which signs archives), with a document;
// the township's mediator downloads the document and exports the archive once its director
// approved; both are in the case's 查阅记录. Runs after the main flow.
export default async function (t) {
  await t.test('归档导出: refused without approval, requested, approved, the archive downloaded and valid offline; the document download and the export in 查阅记录', async () => {
    const caseId = await ask('@@archive-case');
    const med = await newPage();
    await login(med, TOWN, 'tjy-t');
    await open(med, TOWN, `#/case/${caseId}`);
    await med.waitForSelector('table.documents a.doc-link');
    // A document download is recorded before its bytes go out, and arrives whole.
    const [doc] = await Promise.all([med.waitForEvent('download'), med.click('table.documents a.doc-link >> text=卷宗材料.pdf')]);
    assert.equal(doc.suggestedFilename(), '卷宗材料.pdf');
    assert.match(fs.readFileSync(await doc.path(), 'utf8'), /^%PDF-/);
    // Archives need the director's approval by default: the reason, and the request form.
    await archiveClick(med);
    await med.waitForSelector('form.request-access[data-what=archive]');
    assert.match(await med.textContent('.case-access .banner'), /未找到批准/);
    await med.fill('form.request-access [name=reason]', '结案立卷归档');
    await med.click('form.request-access button[type=submit]');
    await med.waitForFunction(() => /已提交申请/.test(document.getElementById('toast')?.textContent || ''));
    const boss = await newPage();
    await login(boss, TOWN, 'zhuren');
    await open(boss, TOWN, '#/inbox');
    await boss.waitForSelector('table.inbox form.decide-access');
    assert.match(await boss.textContent('table.inbox'), /归档导出/);
    await approveAccess(boss);
    // Approved: the archive is made and saved; it checks out offline against the root.
    await open(med, TOWN, '#/cases');
    await open(med, TOWN, `#/case/${caseId}`);
    await med.waitForSelector('.case-access button[data-action=archive]');
    const [dl] = await Promise.all([med.waitForEvent('download'), archiveClick(med)]);
    assert.equal(dl.suggestedFilename(), `archive-${caseId}.tar`);
    const file = path.join(SHOTS, dl.suggestedFilename());
    await dl.saveAs(file);
    assert.equal(await ask(`@@archive-verify ${file}`), 'ok');
    await shot(med, '22-archive-exported');
    // 查阅记录: the download and the export, with who and why.
    await open(boss, TOWN, `#/case/${caseId}`);
    await boss.waitForSelector('table.access-log');
    const log = await boss.textContent('table.access-log');
    for (const want of ['归档导出', '下载文书', '钱调解', '办案']) assert.match(log, new RegExp(want));
    await shot(boss, '23-archive-access-log');
    await med.context().close();
    await boss.context().close();
  });
}
