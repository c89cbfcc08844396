// 回单去向 in Chromium (issue 17 leftover): the administrator's 短信发件箱 says how each
// outside system's 回单 travel. console_test.py gave 东村 the 信访 system without a
// receipt_url and an exchange folder (drop_dir): its 回单 go to the folder, shown as 交换目录
// with the folder's path, not as waiting for a gateway.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { VILLAGE_NOW, login, newPage, open, settled, shot } = lib;

export default async function (t) {
  await t.test('短信发件箱: the 信访 system\'s 回单 go to the exchange folder (交换目录), with its path', async () => {
    const p = await newPage();
    await login(p, VILLAGE_NOW(), 'guanli');
    await open(p, VILLAGE_NOW(), '#/outbox');
    const row = p.locator('section.outbox-receipts table.receipts tr', { hasText: '信访系统' });
    await row.waitFor();
    await settled(p);
    assert.equal((await p.textContent('section.outbox-receipts h2')).trim(), '回单去向');
    assert.equal((await row.locator('[data-delivery]').getAttribute('data-delivery')), 'folder');
    assert.equal((await row.locator('[data-delivery]').textContent()).trim(), '交换目录');
    assert.match(await row.textContent(), /\/exchange\/xinfang\/receipts/);
    assert.doesNotMatch(await row.textContent(), /未配置网关/);
    await shot(p, '15c-outbox-receipts');
    await p.context().close();
  });
}
