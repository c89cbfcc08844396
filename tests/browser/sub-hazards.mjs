// The 苗头隐患 register and the reviews (分析研判) in Chromium (issue 16).
import assert from 'node:assert/strict';
import * as lib from './lib.mjs';

const { PARTY, TOWN, VILLAGE, login, newPage, open, settled, shot, until } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
export default async function (t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('village director: a hazard registered (a wrong field kept the rest), then converted into a case through the pre-filled intake, linked both ways', async () => {
    const head = await newPage();
    await login(head, VILLAGE, 'cunzhuren');
    await open(head, VILLAGE, '#/hazards');
    const form = 'form.add-hazard';
    await head.fill(`${form} [name=title]`, '');
    await head.selectOption(`${form} [name=category]`, 'land_ownership');
    await head.selectOption(`${form} [name=risk]`, 'blue');
    await head.fill(`${form} [name=description]`, '王五与赵六因宅基地边界多次争吵');
    await head.click(`${form} button[type=submit]`);
    await head.waitForSelector(`${form} [data-field=title].invalid`);
    assert.match(await head.textContent(`${form} [data-field=title] .field-error`), /请填写隐患事项/);
    assert.equal(await head.inputValue(`${form} [name=description]`), '王五与赵六因宅基地边界多次争吵', 'what was typed is kept');
    await head.fill(`${form} [name=title]`, '宅基地边界矛盾苗头');
    await head.click(`${form} button[type=submit]`);
    await head.waitForSelector('table.hazards a[href^="#/hazard/"]');
    assert.match(await head.textContent('table.hazards'), /宅基地边界矛盾苗头.*土地权属.*监测中/);
    // The list may be drawn again by the live stream meanwhile: click by selector, not handle.
    await head.click('table.hazards a[href^="#/hazard/"]');
    await head.waitForSelector('form[data-step=checkin]');
    await settled(head);
    assert.match(await head.textContent('main'), /王五与赵六因宅基地边界多次争吵/);
    // A check-in, then the conversion through the intake form, which starts from the hazard.
    await head.fill('form[data-step=checkin] [name=note]', '已走访双方，情绪稳定');
    await head.click('form[data-step=checkin] button[type=submit]');
    await head.waitForFunction(() => /已走访双方/.test(document.querySelector('table.checkins')?.textContent || ''));
    await shot(head, '11-hazard');
    await head.click('a.convert');
    await settled(head);
    assert.match(await head.textContent('main h1'), /隐患转为案件：宅基地边界矛盾苗头/);
    assert.equal(await head.inputValue('[name=category]'), 'land_ownership');
    assert.equal(await head.inputValue('[name=summary]'), '宅基地边界矛盾苗头');
    assert.equal(await head.inputValue('[name=village]'), '东村');
    for (const [i, p] of PARTY.entries())
      for (const [k, v] of Object.entries(p)) await head.fill(`[name="parties[${i}].${k}"]`, v);
    await head.selectOption('[name=matter_type]', 'dispute_mediation');
    await head.selectOption('[name=source]', 'grid_screening');
    await head.selectOption('[name=complexity]', 'simple');
    await head.click('form.intake button[type=submit]');
    await head.waitForSelector('a.hazard-link');
    const hazardId = await head.textContent('a.hazard-link');
    await head.click('a.hazard-link');
    await head.waitForSelector('dl.hazard-fields');
    await settled(head);
    assert.match(await head.textContent('main'), /已转为案件/);
    assert.equal(await head.locator('a.convert').count(), 0, 'a converted hazard is not converted again');
    // The township sees the village's hazard and its case.
    await open(town, TOWN, '#/hazards');
    await until(async () => { await open(town, TOWN, '#/hazards'); return /已转为案件/.test(await town.textContent('table.hazards') || ''); }, 'the hazard at the township');
    assert.match(await town.textContent('table.hazards'), new RegExp(`${hazardId}.*东村`));
    await head.context().close();
  });

  await t.test('a quarterly review: refused without a decision (the analysis kept), submitted at the village, accepted at the township', async () => {
    const head = await newPage();
    await login(head, VILLAGE, 'cunzhuren');
    await open(head, VILLAGE, '#/reviews');
    const form = 'form.submit-review';
    assert.match(await head.textContent('.review-figures'), /受理 \d+.*隐患登记 \d+/);
    await head.fill(`${form} [name=analysis]`, '本季度土地类矛盾较多');
    await head.click(`${form} button[type=submit]`);
    await head.waitForSelector(`${form} [data-field="review.decisions"].invalid`);
    assert.equal(await head.inputValue(`${form} [name=analysis]`), '本季度土地类矛盾较多');
    await head.fill(`${form} [name="review.decisions"]`, '加强宅基地纠纷排查');
    await head.fill(`${form} [name="review.actions"]`, '逐户走访宅基地边界｜网格员｜2099-12-31');
    await head.click(`${form} button[type=submit]`);
    await head.waitForFunction(() => /已上报/.test(document.querySelector('.own-report')?.textContent || ''));
    assert.match(await head.textContent('.own-review'), /加强宅基地纠纷排查.*逐户走访宅基地边界/s);
    await shot(head, '12-review');
    await head.context().close();

    const row = 'div[data-review-of=v11]';
    await until(async () => { await open(town, TOWN, '#/reviews'); return town.locator(`${row} form[data-review]`).count(); }, 'the review at the township');
    await town.click(`${row} button:has-text("查看")`);
    assert.match(await town.textContent(row), /加强宅基地纠纷排查/);
    await town.click(`${row} form[data-review] button[value=accept]`);
    await until(async () => /已接收/.test(await town.textContent('.child-reviews')), 'accepted');

    // The township's own review; its action item goes down to the village as a directive.
    await open(town, TOWN, '#/reviews');
    await town.fill('form.submit-review [name=analysis]', '全镇本季度矛盾纠纷平稳');
    await town.fill('form.submit-review [name="review.decisions"]', '各村开展宅基地专项排查');
    await town.fill('form.submit-review [name="review.actions"]', '宅基地专项排查｜各村｜2099-12-31');
    await town.click('form.submit-review button[type=submit]');
    await town.waitForSelector('.action-directives form[data-action] button[type=submit]');
    await town.click('.action-directives form[data-action] button[type=submit]');
    await town.waitForFunction(() => /已下发指令：宅基地专项排查/.test(document.getElementById('toast')?.textContent || ''));
    const head2 = await newPage();
    await login(head2, VILLAGE, 'cunzhuren');
    await until(async () => { await open(head2, VILLAGE, '#/directives'); return /宅基地专项排查/.test(await head2.textContent('main')); }, 'the directive at the village');
    assert.match(await head2.textContent('main'), /来源：季度分析研判/);
    await head2.context().close();
  });
}
