// Operations in Chromium: a village whose disk is below its free-space floor (issue 18).
import assert from 'node:assert/strict';
import path from 'node:path';
import * as lib from './lib.mjs';

const { FULL, PARTY, fillIntake, login, newPage, open, shot } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
export default async function (t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('a village out of disk space says so on every page, and a refused intake keeps what was typed', async () => {
    const page = await newPage();
    await login(page, FULL, 'luru');
    const words = /^磁盘空间不足：剩余 \d+ MiB，至少需要 1073741824 MiB；只读运行中$/;
    for (const hash of ['#/cases', '#/intake']) {
      await open(page, FULL, hash);
      const el = await page.waitForSelector('#disk-banner:not([hidden]) .banner');
      assert.match(await el.textContent(), words);
    }
    // Reads go on: the case list is there (empty), not an error.
    await fillIntake(page);
    await page.click('form.intake button[type=submit]');
    const refusal = await page.waitForSelector('form.intake .form-error:not([hidden])');
    assert.match(await refusal.textContent(), /磁盘空间不足：剩余 \d+ MiB/);
    assert.match(page.url(), /#\/intake$/);
    assert.equal(await page.inputValue('[name="parties[0].name"]'), PARTY[0].name);
    assert.equal(await page.inputValue('[name=summary]'), '承包地边界争议，双方对界桩位置各执一词');
    await shot(page, '18-disk-full');
    await page.context().close();
  });
}
