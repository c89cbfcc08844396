// 调解预约 and staff phones in Chromium (issue 16): at 西村 the mediator sets a mediation
// session on the open case (a missing place refused beside its field, the time typed kept),
// sees it on the case page, its SMS to the parties and their status, and in the 待办; then
// gives their own mobile number for reminders (a wrong one refused beside the field, kept).
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, FU_OPEN, login, newPage, open, shot, until } = lib;

// YYYY-MM-DD, days from now, in the node's zone.
function dayAhead(days) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + days * 86400000));
}

export default async function (t) {
  await t.test('调解预约: the mediator sets a session (refusal beside its field, typing kept), sees it on the case, its SMS and the 待办; sets their own phone', async () => {
    const med = await newPage();
    await login(med, FU, 'tiaojie');
    await open(med, FU, `#/case/${encodeURIComponent(FU_OPEN)}`);
    await med.click('.case-actions button[data-action=appointment]');
    const form = 'form[data-action=appointment]';
    const at = `${dayAhead(3)}T14:30`;
    await med.fill(`${form} [name=at]`, at);
    await med.click(`${form} button[type=submit]`);
    const slot = await med.waitForSelector(`${form} .field.invalid`);
    assert.equal(await slot.getAttribute('data-field'), 'place');
    assert.equal(await med.inputValue(`${form} [name=at]`), at);
    await med.fill(`${form} [name=place]`, '西村村委会调解室');
    await med.click(`${form} button[type=submit]`);
    await med.waitForSelector('.timeline .kind-appointment_set');
    assert.match(await med.textContent('.facts .appointment'), new RegExp(`${dayAhead(3)} 14:30，西村村委会调解室（李调解安排）`));
    assert.match(await med.textContent('.timeline .kind-appointment_set'), /调解预约.*西村村委会调解室.*已短信通知当事人/);
    // The parties' SMS with their status (no gateway here: waiting, visibly, once the
    // courier has looked at them: the page shows what it read, so it is opened again).
    await until(async () => /调解时间通知.*未配置网关，等待发送/.test(await med.textContent('section.case-sms')) ||
      (await open(med, FU, `#/case/${encodeURIComponent(FU_OPEN)}`), false), 'the SMS waiting for a gateway');
    await shot(med, '21-case-appointment');
    await open(med, FU, '#/inbox');
    assert.match(await med.textContent('main'), new RegExp(`调解预约\\s*婚姻家庭纠纷\\s*西村\\s*${dayAhead(3)} 14:30`));

    await open(med, FU, '#/account');
    const own = 'form.own-phone-form';
    assert.match(await med.textContent(own), /未登记手机号/);
    await med.fill(`${own} [name=phone]`, '1391234');
    await med.click(`${own} button[type=submit]`);
    const bad = await med.waitForSelector(`${own} .field.invalid`);
    assert.equal(await bad.getAttribute('data-field'), 'phone');
    assert.match(await (await bad.$('.field-error')).textContent(), /手机号码/);
    assert.equal(await med.inputValue(`${own} [name=phone]`), '1391234');
    await med.fill(`${own} [name=phone]`, '13912345678');
    await med.click(`${own} button[type=submit]`);
    await med.waitForFunction(() => /当前：139\*\*\*\*5678/.test(document.querySelector('form.own-phone-form').textContent));
    await shot(med, '22-own-phone');
    await med.context().close();
  });
}
