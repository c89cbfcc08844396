// The console in real Chromium (playwright-core), against a township and a village started
// by console_test.py: intake with a wrong field and its error beside it, three failed
// mediations and the escalation, the case found at the township, a clerk refused, CSRF and
// session expiry, the intake's errors all at once, a session warning and a half-typed intake
// kept over a login after expiry (a village with a one-minute idle limit), accounts managed and one's own password changed, the clock banner of a village 31 minutes fast and its clock on the township's network page, the township's inbox badge going up live when a village escalates, a person searched for from the header by each field (and found at the township the case was escalated to) (its purpose asked in place), the purpose asked before the parties show, a 摘抄 requested, approved from the director's inbox and used, 查阅记录 at the village and the township, the disk-full banner of a village that takes no new writes (sub-ops.mjs), documents dropped on the case and following it to the township (sub-documents.mjs), a closed case's archive exported after the director's approval and checked offline, with a document download, both in 查阅记录 (sub-archive.mjs), every main page at 1366×768 and on a tablet, screenshots of each.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as lib from './lib.mjs';
import hazards from './sub-hazards.mjs';
import access from './sub-access.mjs';
import { documentsAtVillage, documentsAtTownship } from './sub-documents.mjs';
import departments from './sub-departments.mjs';
import followups from './sub-followups.mjs';
import ops from './sub-ops.mjs';
import interop from './sub-interop.mjs';
import webhooks from './sub-webhooks.mjs';
import appointments from './sub-appointments.mjs';
import courts from './sub-courts.mjs';
import confirm from './sub-confirm.mjs';
import archive from './sub-archive.mjs';
import linkage from './sub-linkage.mjs';
import devices from './sub-devices.mjs';
import withdraw from './sub-withdraw.mjs';
import rfolder from './sub-rfolder.mjs';

const { IDLE, PARTY, PASSWORD, SHOTS, TABLET, TOWN, VILLAGE, VILLAGE_NOW, ask, chromium, env, errorCode, errorMessage, failedAttempt, fillIntake, login, newPage, noHorizontalScroll, open, pageFetch, problems, settled, shot, stdin, setBrowser, setVillageNow, until } = lib;

