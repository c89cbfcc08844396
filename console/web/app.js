// app — the console's shell: the session (GET /api/v1/session), this node's name and time
// zone (GET /api/v1/status), the menu, and the pages by URL hash (#/cases?risk=red,
// #/case/<id>, #/account), and the search for a person in the header (page-parties.js).
// The menu and every action show only what the user's `permissions` allow; the API
// remains the judge. A session that ends while a page is open is signed into again
// over the page (session-watch.js warns before), so what was typed is still there.
// While signed in, the node's event stream (live.js) keeps the menu's badges and the
// open page up to date, without polling.
import { api, get, setCsrf, whenLoggedOut } from './api.js';
import { h, clear, banner, setTimeZone } from './ui.js';
import { name, mergeReference } from './vocab.js';
import loginPage from './page-login.js';
import intakePage from './page-intake.js';
import casesPage from './page-cases.js';
import casePage from './page-case.js';
import supervisionPage from './page-supervision.js';
import dashboardPage from './page-dashboard.js';
import directivesPage from './page-directives.js';
import reportsPage from './page-reports.js';
import networkPage from './page-network.js';
import accountPage from './page-account.js';
import { sessionKnown, watchSession, stopWatching } from './session-watch.js';
import inboxPage from './page-inbox.js';
import hazardsPage, { hazardPage } from './page-hazards.js';
import reviewsPage from './page-reviews.js';
import verifyPage from './page-verify.js';
import followupsPage from './page-followups.js';
import rosterPage from './page-roster.js';
import outboxPage from './page-outbox.js';
import webhooksPage from './page-webhooks.js';
import devicesPage from './page-devices.js';
import refusedPage from './page-refused.js';
import partiesPage, { searchBox, forgetSearch } from './page-parties.js';
import { startLive, stopLive } from './live.js';
import accessPage from './page-access.js';
import { forgetPurpose } from './purpose.js';
import workbenchPage from './page-workbench.js';
import departmentsPage from './page-departments.js';

export const session = { user: null, permissions: [], node: null, status: null };

export function can(code) {
  return Boolean(session.user) && session.permissions.includes(code);
}

// A department's account (department.act) has only the pages marked `dept` (its workbench,
// the cases routed to it, its account): it reads nothing else (docs/permissions.md).
const pages = {
  workbench: { title: '部门工作台', page: workbenchPage, perm: 'department.act', dept: true },
  inbox: { title: '待办', page: inboxPage },
  intake: { title: '一窗受理', page: intakePage, perm: 'case.create' },
  cases: { title: '案件列表', page: casesPage },
  case: { title: '一案一卷', page: casePage, hidden: true, dept: true },
  departments: { title: '入驻部门', page: departmentsPage },
  parties: { title: '查当事人', page: partiesPage, perm: 'case.parties', hidden: true },
  supervision: { title: '督办', page: supervisionPage },
  followups: { title: '回访', page: followupsPage },
  roster: { title: '名册', page: rosterPage },
  dashboard: { title: '驾驶舱', page: dashboardPage },
  directives: { title: '指令', page: directivesPage },
  reports: { title: '统计报表', page: reportsPage },
  hazards: { title: '隐患台账', page: hazardsPage },
  hazard: { title: '隐患', page: hazardPage, hidden: true },
  reviews: { title: '分析研判', page: reviewsPage },
  network: { title: '网络状态', page: networkPage },
  access: { title: '查阅记录', page: accessPage, perm: 'access.audit' },
  verify: { title: '核验回执', page: verifyPage },
  account: { title: '账户', page: accountPage, dept: true },
  outbox: { title: '短信发件箱', page: outboxPage, perm: 'node.admin' },
  webhooks: { title: '投递失败', page: webhooksPage, perm: 'node.admin' },
  devices: { title: '设备登记', page: devicesPage, perm: 'user.admin' },
  refused: { title: '被拒收工单', page: refusedPage, perm: 'node.admin' },
};

const departmentUser = () => can('department.act');
const shown = (p) => !departmentUser() || p.dept;

