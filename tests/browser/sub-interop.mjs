// 信息互通 in Chromium (issue 17): a case taken in from a 12345 work order shows the
// system, its order number and its 回单's state on the case page (console_test.py made the
// order at 西村 and guided the case to the court; no receipt_url, so the 回单 waits in the outbox).
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, FU_ORDER, login, newPage, open, shot } = lib;

export default async function (t) {
  await t.test('外部工单: the case from a 12345 order shows the hotline, its order number and the 回单 waiting', async () => {
    const p = await newPage();
    await login(p, FU, 'cunzhuren');
    await open(p, FU, `#/case/${FU_ORDER}`);
    const card = await p.waitForSelector('section.case-interop');
    const text = await card.textContent();
    assert.match(text, /来源系统\s*12345热线/);
    assert.equal((await p.textContent('section.case-interop .order-no')).trim(), 'GD-20261207-001');
    assert.match(await p.textContent('section.case-interop .receipt'), /非本中心受理范围，已退回.*未配置网关，等待发送/);
    assert.match(await p.textContent('.case-body'), /12345热线/);  // its source among the facts
    await shot(p, '20-case-interop');
    await p.context().close();
  });
}
