// Linkage without ID numbers in Chromium (issue 17 item 5): 西村 (population 2000 in its
// [linkage] config, console_test.py) shows 信息互通指标 on 统计报表; its administrator pastes
// the court's filings: a bad tag is refused naming the filing and the pasted text stays;
// a good filing makes 西村's 万人成讼率 5.00 and takes it off 无讼村居.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, login, newPage, open, shot } = lib;
const TAG = 'a'.repeat(32);

export default async function (t) {
  await t.test('信息互通指标: 万人成讼率 and 无讼村居 of 西村, court filings pasted by its administrator', async () => {
    const p = await newPage();
    await login(p, FU, 'guanli');
    await open(p, FU, '#/reports');
    const card = await p.waitForSelector('section.linkage');
    assert.match(await card.textContent(), /初信初访一次性化解率/);
    assert.match(await p.textContent('.linkage-villages'), /西村\s*2000\s*0\s*0\.00/);
    assert.match(await p.textContent('.no-lawsuit'), /无讼村居：西村/);
    const day = await p.inputValue('form.filters input[name=from]');
    const bad = JSON.stringify({ filings: [{ tag: 'XYZ', village: 'v-fu', date: day }] });
    await p.fill('.linkage-filings textarea', bad);
    await p.click('.linkage-filings button[type=submit]');
    await p.waitForSelector('.linkage-filings .form-error:not([hidden]), .linkage-filings [aria-invalid=true]');
    assert.match(await p.textContent('.linkage-filings'), /第 1 条起诉登记的关联标记/);
    assert.equal(await p.inputValue('.linkage-filings textarea'), bad);
    await p.fill('.linkage-filings textarea', JSON.stringify({ filings: [{ tag: TAG, village: 'v-fu', date: day }] }));
    await p.click('.linkage-filings button[type=submit]');
    await lib.until(async () => /西村\s*2000\s*1\s*5\.00/.test(await p.textContent('.linkage-villages').catch(() => '')),
      'the filing counted in 西村');
    assert.match(await p.textContent('.no-lawsuit'), /无讼村居：无/);
    await shot(p, '21-reports-linkage');
    await p.context().close();
  });
}