// The navigation's badges: the inbox's total, and the directives and reports awaiting
// this user on their own pages (GET /api/v1/inbox counts), read anew on every live event.
const badges = { inbox: 0, directives: 0, reports: 0, followups: 0 };

const $ = (id) => document.getElementById(id);

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// #/name/arg?query → {name, arg, params}
function parseHash() {
  const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
  const [pageName, ...rest] = path.split('/');
  return { name: pageName, arg: decodeURIComponent(rest.join('/')), params: new URLSearchParams(q || '') };
}

function shell() {
  const node = session.status.node;
  clear($('centre'), `${node.name}`, h('small', {}, `${name('tier', node.tier)} · ${node.id}`));
  clear($('who'),
    h('a', { class: 'user', href: '#/account', title: '账户与密码' }, session.user.name || session.user.user),
    h('span', { class: 'role' }, session.user.role_name),
    h('button', { type: 'button', class: 'link', onclick: logout }, '退出登录'));
  const here = parseHash().name;
  clear($('nav'), Object.entries(pages)
    .filter(([, p]) => !p.hidden && (!p.perm || can(p.perm)) && shown(p))
    .map(([key, p]) => h('a', { href: `#/${key}`, class: key === here ? 'active' : null, 'aria-current': key === here ? 'page' : null }, p.title,
      badges[key] ? h('span', { class: 'badge', 'aria-label': `${badges[key]} 项待办` }, String(badges[key])) : null)));
  $('nav').hidden = false;
  // Built once per sign-in, so what is being typed survives moving between pages.
  const search = $('search');
  if (!can('case.parties')) clear(search);
  else if (!search.firstChild) clear(search, searchBox(go));
}

async function loadBadges() {
  const { total, kinds } = await get('/api/v1/inbox?limit=1');
  const count = (kind) => (kinds.find((k) => k.kind === kind) || { count: 0 }).count;
  Object.assign(badges, { inbox: total, directives: count('directive'), reports: count('report'), followups: count('follow_up') });
  if (session.user) shell();
}

// A live event: the badges anew, and the open page if it shows what changed (never a page
// with a form being typed in).
let liveTimer = null;
function onLive({ event, data }) {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    loadBadges().catch(() => { /* the next event tries again */ });
    const { name: key, arg } = parseHash();
    // A form of the page being typed in (the header's search box is no part of the page).
    const typing = document.activeElement && document.activeElement.closest('#main form');
    const shows = key === 'inbox' || (key === 'case' && (event === 'reset' || data.id === arg)) ||
      (key === 'hazards' && data.about === 'hazard');
    if (shows && !typing) route();
  }, 100);
}

// Every page of a node whose clock is off its parent's says so above the page (GET
// /api/v1/status "clock"; the parent is the reference, so only a child is ever told); and
// of a node whose disk is too full to take new writes ("disk": read-only until freed), or
// that was restored from a backup and takes no writes until its parent has given back its
// own records ("backup.restored"); and of a node rebuilt from its parent, still fetching
// its records or with parties' details still sealed ("recovery": jiefenctl recovery
// status names the cases).
async function clockBanner() {
  const box = $('clock-banner');
  const diskBox = $('disk-banner');
  const recoveryBox = $('recovery-banner');
  try {
    const { clock, disk, backup, recovery } = await get('/api/v1/status');
    box.hidden = !clock.skewed;
    clear(box, clock.skewed ? banner(clock.text, 'warn') : null);
    const restored = backup && backup.restored;
    const text = disk && disk.low ? disk.message
      : restored ? '本节点由备份恢复，正在从上级节点取回本节点已上报的记录；取回之前暂停写入' : null;
    diskBox.hidden = !text;
    clear(diskBox, text ? banner(text, 'error') : null);
    const note = recovery && recovery.message;
    recoveryBox.hidden = !note;
    clear(recoveryBox, note ? banner(`${note}（涉及 ${recovery.sealed_parts} 项密封信息）`, 'warn') : null);
  } catch {
    box.hidden = true;  // the page itself reports what is wrong with the node
    diskBox.hidden = true;
    recoveryBox.hidden = true;
  }
}

