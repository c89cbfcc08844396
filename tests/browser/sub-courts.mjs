// 诉前委派 in Chromium (issue 17 item 3): a dispute a court delegated to 西村 for mediation
// shows, on its case page, the court's 案号 and the deadline it set (console_test.py sent the
// delegation, 20 days ahead, and applied for 司法确认 after the agreement); the case's time
// limit is that deadline, its source 法院委派, and the 司法确认 card shows the application waiting.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, FU_COURT, login, newPage, open, shot } = lib;

// The local date `days` from now in 北京时间, as YYYY-MM-DD.
function dayAhead(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

export default async function (t) {
  await t.test('诉前委派: the delegated case shows the court, its 案号 and the deadline', async () => {
    const p = await newPage();
    await login(p, FU, 'cunzhuren');
    await open(p, FU, `#/case/${FU_COURT}`);
    const card = await p.waitForSelector('section.case-interop');
    assert.match(await card.textContent(), /来源系统\s*东城区人民法院/);
    assert.match(await card.textContent(), /工单号\s*WT-20261207-1/);
    assert.equal((await p.textContent('section.case-interop .court-case-no')).trim(),
      '（2026）京0101民诉前调1号');
    assert.equal((await p.textContent('section.case-interop .court-deadline')).trim(),
      `${dayAhead(20)}（含当日）`);
    assert.match(await p.textContent('section.case-interop .receipt'), /尚未办结，未发送/);
    assert.match(await p.textContent('.case-body'), /法院委派/);  // its source among the facts
    // 司法确认 applied after the agreement: waiting for the court's ruling.
    assert.equal((await p.textContent('section.case-confirm .confirm-state')).trim(),
      '已申请，等待法院裁定');
    assert.equal((await p.textContent('section.case-confirm .confirm-no')).trim(), `${FU_COURT}-SQ1`);
    await shot(p, '21-case-court');
    await p.context().close();
  });
}
