// Shared by the browser tests: the nodes' addresses from console_test.py, pages, waits,
// sign-in, the intake form, screenshots. The browser is launched by console.test.mjs.
import assert from 'node:assert/strict';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';

export const env = (k) => { assert.ok(process.env[k], `${k} is not set (run through console_test.py)`); return process.env[k]; };
const require = createRequire(path.join(env('JIEFEN_BROWSER_DEPS'), 'package.json'));
export const { chromium } = require('playwright-core');

export const VILLAGE = env('JIEFEN_VILLAGE_URL');
export const IDLE = env('JIEFEN_IDLE_URL');  // a village whose sessions end after one idle minute
export const TOWN = env('JIEFEN_TOWN_URL');
export const PASSWORD = env('JIEFEN_PASSWORD');
export const FULL = env('JIEFEN_FULL_URL');  // a village whose disk is below its free-space floor
export const FU = env('JIEFEN_FU_URL');  // 西村: a follow-up overdue, an open case (console_test.py)
export const FU_OVERDUE = env('JIEFEN_FU_OVERDUE');
export const FU_OPEN = env('JIEFEN_FU_OPEN');
export const FU_ORDER = env('JIEFEN_FU_ORDER');  // a case from a 12345 work order, closed
export const FU_COURT = env('JIEFEN_FU_COURT');  // a case delegated by a court (诉前委派), open
export const SHOTS = env('JIEFEN_SCREENSHOTS');
export const DESKTOP = { width: 1366, height: 768 };
export const TABLET = { width: 768, height: 1024 };

export const stdin = readline.createInterface({ input: process.stdin });
// Asks the Python driver for something (one line out, one line back).
export function ask(line) {
  return new Promise((resolve) => { stdin.once('line', resolve); console.log(line); });
}

// Polls `fn` until it returns a truthy value (a wait with a deadline, not a timed check).
export async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// A director approves the access request waiting in their inbox (摘抄复印, 归档导出). By
// selector, not an element handle: a live change may redraw the inbox meanwhile.
export async function approveAccess(page) {
  await page.click('table.inbox form.decide-access button[value=approve]');
  await page.waitForFunction(() => !document.querySelector('table.inbox form.decide-access'));
}

export const problems = [];
let browser;
export function setBrowser(b) { browser = b; }
let villageNow = VILLAGE;  // the village's URL since its last restart
export const VILLAGE_NOW = () => villageNow;
export function setVillageNow(u) { villageNow = u; }

export async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // 4xx answers the test provokes are logged as "Failed to load resource"; anything else
    // (a CSP violation, an exception) is a fault of the console.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  return page;
}

export async function settled(page) {
  await page.waitForSelector('main:not([aria-busy])');
}

export async function shot(page, name) {
  await settled(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function open(page, base, hash) {
  await page.goto(base + hash);
  await settled(page);
}

export async function login(page, base, user, password = PASSWORD) {
  await page.goto(base);
  await page.waitForSelector('form.login');
  await page.fill('[name=user]', user);
  await page.fill('[name=password]', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  await settled(page);
}

// fetch from inside the page (the session cookie goes along; the CSRF header only if given).
export function pageFetch(page, method, url, body, headers = {}) {
  return page.evaluate(async ([m, u, b, hd]) => {
    const r = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json', ...hd }, body: b === null ? undefined : JSON.stringify(b) });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [method, url, body, headers]);
}

// What the page keeps in the browser's storage ([localStorage, sessionStorage] as JSON), but
// the device id of 一机一账号 (console/web/device.js), which is no one's data.
export function storedByPage(page) {
  return page.evaluate(() => {
    const { jiefen_device: _device, ...local } = { ...localStorage };
    return JSON.stringify([local, { ...sessionStorage }]);
  });
}

// The API's one error shape, {"error": {code, field, message}}: anything else fails here.
export const errorCode = (b) => b.error.code;
export const errorMessage = (b) => b.error.message;

export async function noHorizontalScroll(page) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 0, `the page is ${over}px wider than the window`);
}

export const PARTY = [
  { name: '张三', id_number: '11010519491231002X', phone: '13800138000', address: '东村3组12号' },
  { name: '李四', id_number: '110101199003077571', phone: '0951-5012345', address: '东村3组14号' },
];

export async function fillIntake(page, wrongId) {
  for (const [i, p] of PARTY.entries())
    for (const [k, v] of Object.entries(p))
      await page.fill(`[name="parties[${i}].${k}"]`, k === 'id_number' && i === 1 && wrongId ? wrongId : v);
  await page.selectOption('[name=category]', 'land_contract');
  await page.selectOption('[name=matter_type]', 'dispute_mediation');
  await page.selectOption('[name=source]', 'walk_in');
  await page.selectOption('[name=complexity]', 'simple');
  await page.fill('[name=summary]', '承包地边界争议，双方对界桩位置各执一词');
}

export async function failedAttempt(page, n) {
  await page.click('.case-actions button[data-action=attempts]');
  const form = 'form[data-action=attempts]';
  // The mediator is the person signed in unless changed.
  assert.equal(await page.inputValue(`${form} [name=mediator]`), '李调解');
  await page.selectOption(`${form} [name=method]`, 'people');
  await page.selectOption(`${form} [name=outcome]`, 'failed');
  await page.fill(`${form} [name=note]`, `第${n}次调解，双方分歧较大`);
  await page.click(`${form} button[type=submit]`);
  await page.waitForFunction((k) => document.querySelectorAll('.timeline .kind-attempt').length === k, n);
}