function loggedOutShell() {
  $('clock-banner').hidden = true;
  $('disk-banner').hidden = true;
  $('recovery-banner').hidden = true;
  clear($('who'));
  clear($('search'));
  forgetSearch();
  forgetPurpose();
  clear($('nav'));
  $('nav').hidden = true;
}

async function loadNode() {
  const [status, ref] = await Promise.all([get('/api/v1/status'), get('/api/v1/reference')]);
  session.status = status;
  setTimeZone(status.node.time_zone);
  mergeReference(ref);
  clear($('centre'), status.node.name, h('small', {}, name('tier', status.node.tier)));
}

// Called with the answer of POST or GET /api/v1/session.
async function signedIn(s) {
  session.user = s;
  session.permissions = s.permissions;
  setCsrf(s.csrf);
  sessionKnown(s);
  await loadNode();
  if (!can('department.act')) startLive(onLive);  // its stream is the cases it may not read
  loadBadges().catch(() => { /* shown without badges */ });
}

async function logout() {
  stopWatching();
  try { await api('DELETE', '/api/v1/session'); } catch { /* the cookie is gone either way */ }
  session.user = null;
  setCsrf('');
  stopLive();
  showLogin('已退出登录');
}

function showLogin(message, kind = 'info') {
  session.user = null;
  stopLive();
  loggedOutShell();
  document.title = '登录 · 解纷';
  loginPage($('main'), { message, kind, done: async (s) => {
    await signedIn(s);
    if (parseHash().name === 'login' || !location.hash) go('#/cases'); else route();
  } });
}

// The session ended with a page open: the login over it, the page untouched (and inert)
// below; the same user comes back to it as it was, another gets the page anew.
function loginOver(err) {
  if ($('login-overlay')) return;
  const before = session.user.user;
  const behind = ['main', 'nav', 'search', 'who', 'clock-banner', 'disk-banner', 'recovery-banner'].map($);
  const box = h('div', { id: 'login-overlay', class: 'overlay' });
  document.body.append(box);
  for (const el of behind) el.inert = true;
  const message = `${err.message || '登录已失效'}。页面上填写的内容已保留，重新登录后可继续。`;
  loginPage(box, { message, kind: 'warn', done: async (s) => {
    await signedIn(s);
    box.remove();
    for (const el of behind) el.inert = false;
    if (s.user === before) return shell();
    forgetSearch();  // another person: nothing of the last one's search stays
    forgetPurpose();
    clear($('search'));
    route();
  } });
}

function sessionEnded(err) {
  if (session.user) loginOver(err);
  else showLogin(err.message || '请先登录', err.code === 'session_expired' ? 'warn' : 'info');
}

let renderSeq = 0;

async function route() {
  if (!session.user) return showLogin();
  const { name: key, arg, params } = parseHash();
  const entry = pages[key];
  if (!entry || !shown(entry)) return go(departmentUser() ? '#/workbench' : '#/cases');
  shell();
  clockBanner();
  document.title = `${entry.title} · ${session.status.node.name} · 解纷`;
  const main = $('main');
  const seq = ++renderSeq;
  main.setAttribute('aria-busy', 'true');
  clear(main, h('p', { class: 'loading' }, '正在加载……'));
  const ctx = { arg, params, session, can, go, stale: () => seq !== renderSeq };
  try {
    if (entry.perm && !can(entry.perm)) {
      clear(main, banner('当前角色无权使用此页面', 'error'));
    } else {
      await entry.page(main, ctx);
    }
  } catch (err) {
    if (seq === renderSeq && err.status !== 401) clear(main, h('h1', {}, entry.title), banner(err.message, 'error'));
    if (!err.code) console.error(err);
  } finally {
    if (seq === renderSeq) main.removeAttribute('aria-busy');
  }
}

whenLoggedOut(sessionEnded);
watchSession(sessionEnded);
window.addEventListener('hashchange', route);

(async () => {
  try {
    await signedIn(await get('/api/v1/session'));
  } catch (err) {
    if (err.status === 401) return showLogin(['session_expired', 'device_revoked'].includes(err.code) ? err.message : '', 'warn');
    clear($('main'), banner(err.message, 'error'));
    return;
  }
  route();
})();
