// 投递失败 in Chromium (issue 17 item 4): 西村's webhook subscriber (console_test.py) refused
// the first delivery of each case's closing, so the old case's is a dead letter; the administrator sees it
// on 投递失败 by name (事件 案件办结, 对方拒收 HTTP 400), retries it, and it is delivered (the
// outbox shows it sent). A mediator has no such page.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, FU_OVERDUE, login, newPage, open, settled, shot, until } = lib;

export default async function (t) {
  await t.test('投递失败: a dead webhook delivery is listed by name and retried from the console', async () => {
    const p = await newPage();
    await login(p, FU, 'guanli');
    await p.click('nav a[href="#/webhooks"]');
    const row = `main table.webhook-dead tr:has(a[href="#/case/${FU_OVERDUE}"])`;
    await p.waitForSelector(row);
    assert.match(await p.textContent(row), /board.*案件办结.*发送失败.*HTTP 400/);
    assert.match(await p.textContent('main table.webhook-subscribers'), /board.*案件办结/);
    await shot(p, '21-webhooks-dead');
    await p.click(`${row} button.webhook-retry`);
    await p.waitForSelector(row, { state: 'detached' });  // queued again: no longer dead
    await until(async () => {
      await open(p, FU, '#/outbox?status=sent');
      await settled(p);
      return /案件办结/.test(await p.textContent('main'));
    }, 'the retried delivery sent');
    await p.context().close();
    const mediator = await newPage();
    await login(mediator, FU, 'tiaojie');
    assert.equal(await mediator.locator('nav a[href="#/webhooks"]').count(), 0);
    await mediator.context().close();
  });
}
