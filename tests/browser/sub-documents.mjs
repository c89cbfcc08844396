// Documents in the case file in Chromium (issue 15): drag-and-drop and the picker, progress, downloads, 在途 at the township.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as lib from './lib.mjs';

const PDF_TEXT = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const { TOWN, VILLAGE, ask, open, settled, shot, until } = lib;

// ctx: the main flow's pages (village, town) and the case it took in (caseId()).
// Right after the intake, at the village that holds the case.
export async function documentsAtVillage(t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('clerk: documents by drag-and-drop and the file picker, with progress; a download waits for the approval this village asks for copies; a refused type is said beside the field and the note typed stays', async () => {
    // The township's transfers wait until the test lets them go, so 在途 can be seen there.
    assert.equal(await ask('@@hold-docs'), 'ok');
    await open(village, VILLAGE, `#/case/${caseId}`);
    await village.waitForSelector('.case-documents .drop-zone');
    await village.selectOption('.doc-upload [name=kind]', 'agreement');
    await village.fill('.doc-upload [name=note]', '双方签字的协议书');
    const drop = async (name, type, text) => {
      const dt = await village.evaluateHandle(([n, ty, tx]) => {
        const d = new DataTransfer();
        d.items.add(new File([tx], n, { type: ty }));
        return d;
      }, [name, type, text]);
      await village.dispatchEvent('.drop-zone', 'drop', { dataTransfer: dt });
    };
    await drop('调解协议书.pdf', 'application/pdf', PDF_TEXT);
    await village.waitForSelector('table.documents a.doc-link');
    assert.equal(await village.$eval('.doc-progress', (p) => p.value), 100);
    assert.match(await village.textContent('table.documents tbody tr'), /调解协议书\.pdf.*协议.*PDF 文档/);
    await village.setInputFiles('.doc-picker', { name: '界址图.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });
    await village.waitForFunction(() => document.querySelectorAll('table.documents tbody tr').length === 2);
    assert.match(await village.textContent('.case-documents h2'), /材料（2）/);
    // This village asks the director's approval for copies ([access] approval_for = archive,copy),
    // downloads included: the reason and the request, not a failed download. The answer
    // comes after the page was drawn anew (as a live event does), and is shown all the same.
    let release;
    const held = new Promise((r) => { release = r; });
    await village.route('**/documents/*', async (route) => { await held; await route.continue(); });
    await village.click('table.documents a.doc-link >> text=调解协议书.pdf');
    await village.waitForFunction(() => {
      const slot = document.querySelector('.case-documents .doc-ask');
      if (slot) slot.dataset.old = '1';
      return slot !== null;
    });
    await village.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
    await village.waitForSelector('.case-documents .doc-ask:not([data-old])', { state: 'attached' });
    release();
    await village.waitForSelector('.case-documents form.request-access[data-what^="document:"]');
    await village.unroute('**/documents/*');
    assert.match(await village.textContent('.case-documents .doc-ask .banner'), /未找到批准/);
    assert.match(await village.textContent('.case-documents form.request-access h3'), /申请下载材料“调解协议书\.pdf”/);
    await village.click('.case-documents form.request-access button.secondary');
    await drop('照片.jpg', 'image/jpeg', '#!/bin/sh\nrm -rf /\n');
    const slot = await village.waitForSelector('.doc-upload .field.invalid[data-field=file]');
    assert.match(await (await slot.$('.field-error')).textContent(), /不接受此类文件.*text\/x-shellscript/);
    assert.equal(await village.inputValue('.doc-upload [name=note]'), '双方签字的协议书');
    assert.equal(await village.locator('table.documents tbody tr').count(), 2, 'nothing stored');
    await shot(village, '03b-case-documents');
  });
}

// Once the case is escalated: its documents follow it to the township.
export async function documentsAtTownship(t, ctx) {
  const { village, town } = ctx;
  const caseId = ctx.caseId();
  await t.test('township: the documents came with the case, 在途 until their bytes arrive, then downloadable', async () => {
    await open(town, TOWN, `#/case/${caseId}`);
    await town.waitForSelector('.case-documents .chip.doc-in_transit');
    assert.match(await town.textContent('.case-documents'), /2 份材料在途/);
    assert.equal(await town.locator('table.documents a.doc-link').count(), 0, 'no link before the bytes are here');
    await shot(town, '06b-documents-in-transit');
    assert.equal(await ask('@@release-docs'), 'ok');
    await until(async () => {
      await town.reload();
      await settled(town);
      await town.waitForSelector('.case-documents table.documents');
      return (await town.locator('.case-documents .chip.doc-present').count()) === 2;
    }, 'the documents at the township');
    const [dl] = await Promise.all([town.waitForEvent('download'), town.click('table.documents a.doc-link >> text=调解协议书.pdf')]);
    assert.equal(fs.readFileSync(await dl.path(), 'utf8'), PDF_TEXT);
  });
}
