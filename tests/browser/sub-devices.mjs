// 设备登记 in Chromium (issue 18 item 5, 一机一账号): at 中村, a village with [auth]
// device_binding = on (console_test.py), each browser context is a device of its own. The
// administrator's first login is refused with the Chinese message, the user name kept as
// typed; the device is approved with the node's token (as jiefenctl would), then the
// administrator logs in, finds a mediator's refused login on 设备登记 by name (待批准, with
// its count), approves it (the mediator logs in) and revokes it (the mediator's open page is
// logged out with the reason). A mediator has no such page.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { env, login, newPage, settled, shot } = lib;
const BIND = env('JIEFEN_BIND_URL');
const PENDING = /此设备尚未登记，已提交登记申请，请联系管理员批准/;

async function refusedLogin(p, user) {
  await p.goto(BIND);
  await p.waitForSelector('form.login');
  await p.fill('[name=user]', user);
  await p.fill('[name=password]', lib.PASSWORD);
  await p.click('form.login button[type=submit]');
  const msg = await p.waitForSelector('form.login .form-error:not([hidden])');
  assert.match(await msg.textContent(), PENDING);
  assert.equal(await p.inputValue('[name=user]'), user);  // what was typed stays
}

// The node's token approves `user`'s pending device (jiefenctl device approve does the same).
async function approveWithToken(user) {
  const auth = { Authorization: `Bearer ${env('JIEFEN_BIND_TOKEN')}` };
  const list = await (await fetch(`${BIND}api/v1/devices`, { headers: auth })).json();
  const d = list.devices.find((x) => x.user === user && x.state === 'pending');
  assert.ok(d, `a pending device of ${user}`);
  const r = await fetch(`${BIND}api/v1/devices/${d.id}/approve`, { method: 'POST', headers: auth });
  assert.equal(r.status, 200);
}

export default async function (t) {
  await t.test('设备登记: an unknown device is refused and asks for approval; the administrator approves and revokes it by name', async () => {
    const admin = await newPage();
    await refusedLogin(admin, 'guanli');
    await approveWithToken('guanli');
    await login(admin, BIND, 'guanli');

    const mediator = await newPage();
    await refusedLogin(mediator, 'tiaojie');
    await refusedLogin(mediator, 'tiaojie');
    await admin.click('nav a[href="#/devices"]');
    const row = 'main table.devices tr:has-text("tiaojie")';
    await admin.waitForSelector(row);
    assert.match(await admin.textContent(row), /李调解（tiaojie）.*浏览器.*待批准\s*2/);
    assert.match(await admin.textContent('main table.devices tr:has-text("guanli")'), /吴管理.*已批准.*本机管理令牌/);
    await shot(admin, '22-devices-pending');
    await admin.click(`${row} button.device-approve`);
    await admin.waitForSelector(`${row} .chip.device-approved`);

    await login(mediator, BIND, 'tiaojie');
    assert.equal(await mediator.locator('nav a[href="#/devices"]').count(), 0);

    await admin.click(`${row} button.device-revoke`);
    await admin.waitForSelector(`${row} .chip.device-revoked`);
    // The mediator's next request is refused; the page may have made one already (the live
    // stream, the status banner) and be behind the login overlay: go by the address, not a
    // click on the (then inert) menu.
    await mediator.evaluate(() => { location.hash = '#/inbox'; });
    const over = await mediator.waitForSelector('#login-overlay .banner, form.login .banner');
    assert.match(await over.textContent(), /登记已撤销/);
    await settled(admin);
    await admin.context().close();
    await mediator.context().close();
  });
}
