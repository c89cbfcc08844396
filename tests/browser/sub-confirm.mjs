// 申请司法确认 from the console (issue 17 item 3): at 西村 (a court in [interop], console_test.py;
// no receipt_url, so the application waits in the outbox) a case without an agreement has no
// form; after an agreement, with its 调解协议书 and 司法确认申请书, the mediator picks the court
// by its title (the pick kept while live events redraw the page, an empty pick refused beside
// the field), applies, and the 司法确认 card shows the application waiting for the ruling
// while the form is gone. At 东村, with no court configured, the form says so.
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { FU, PARTY, VILLAGE_NOW, login, newPage, open, pageFetch, shot } = lib;

const FORM = 'form.confirm-form';

// Today in the node's zone, YYYY-MM-DD.
const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());

// POST through the page's session; fails the test unless the API says 200/201.
async function send(page, path, body) {
  const { csrf } = (await pageFetch(page, 'GET', '/api/v1/session', null)).body;
  const r = await pageFetch(page, 'POST', path, body, { 'X-CSRF-Token': csrf });
  assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// A case taken in by the director of base, its id.
async function newCase(base, village, summary) {
  const p = await newPage();
  await login(p, base, 'cunzhuren');
  const made = await send(p, '/api/v1/cases', {
    parties: PARTY, category: 'land_contract', matter_type: 'dispute_mediation', village,
    source: 'walk_in', summary, complexity: 'simple', risk: 'blue' });
  await p.context().close();
  return made.case.id;
}

const agreement = (id) => [`/api/v1/cases/${encodeURIComponent(id)}/attempts`, {
  mediator: '李调解', date: today(), method: 'people', outcome: 'agreement', agreement: '被申请人于月底前退还多占土地' }];

export default async function (t) {
  await t.test('申请司法确认: no form without an agreement; the court picked by name (kept over redraws), applied, waiting for the ruling', async () => {
    const id = await newCase(FU, '西村', '承包地界址纠纷');
    const med = await newPage();
    await login(med, FU, 'tiaojie');
    await open(med, FU, `#/case/${encodeURIComponent(id)}`);
    await med.waitForSelector('.timeline .kind-case_opened');
    assert.equal(await med.$(FORM), null);  // no agreement yet

    await send(med, ...agreement(id));
    const form = await med.waitForSelector(FORM);
    assert.match(await form.textContent(), /申请书与调解协议书将随申请一并送达法院/);
    const shown = await med.$$eval(`${FORM} select[name=court] option`, (os) => os.map((o) => o.textContent));
    assert.deepEqual(shown, ['请选择法院', '东城区人民法院']);  // by title, never the code
    // No court picked: refused beside the field.
    await med.click(`${FORM} button[type=submit]`);
    const bad = await med.waitForSelector(`${FORM} .field.invalid`);
    assert.equal(await bad.getAttribute('data-field'), 'court');
    assert.match(await (await bad.$('.field-error')).textContent(), /请填写法院/);

    // Picked, then the page redrawn by live events (the two forms recorded): the pick stays.
    await med.selectOption(`${FORM} [name=court]`, { label: '东城区人民法院' });
    await med.evaluate(() => document.activeElement.blur());
    const records = `/api/v1/cases/${encodeURIComponent(id)}/records`;
    await send(med, records, { kind: 'agreement', fields: { facts: '双方对承包地界址有争议', terms: '被申请人于月底前退还多占土地', deadline: today(), method: '现场交付', mediator: '李调解' } });
    await send(med, records, { kind: 'confirmation_application', fields: { court: '东城区人民法院', request: '确认调解协议有效', reasons: '协议系双方自愿达成' } });
    await med.waitForFunction(() => document.querySelectorAll('.timeline .kind-forms_record').length === 2);
    assert.equal(await med.inputValue(`${FORM} [name=court]`), 'court_dc');
    await shot(med, '23-confirm-form');
    assert.ok(await med.$('button[data-record=confirmation_application]'));

    await med.click(`${FORM} button[type=submit]`);
    await med.waitForSelector('section.case-confirm .confirm-state');
    assert.equal((await med.textContent('section.case-confirm .confirm-state')).trim(), '已申请，等待法院裁定');
    assert.equal((await med.textContent('section.case-confirm .confirm-no')).trim(), `${id}-SQ1`);
    assert.equal(await med.$(FORM), null);  // gone while it waits
    // What the court rules on stays as applied: no editing of the two forms meanwhile.
    assert.equal(await med.$('button[data-record=agreement]'), null);
    assert.equal(await med.$('button[data-record=confirmation_application]'), null);
    assert.match(await med.textContent('.timeline .kind-confirm_applied'), new RegExp(`申请编号 ${id}-SQ1`));
    await shot(med, '24-confirm-applied');
    await med.context().close();
  });

  await t.test('申请司法确认 at a node with no court configured: the form says so', async () => {
    const id = await newCase(VILLAGE_NOW(), '东村', '宅基地通道纠纷');
    const med = await newPage();
    await login(med, VILLAGE_NOW(), 'tiaojie');
    await send(med, ...agreement(id));
    await open(med, VILLAGE_NOW(), `#/case/${encodeURIComponent(id)}`);
    const form = await med.waitForSelector(FORM);
    assert.match(await form.textContent(), /未配置法院（\[interop\] 中 kind = court 的系统），请联系管理员/);
    assert.equal(await med.$(`${FORM} select`), null);
    await med.context().close();
  });
}