test('the console in Chromium', async (t) => {
  const browser = await chromium.launch({ executablePath: env('JIEFEN_CHROMIUM'), args: ['--no-sandbox', '--lang=zh-CN'] });
  setBrowser(browser);
  t.after(async () => { stdin.close(); await browser.close(); });
  const village = await newPage();
  const town = await newPage();
  let caseId;
  const ctx = { village, town, caseId: () => caseId };

  await t.test('login page is served by the node, in Chinese, with its security headers', async () => {
    const res = await village.goto(VILLAGE);
    const h = res.headers();
    assert.match(h['content-type'], /^text\/html/);
    assert.match(h['content-security-policy'], /default-src 'self'/);
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['x-content-type-options'], 'nosniff');
    await village.waitForSelector('form.login');
    assert.equal(await village.textContent('form.login h1'), '登录');
    await shot(village, '01-login');
  });

  await t.test('a wrong password is refused with the API\'s message', async () => {
    await village.fill('[name=user]', 'chuangkou');
    await village.fill('[name=password]', 'wrong-password');
    await village.click('form.login button[type=submit]');
    const msg = await village.waitForSelector('form.login .form-error:not([hidden]), form.login .field.invalid .field-error');
    assert.match(await msg.textContent(), /用户名或密码错误/);
  });

  await t.test('clerk: intake with a wrong ID number shows the error beside that field, then is taken in', async () => {
    await login(village, VILLAGE, 'chuangkou');
    assert.match(await village.textContent('#who'), /窗口受理/);
    await open(village, VILLAGE, '#/intake');
    await fillIntake(village, '110101199003077572');
    await village.click('form.intake button[type=submit]');
    const slot = await village.waitForSelector('.field.invalid');
    assert.equal(await slot.getAttribute('data-field'), 'parties[1].id_number');
    assert.match(await (await slot.$('.field-error')).textContent(), /校验位/);
    assert.equal(await village.locator('.field.invalid').count(), 1);
    assert.equal(await village.getAttribute('[name="parties[1].id_number"]', 'aria-invalid'), 'true');
    await shot(village, '02-intake-error');

    await village.fill('[name="parties[1].id_number"]', PARTY[1].id_number);
    await village.click('form.intake button[type=submit]');
    await village.waitForURL(/#\/case\//);
    await village.waitForSelector('.timeline .kind-case_opened');
    caseId = (await village.textContent('h1 .mono')).trim();
    assert.match(caseId, /^v11-\d{4}-\d{6}$/);
    await shot(village, '03-case-new');
  });

  await t.test('clerk: the new case shows its SMS receipt (短信通知), masked, waiting for a gateway', async () => {
    const rows = 'section.case-sms table.sms tbody tr';
    const row = await until(async () => {
      await open(village, VILLAGE, `#/case/${caseId}`);
      const text = await village.locator(rows).first().textContent().catch(() => '');
      return /未配置网关，等待发送/.test(text) && text;
    }, 'the receipt waiting for a gateway');
    assert.equal(await village.locator(rows).count(), 1, 'one receipt: the other party has a landline');
    assert.match(row, /受理回执/);
    assert.match(row, /138\*\*\*\*8000/);
    assert.ok(!(await village.textContent('section.case-sms')).includes(PARTY[0].phone), 'the number is masked');
    await shot(village, '03b-case-sms');
  });

  await t.test('clerk: mediation is not offered, and the API refuses it', async () => {
    assert.equal(await village.locator('.case-actions button[data-action=attempts]').count(), 0);
    const { csrf } = (await pageFetch(village, 'GET', '/api/v1/session', null)).body;
    const before = (await pageFetch(village, 'GET', `/api/v1/cases/${caseId}`, null)).body.history.length;
    const r = await pageFetch(village, 'POST', `/api/v1/cases/${caseId}/attempts`,
      { mediator: '孙受理', date: '2026-01-05', method: 'people', outcome: 'failed' }, { 'X-CSRF-Token': csrf });
    assert.equal(r.status, 403);
    assert.equal(errorCode(r.body), 'forbidden');
    assert.match(errorMessage(r.body), /窗口受理/);
    const after = (await pageFetch(village, 'GET', `/api/v1/cases/${caseId}`, null)).body.history.length;
    assert.equal(after, before, 'a refused action appended nothing');
  });

  await documentsAtVillage(t, ctx);

  await t.test('clerk: every wrong field of the intake is shown at once, beside each', async () => {
    await open(village, VILLAGE, '#/intake');
    // The limits and the time limit as the node has them.
    assert.equal(await village.textContent('[data-field=summary] .counter'), '0/2000');
    assert.match(await village.textContent('[data-field=complexity] .hint'), /简易3日，复杂7日（按自然日计）/);
    await fillIntake(village);
    await village.fill('[name="parties[0].phone"]', '12345');
    // The first party's number again, pasted in full-width with spaces: made plain on leaving.
    await village.fill('[name="parties[1].id_number"]', '１１０１ ０５１９ ４９１２ ３１００ ２ｘ');
    await village.press('[name="parties[1].id_number"]', 'Tab');
    assert.equal(await village.inputValue('[name="parties[1].id_number"]'), PARTY[0].id_number);
    assert.equal(await village.textContent('[data-field="parties[1].id_number"] .counter'), '18/18');
    await village.fill('[name=summary]', '');
    await village.click('form.intake button[type=submit]');
    await village.waitForSelector('.field.invalid');
    const invalid = await village.$$eval('.field.invalid', (els) => els.map((e) => [e.dataset.field, e.querySelector('.field-error').textContent]));
    assert.deepEqual(invalid.map(([f]) => f), ['parties[0].phone', 'parties[1].id_number', 'summary']);
    assert.match(invalid[0][1], /电话号码格式不正确/);
    assert.equal(invalid[1][1], '与当事人1的身份证号码相同：同一人在一个案件中只能登记一次');
    assert.equal(invalid[2][1], '缺少必填项');
    assert.equal(await village.evaluate(() => document.activeElement.name), 'parties[0].phone');
    await shot(village, '02b-intake-all-errors');
  });

  await t.test('mediator: three failed mediations escalate the case to the township', async () => {
    await village.click('#who button');
    await village.waitForSelector('form.login');
    await login(village, VILLAGE, 'tiaojie');
    await open(village, VILLAGE, `#/case/${caseId}`);
    for (let n = 1; n <= 3; n++) await failedAttempt(village, n);
    assert.match(await village.textContent('#toast'), /自动上报/);
    await village.waitForSelector('.case-head .status-escalated');
    await village.waitForSelector('.timeline .kind-case_moved');
    assert.equal(await village.locator('.case-actions button[data-action=attempts]').count(), 0, 'no longer held here');
    await shot(village, '04-case-escalated');
  });

  await t.test('director at the township finds the case there, with its file', async () => {
    await login(town, TOWN, 'zhuren');
    assert.match(await town.textContent('#who'), /中心主任/);
    await until(async () => {
      await open(town, TOWN, '#/cases?held=here');
      return town.locator(`table.cases a[href="#/case/${caseId}"]`).count();
    }, 'the escalated case at the township');
    await shot(town, '05-cases-township');
    await town.click(`table.cases a[href="#/case/${caseId}"]`);
    await town.waitForSelector('.timeline .kind-case_moved');
    assert.equal(await town.locator('.timeline .kind-attempt').count(), 3);
    assert.match(await town.textContent('.case-head'), /办理中/);
    await town.waitForSelector('.case-actions button[data-action=risk]');
    await shot(town, '06-case-township');
  });

  await documentsAtTownship(t, ctx);

  await t.test('search for a person from the header: by name, ID number (spaces, full-width) and phone; names, not codes; only for roles that see parties', async () => {
    // Runs one search from the header box and waits for its results (told apart by the field).
    const search = async (page, field, typed, label) => {
      await page.selectOption('#party-search [name=field]', field);
      await page.fill('#party-search [name=value]', typed);
      await page.click('#party-search button[type=submit]');
      // The first search of a sign-in asks for its purpose (查阅目的) in place.
      const picker = await page.waitForSelector('main form.purpose-picker, main .search-what');
      if (await picker.evaluate((el) => el.matches('form'))) {
        await page.selectOption('main form.purpose-picker select', 'casework');
        await page.click('main form.purpose-picker button[type=submit]');
      }
      await page.waitForFunction((l) => !document.querySelector('main[aria-busy]') &&
        (document.querySelector('main .search-what') || { textContent: '' }).textContent.startsWith(`按${l}查询`), label);
      return page.$$eval('table.party-cases tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    };
    // The village took the case in: the mediator finds it by each field, from any page.
    await open(village, VILLAGE, '#/cases');
    for (const [field, typed, label] of [
      ['name', ` ${PARTY[0].name} `, '姓名'],
      ['id_number', '１１０１０５ １９４９１２３１ ００２ｘ', '身份证号'],
      ['phone', '138 0013 8000', '电话']]) {
      const rows = await search(village, field, typed, label);
      console.log(`village, ${field} ${JSON.stringify(typed)} ->`, JSON.stringify(rows.map((r) => r.slice(0, 3))));
      assert.deepEqual(rows.map((r) => r[0]), [caseId]);
      assert.equal(rows[0][1], '申请人');
      assert.equal(rows[0][2], '已上报');
      assert.equal(await village.textContent('main .elsewhere'), '树上其他节点没有此人的案件');
    }
    assert.match(village.url(), /#\/parties$/, 'what was searched is not in the URL');
    assert.equal(await lib.storedByPage(village), '[{},{}]');
    await shot(village, '05b-party-search-village');
    await village.click('table.party-cases a');
    await village.waitForSelector('.timeline .kind-case_moved');
    // The case was escalated with its file: the township, holding it now, finds the person.
    await open(town, TOWN, '#/cases');
    const atTown = await search(town, 'id_number', PARTY[0].id_number.toLowerCase(), '身份证号');
    assert.deepEqual(atTown.map((r) => r.slice(0, 2)), [[caseId, '申请人']]);
    assert.equal(await town.textContent('main .elsewhere'), '树上其他节点没有此人的案件');
    await shot(town, '05c-party-search-township');
    // The administrator does not see parties: no box, and the page refuses.
    const admin = await newPage();
    await login(admin, VILLAGE, 'guanli');
    assert.equal(await admin.locator('#party-search').count(), 0);
    await open(admin, VILLAGE, '#/parties');
    assert.match(await admin.textContent('main'), /当前角色无权使用此页面/);
    await admin.context().close();
  });

  await t.test('township director: an inbox badge appears when a village escalates a case to it, without reload', async () => {
    await open(town, TOWN, '#/inbox');
    const badge = '#nav a[href="#/inbox"] .badge';
    const count = async () => Number(await town.locator(badge).textContent({ timeout: 1000 }).catch(() => '0'));
    const before = await count();
    await town.evaluate(() => { window.jiefenNotReloaded = true; });
    const vp = await newPage();
    await login(vp, VILLAGE_NOW(), 'cunzhuren');
    const { body: s } = await pageFetch(vp, 'GET', '/api/v1/session', null);
    const csrf = { 'X-CSRF-Token': s.csrf };
    const intake = { parties: [{ role: 'applicant', ...PARTY[0] }, { role: 'respondent', ...PARTY[1] }],
      category: 'land_contract', matter_type: 'dispute_mediation', village: '东村', source: 'walk_in',
      summary: '灌溉用水纠纷，需镇里协调', complexity: 'simple' };
    const made = await pageFetch(vp, 'POST', '/api/v1/cases', intake, csrf);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.case.id;
    const up = await pageFetch(vp, 'POST', `/api/v1/cases/${id}/escalate`, { reason: '涉及跨村水源' }, csrf);
    assert.ok([200, 201].includes(up.status), JSON.stringify(up.body));
    await vp.context().close();
    await until(async () => (await count()) > before, 'the inbox badge to go up');
    await town.waitForSelector(`main table.inbox a[href="#/case/${id}"]`);
    assert.match(await town.textContent('main'), /待分流/);
    assert.equal(await town.evaluate(() => window.jiefenNotReloaded), true, 'the page was not reloaded');
    await shot(town, '06b-inbox-live');
    await open(town, TOWN, `#/case/${caseId}`);  // where the next subtest acts
  });

  await t.test('CSRF: a state change without the session\'s token is refused, the session cookie is HttpOnly and SameSite=Strict', async () => {
    for (const headers of [{}, { 'X-CSRF-Token': 'not-the-token' }]) {
      const r = await pageFetch(town, 'POST', `/api/v1/cases/${caseId}/risk`, { risk: 'red', reason: '测试' }, headers);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(errorCode(r.body), 'csrf');
    }
    const c = (await pageFetch(town, 'GET', `/api/v1/cases/${caseId}`, null)).body.case;
    assert.equal(c.risk, 'blue', 'nothing changed');
    const cookie = (await town.context().cookies()).find((k) => k.name.startsWith('jiefen_session_'));
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.ok(!(await town.evaluate(() => document.cookie)).includes('jiefen_session'));
  });

  await t.test('director: an action in place (risk colour) through the form', async () => {
    await town.click('.case-actions button[data-action=risk]');
    await town.selectOption('form[data-action=risk] [name=risk]', 'orange');
    await town.fill('form[data-action=risk] [name=reason]', '当事人情绪激动，有聚集苗头');
    await town.click('form[data-action=risk] button[type=submit]');
    await town.waitForSelector('.case-head .risk-orange');
    await town.waitForSelector('.timeline .kind-risk_changed');
  });

  await departments(t, ctx);

  await t.test('forms: a mediation record and an agreement entered at the township (a refusal keeps what was typed), printed as PDF; 核验回执 accepts the village\'s receipt and refuses a changed one', async () => {
    const med = await newPage();
    await login(med, TOWN, 'tjy-t');
    await open(med, TOWN, `#/case/${caseId}`);
    await med.click('.case-forms button[data-record=mediation_record]');
    const rec = 'form[data-record=mediation_record]';
    assert.equal(await med.inputValue(`${rec} [name=mediator]`), '钱调解');
    await med.fill(`${rec} [name=applicant_statement]`, '申请人称被申请人越界耕种约两分地');
    await med.fill(`${rec} [name=respondent_statement]`, '被申请人称以老界桩为准');
    await med.fill(`${rec} [name=mediator_notes]`, '组织双方实地测量，释法明理');
    await med.click(`${rec} button[type=submit]`);  // no place: refused beside the field
    const slot = await med.waitForSelector(`${rec} .field.invalid`);
    assert.equal(await slot.getAttribute('data-field'), 'place');
    assert.match(await (await slot.$('.field-error')).textContent(), /调解地点/);
    assert.equal(await med.inputValue(`${rec} [name=applicant_statement]`), '申请人称被申请人越界耕种约两分地');
    // Closed and opened again, the form still has what was typed.
    await med.click(`${rec} button.secondary`);
    await med.click('.case-forms button[data-record=mediation_record]');
    assert.equal(await med.inputValue(`${rec} [name=respondent_statement]`), '被申请人称以老界桩为准');
    await med.fill(`${rec} [name=place]`, '镇调解室');
    await med.click(`${rec} button[type=submit]`);
    await med.waitForSelector('.timeline .kind-forms_record');
    assert.match(await med.textContent('.timeline .kind-forms_record'), /调解笔录/);

    await med.click('.case-forms button[data-record=agreement]');
    const agr = 'form[data-record=agreement]';
    await med.fill(`${agr} [name=facts]`, '双方因承包地界桩位置发生争议');
    await med.fill(`${agr} [name=terms]`, '被申请人退还越界耕种的两分地，恢复界桩');
    await med.fill(`${agr} [name=deadline]`, '2026-03-01');
    await med.fill(`${agr} [name=method]`, '当面交接，村委会见证');
    await med.click(`${agr} button[type=submit]`);
    await med.waitForFunction(() => document.querySelectorAll('.timeline .kind-forms_record').length === 2);
    await shot(med, '06b-case-forms');

    // 打印: the node's PDF arrives as application/pdf.
    const [res] = await Promise.all([
      med.waitForResponse((r) => r.url().includes(`/forms/agreement.pdf`)),
      med.click('.case-forms button[data-print=agreement]'),
    ]);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.match(res.headers()['content-disposition'], /-agreement\.pdf/);
    assert.ok(Number(res.headers()['content-length']) > 10000, 'a PDF of some size');
    await med.waitForFunction(() => /调解协议书已生成/.test(document.getElementById('toast')?.textContent || ''));

    // 核验回执: the village's receipt, as decoded from its printed QR code.
    const text = await ask(`@@receipt-qr ${caseId}`);
    assert.match(text, /^JFR1\./);
    await open(med, TOWN, '#/verify');
    await med.fill('[name=text]', text);
    await med.click('main form button[type=submit]');
    await med.waitForSelector('.verify-result[data-valid=true]');
    const ok = await med.textContent('.verify-result');
    assert.match(ok, new RegExp(caseId));
    assert.match(ok, /东村/);
    assert.match(ok, /受理回执/);
    await shot(med, '06c-verify-ok');
    const i = Math.floor(text.length / 2);
    await med.fill('[name=text]', text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
    await med.click('main form button[type=submit]');
    await med.waitForSelector('.verify-result[data-valid=false]');
    assert.match(await med.textContent('.verify-result'), /核验未通过/);
    await med.context().close();
  });

  await t.test('supervision, directives, reports (charts, XLSX), network status', async () => {
    await open(town, TOWN, '#/supervision');
    assert.ok(await town.locator(`#sv-risk a[href="#/case/${caseId}"]`).count(), 'the orange case is on the supervision list');
    await shot(town, '07-supervision');

    await open(town, TOWN, '#/directives');
    await town.selectOption('main form [name=kind]', 'supervise');
    await town.fill('main form [name=title]', `督办案件 ${caseId}`);
    await town.fill('main form [name=body]', '请各村本周内完成同类纠纷排查');
    await town.click('main form button[type=submit]');
    await town.waitForSelector('article.directive');

    await open(town, TOWN, '#/reports');
    await town.waitForSelector('.charts canvas');
    assert.match(await town.textContent('.figures'), /受理/);
    const [download] = await Promise.all([town.waitForEvent('download'), town.click('a[href*="format=xlsx"]')]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
    const file = path.join(SHOTS, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = (await import('node:fs')).readFileSync(file);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    await shot(town, '09-reports');

    await until(async () => {
      await open(town, TOWN, '#/network');
      return (await town.textContent('main')).includes('在线');
    }, 'the village link online');
    assert.match(await town.textContent('main'), /东村/);
    assert.match(await town.textContent('main'), /隔离证据[\s\S]*没有隔离证据/, 'the proofs card, empty');
    assert.match(await town.textContent('main'), /被拒绝的连接[\s\S]*未加密的连接[\s\S]*未登记的密钥/,
      'refusals by name, not code');
    await shot(town, '10-network');
    await noHorizontalScroll(town);
  });

  await t.test('village director: the directive arrives in the inbox and is acknowledged; the township sees it', async () => {
    const head = await newPage();
    await login(head, VILLAGE, 'cunzhuren');
    await until(async () => {
      await open(head, VILLAGE, '#/directives');
      return head.locator('article.directive.awaiting').count();
    }, 'the directive at the village');
    await shot(head, '08-directives-village');
    await head.fill('article.directive.awaiting [name=note]', '已安排网格员排查');
    await head.click('article.directive.awaiting button[type=submit]');
    await head.waitForFunction(() => !document.querySelector('article.directive.awaiting') && document.querySelector('article.directive'));
    await open(town, TOWN, '#/directives');
    await until(async () => {
      // The same hash again would not reload the page: reload it.
      await town.reload();
      await settled(town);
      return (await town.textContent('article.directive')).includes('已安排网格员排查');
    }, 'the acknowledgement at the township');
    await shot(town, '08-directives-township');
    await head.context().close();
  });

  await t.test('directive to one chosen child about a case: names on the case page below, the acknowledgement shown above', async () => {
    // The township (the parent here) picks 东村 by name and ties the directive to the case.
    await open(town, TOWN, `#/directives?case=${encodeURIComponent(caseId)}`);
    const form = 'form.send-directive';
    assert.equal(await town.inputValue(`${form} [name=case_id]`), caseId, 'the case filled in from the link');
    await town.selectOption(`${form} [name=kind]`, 'supervise');
    await town.fill(`${form} [name=title]`, '督办：三日内化解边界争议');
    await town.selectOption(`${form} [data-scope]`, 'chosen');
    await town.check(`${form} label:has-text("东村") [data-child]`);
    await town.click(`${form} button[type=submit]`);
    const sent = 'article.directive:has-text("三日内化解边界争议")';
    await town.waitForSelector(sent);
    assert.match(await town.textContent(sent), /下发给：东村/);
    assert.match(await town.textContent(sent), /未签收：东村/);

    const head = await newPage();
    await login(head, VILLAGE_NOW(), 'cunzhuren');
    const card = `.case-directives ${sent}`;
    await until(async () => {
      await open(head, VILLAGE_NOW(), `#/case/${encodeURIComponent(caseId)}`);
      return head.locator(card).count();
    }, 'the directive on the case page at the village');
    const text = await head.textContent(card);
    assert.match(text, /镇1 · 赵主任/, 'the sender by names, not codes');
    assert.doesNotMatch(text, /t1|zhuren/);
    assert.match(await head.textContent('.timeline'), /东村 · [^·]+ · 孙受理/, 'the intake by the clerk\'s name');
    await head.fill(`${card} [name=note]`, '已约双方到场');
    await head.click(`${card} button[type=submit]`);
    await head.waitForSelector('.case-directives article.directive:not(.awaiting):has-text("三日内化解边界争议")');
    await shot(head, '08-directive-case-village');
    await head.context().close();

    await until(async () => {
      await open(town, TOWN, `#/case/${encodeURIComponent(caseId)}`);
      const acks = town.locator(`.case-directives ${sent} .acks`);
      return (await acks.count()) && /东村（.*已约双方到场/.test(await acks.textContent());
    }, 'the acknowledgement by name at the township');
    await shot(town, '08-directive-case-township');
  });

  await t.test('township: a full review of the village\'s dailies (read, accept, return, mark missing), then its weekly; the dashboard renders', async () => {
    const head = await newPage();
    await login(head, VILLAGE, 'cunzhuren');
    const { csrf } = (await pageFetch(head, 'GET', '/api/v1/session', null)).body;
    // Last week, Monday to Sunday, in Asia/Shanghai: every daily of it may be sent.
    const sh = new Date(Date.now() + 8 * 3600e3);
    const monday = Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth(), sh.getUTCDate() - ((sh.getUTCDay() + 6) % 7) - 7);
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => new Date(monday + i * 864e5).toISOString().slice(0, 10));
    const daily = async (day) => {
      const r = await pageFetch(head, 'POST', '/api/v1/reports/submit', { kind: 'daily', period: day, analysis: `${day} 排查矛盾纠纷正常` }, { 'X-CSRF-Token': csrf });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    for (const i of [0, 1, 2, 3, 4, 6]) await daily(days[i]);
    const row = (day) => `tr[data-report="v11/${day}"]`;
    // The week's section, drawn anew (the page keeps its marks while the period stays).
    const showWeek = async () => {
      await town.$eval('main [name=period]', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, days[0]);
      await town.waitForSelector(row(days[6]));
    };
    await open(town, TOWN, '#/reports');
    await until(async () => { await showWeek(); return (await town.locator(`${row(days[6])} .state-submitted`).count()) && (await town.locator(`${row(days[0])} .state-submitted`).count()); }, 'the dailies at the township');
    assert.equal(await town.locator('.child-reports tbody tr').count(), 7);
    assert.match(await town.textContent(row(days[5])), /东村.*未报送/);

    // Read Monday's, accept it; return Tuesday's with a comment.
    await town.click(`${row(days[0])} button:has-text("查看")`);
    assert.match(await town.textContent(`${row(days[0])} .report-detail`), new RegExp(`${days[0]} 排查矛盾纠纷正常`));
    // The person by name, never the login.
    assert.match(await town.textContent(`${row(days[0])} .report-detail`), /报送人：周主任，/);
    await town.click(`${row(days[0])} form[data-review] button[value=accept]`);
    await town.waitForSelector(`${row(days[0])} .state-accepted`);
    await town.fill(`${row(days[1])} form[data-review] [name=comment]`, '请补充调解情况');
    await town.click(`${row(days[1])} form[data-review] button[value=return]`);
    await town.waitForSelector(`${row(days[1])} .state-returned`);

    // The weekly is refused with a sentence naming the village and its days.
    await town.fill('form[data-submit] [name=analysis]', '本周矛盾纠纷总体平稳');
    await town.click('form[data-submit] button[type=submit]');
    const refusal = await town.waitForSelector('form[data-submit] .form-error:not([hidden])');
    assert.equal(await refusal.textContent(), `下级报告未齐：东村（${days[1]}、${days[5]}）尚未报送日排查；请等待报送，或标注缺报并写明原因`);

    // Saturday's marked missing with its reason; Tuesday's comes again; the weekly goes.
    await town.click(`${row(days[5])} form[data-mark] button[type=submit]`);
    assert.match(await town.textContent(`${row(days[5])} form[data-mark] .form-error`), /请填写缺报原因/);
    await town.fill(`${row(days[5])} form[data-mark] [name=reason]`, '村委停电');
    await town.click(`${row(days[5])} form[data-mark] button[type=submit]`);
    assert.match(await town.textContent(row(days[5])), /标注缺报：村委停电/);
    await daily(days[1]);
    await until(async () => { await showWeek(); return town.locator(`${row(days[1])} .state-submitted`).count(); }, 'Tuesday\'s daily sent again');
    assert.match(await town.textContent(row(days[5])), /标注缺报：村委停电/, 'the mark is kept across a redraw');
    await shot(town, '10-report-review');
    await town.fill('form[data-submit] [name=analysis]', '本周矛盾纠纷总体平稳，东村周六停电缺报');
    await town.click('form[data-submit] button[type=submit]');
    await town.waitForFunction(() => /已上报/.test(document.querySelector('.own-report').textContent));
    assert.match(await town.textContent('.own-report'), /（赵主任 于 .+ 报送）/);
    const own = (await pageFetch(town, 'GET', `/api/v1/reports?kind=weekly&period=${days[0]}`, null)).body.own;
    assert.deepEqual([own.missing, own.missing_reasons], [[`v11/${days[5]}`], ['村委停电']]);
    await head.context().close();

    await open(town, TOWN, '#/dashboard');
    await town.waitForSelector('.charts canvas');
    assert.match(await town.textContent('main .figures'), /本周受理/);
    assert.match(await town.textContent('main'), /近 12 周|按村（社区）/);
    await shot(town, '10-dashboard');
  });

  await hazards(t, ctx);

  await t.test('supervision: the risk headings count each colour; blue is not a risk', async () => {
    await open(town, TOWN, '#/supervision');
    assert.equal(await town.locator('nav.counts a[data-risk]').count(), 3);
    const orange = await town.textContent('nav.counts a[data-risk=orange] strong');
    assert.ok(Number(orange) >= 1, 'the orange case is counted under 橙色风险');
  });

  await t.test('administrator: 短信发件箱 lists the messages, filtered by status', async () => {
    const admin = await newPage();
    await login(admin, VILLAGE, 'guanli');
    await admin.click('nav a[href="#/outbox"]');
    await admin.waitForSelector('main table.sms');
    await settled(admin);
    assert.match(await admin.textContent('main .banner'), /未配置网关，等待发送/);
    const first = await admin.textContent(`main table.sms tr:has(a[href="#/case/${caseId}"])`);
    assert.match(first, /受理回执.*138\*\*\*\*8000.*未配置网关，等待发送/);
    await shot(admin, '15b-outbox');
    await admin.selectOption('main select[name=status]', 'sent');
    await admin.waitForURL(/#\/outbox\?status=sent/);
    await admin.waitForSelector('main p.empty');
    assert.equal(await admin.textContent('main p.empty'), '暂无短信');
    assert.equal(await admin.inputValue('main select[name=status]'), 'sent');
    // The clerk has no such page.
    assert.equal(await village.locator('nav a[href="#/outbox"]').count(), 0);
    await admin.context().close();
  });
  await rfolder(t);  // 回单去向: 交换目录

  await t.test('accounts: the administrator adds a user (error beside the field), who changes their own password, then is disabled', async () => {
    const admin = await newPage();
    await login(admin, VILLAGE, 'guanli');
    await open(admin, VILLAGE, '#/account');
    assert.match(await admin.textContent('table.users'), /chuangkou/);
    const add = 'form.add-user';
    await admin.fill(`${add} [name=user]`, 'xiaowang');
    await admin.fill(`${add} [name=name]`, '王小');
    await admin.selectOption(`${add} [name=role]`, 'mediator');
    await admin.fill(`${add} [name=password]`, 'short');
    await admin.click(`${add} button[type=submit]`);
    const slot = await admin.waitForSelector(`${add} .field.invalid`);
    assert.equal(await slot.getAttribute('data-field'), 'password');
    assert.match(await (await slot.$('.field-error')).textContent(), /至少 8 个字符/);
    await admin.fill(`${add} [name=password]`, PASSWORD);
    await admin.click(`${add} button[type=submit]`);
    const row = 'table.users tr:has-text("xiaowang")';
    await admin.waitForSelector(row);
    assert.match(await admin.textContent(row), /王小.*调解员.*正常/);
    await shot(admin, '15-accounts');

    const user = await newPage();
    await login(user, VILLAGE, 'xiaowang');
    await user.click('#who a.user');
    await user.waitForURL(/#\/account/);
    await settled(user);
    assert.equal(await user.locator('table.users, form.add-user').count(), 0, 'a mediator manages no accounts');
    const own = 'form.own-password';
    const changed = '新的密码-2026';
    for (const [old, confirm, where, message] of [
      ['not-my-password', changed, 'old', /原密码不正确/],
      [PASSWORD, changed + 'x', 'confirm', /不一致/]]) {
      await user.fill(`${own} [name=old]`, old);
      await user.fill(`${own} [name=new]`, changed);
      await user.fill(`${own} [name=confirm]`, confirm);
      await user.click(`${own} button[type=submit]`);
      const bad = await user.waitForSelector(`${own} .field.invalid`);
      assert.equal(await bad.getAttribute('data-field'), where);
      assert.match(await (await bad.$('.field-error')).textContent(), message);
    }
    await user.fill(`${own} [name=confirm]`, changed);
    await user.click(`${own} button[type=submit]`);
    await user.waitForFunction(() => /密码已修改/.test(document.getElementById('toast')?.textContent || ''));
    await user.click('#who button');
    await login(user, VILLAGE, 'xiaowang', changed);

    await open(admin, VILLAGE, '#/account');
    await admin.click(`${row} button[data-verb=disable]`);
    await admin.waitForFunction(() => [...document.querySelectorAll('table.users tr')]
      .some((tr) => tr.textContent.includes('xiaowang') && tr.textContent.includes('已停用')));
    await user.reload();  // disabling ended the session: back to the login page
    await user.waitForSelector('form.login');
    await user.fill('[name=user]', 'xiaowang');
    await user.fill('[name=password]', changed);
    await user.click('form.login button[type=submit]');
    const refused = await user.waitForSelector('form.login .form-error:not([hidden]), form.login .field.invalid .field-error');
    assert.match(await refused.textContent(), /账户已停用/);
    await user.context().close();
    await admin.context().close();
  });

  await t.test('the pages fit a tablet', async () => {
    await town.setViewportSize(TABLET);
    for (const [hash, name] of [['#/cases', '11-tablet-cases'], [`#/case/${caseId}`, '12-tablet-case'], ['#/reports', '13-tablet-reports']]) {
      await open(town, TOWN, hash);
      if (name.endsWith('reports')) await town.waitForSelector('.charts canvas');
      await noHorizontalScroll(town);
      const nav = await town.evaluate(() => document.getElementById('nav').getBoundingClientRect());
      assert.ok(nav.height < 100 && nav.width <= 768, `the menu is one row on top (${nav.width}×${nav.height})`);
      await shot(town, name);
    }
  });

  await t.test('never lose typing: a warning with 继续, typing keeps the session, and after it ends the half-typed intake survives signing in again', async () => {
    const page = await newPage();
    await login(page, IDLE, 'shouli');
    await open(page, IDLE, '#/intake');
    await page.fill('[name="parties[0].name"]', PARTY[0].name);
    await page.fill('[name="parties[0].id_number"]', PARTY[0].id_number);
    await page.fill('[name=summary]', '宅基地边界');
    // Half a minute before the end (one idle minute), the warning; 继续 refreshes the session.
    const warn = await page.waitForSelector('.session-warning:not([hidden])', { timeout: 120000 });
    assert.match(await warn.textContent(), /登录即将过期/);
    await page.screenshot({ path: path.join(SHOTS, '16-session-warning.png') });
    const before = (await pageFetch(page, 'GET', '/api/v1/session/expiry', null)).body.expires_ms;
    await page.click('.session-warning button');
    await page.waitForSelector('.session-warning', { state: 'hidden' });
    const after = (await pageFetch(page, 'GET', '/api/v1/session/expiry', null)).body.expires_ms;
    assert.ok(after > before, `继续 moved the end (${before} → ${after})`);
    // Typing is use: the end moves on while one types.
    await until(async () => {
      await page.type('[name=summary]', '争议');
      return (await pageFetch(page, 'GET', '/api/v1/session/expiry', null)).body.expires_ms > after;
    }, 'typing to refresh the session', 60000);
    // Nothing typed is kept in the browser's storage.
    const stored = await lib.storedByPage(page);
    assert.equal(stored, '[{},{}]');
    // Idle: the session ends, the login comes over the page, the form stays below.
    const over = await page.waitForSelector('#login-overlay form.login', { timeout: 150000 });
    assert.match(await over.textContent(), /登录已过期.*内容已保留/);
    assert.equal(await page.inputValue('[name="parties[0].id_number"]'), PARTY[0].id_number);
    await page.screenshot({ path: path.join(SHOTS, '17-login-over-the-page.png') });
    await page.fill('#login-overlay [name=user]', 'shouli');
    await page.fill('#login-overlay [name=password]', PASSWORD);
    await page.click('#login-overlay button[type=submit]');
    await page.waitForSelector('#login-overlay', { state: 'detached' });
    assert.match(page.url(), /#\/intake$/);
    assert.equal(await page.inputValue('[name="parties[0].name"]'), PARTY[0].name);
    assert.equal(await page.inputValue('[name="parties[0].id_number"]'), PARTY[0].id_number);
    assert.match(await page.inputValue('[name=summary]'), /^宅基地边界(争议)+$/);
    // And it is sent as typed, with the new session.
    await fillIntake(page);
    await page.click('form.intake button[type=submit]');
    await page.waitForURL(/#\/case\//);
    await page.waitForSelector('.timeline .kind-case_opened');
    await page.context().close();
  });

  await access(t, ctx);

  await t.test('an idle session expires: back to the login page with the reason', async () => {
    const fresh = await ask('@@restart-village 1860000');   // 31 minutes later
    setVillageNow(fresh);
    await village.goto(fresh + '#/cases');
    const banner = await village.waitForSelector('form.login .banner');
    assert.match(await banner.textContent(), /登录已过期/);
    await shot(village, '14-session-expired');
  });

  await t.test('a village whose clock is off its parent\'s says so on every page, and the township sees it', async () => {
    // The village runs 31 minutes fast since the restart above: beyond the 2-minute threshold.
    await login(village, VILLAGE_NOW(), 'cunzhuren');
    for (const hash of ['#/cases', '#/reports', '#/network']) {
      // The same URL again is no navigation: reload, so the page asks for the status anew.
      const text = await until(async () => {
        await open(village, VILLAGE_NOW(), hash);
        await village.reload();
        await settled(village);
        const el = await village.waitForSelector('#clock-banner:not([hidden]) .banner', { timeout: 2000 }).catch(() => null);
        return el && el.textContent();
      }, `the clock banner on ${hash}`);
      assert.equal(text, '本机时钟比上级快 31 分钟，请校准');
    }
    assert.match(await village.textContent('main'), /本机时钟比上级快 31 分钟/);
    await shot(village, '15-clock-banner');
    await until(async () => {
      await open(town, TOWN, '#/network');
      await town.reload();
      await settled(town);
      return /快 31 分钟，需校准/.test(await town.textContent('main'));
    }, 'the child\'s clock on the township\'s network page');
    assert.equal(await town.$('#clock-banner:not([hidden])'), null);  // the parent is the reference
  });

  await ops(t, ctx);

  await appointments(t);

  await followups(t, ctx);

  await interop(t);
  await linkage(t);

  await webhooks(t);
  await courts(t, ctx);
  await confirm(t);
  await archive(t);

  await devices(t);
  await withdraw(t);

  await t.test('no script error or CSP violation on any page', () => {
    assert.deepEqual(problems, []);
  });

});
