// app — the console's shell: the session (GET /api/v1/session), this node's name and time
// zone (GET /api/v1/status), the menu, and the pages by URL hash (#/cases?risk=red,
// #/case/<id>, #/account). The menu and every action show only what the user's `permissions` allow;
// the API remains the judge.
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

export const session = { user: null, permissions: [], node: null, status: null };

export function can(code) {
  return Boolean(session.user) && session.permissions.includes(code);
}

const pages = {
  intake: { title: '一窗受理', page: intakePage, perm: 'case.create' },
  cases: { title: '案件列表', page: casesPage },
  case: { title: '一案一卷', page: casePage, hidden: true },
  supervision: { title: '督办', page: supervisionPage },
  dashboard: { title: '驾驶舱', page: dashboardPage },
  directives: { title: '指令', page: directivesPage },
  reports: { title: '统计报表', page: reportsPage },
  network: { title: '网络状态', page: networkPage },
  account: { title: '账户', page: accountPage },
};

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
    .filter(([, p]) => !p.hidden && (!p.perm || can(p.perm)))
    .map(([key, p]) => h('a', { href: `#/${key}`, class: key === here ? 'active' : null, 'aria-current': key === here ? 'page' : null }, p.title)));
  $('nav').hidden = false;
}

// Every page of a node whose clock is off its parent's says so above the page (GET
// /api/v1/status "clock"; the parent is the reference, so only a child is ever told).
async function clockBanner() {
  const box = $('clock-banner');
  try {
    const { clock } = await get('/api/v1/status');
    box.hidden = !clock.skewed;
    clear(box, clock.skewed ? banner(clock.text, 'warn') : null);
  } catch {
    box.hidden = true;  // the page itself reports what is wrong with the node
  }
}

function loggedOutShell() {
  $('clock-banner').hidden = true;
  clear($('who'));
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
  await loadNode();
}

async function logout() {
  try { await api('DELETE', '/api/v1/session'); } catch { /* the cookie is gone either way */ }
  session.user = null;
  setCsrf('');
  showLogin('已退出登录');
}

function showLogin(message, kind = 'info') {
  session.user = null;
  loggedOutShell();
  document.title = '登录 · 解纷';
  loginPage($('main'), { message, kind, done: async (s) => {
    await signedIn(s);
    if (parseHash().name === 'login' || !location.hash) go('#/cases'); else route();
  } });
}

let renderSeq = 0;

async function route() {
  if (!session.user) return showLogin();
  const { name: key, arg, params } = parseHash();
  const entry = pages[key];
  if (!entry) return go('#/cases');
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

whenLoggedOut((err) => showLogin(err.message || '请先登录', err.code === 'session_expired' ? 'warn' : 'info'));
window.addEventListener('hashchange', route);

(async () => {
  try {
    await signedIn(await get('/api/v1/session'));
  } catch (err) {
    if (err.status === 401) return showLogin(err.code === 'session_expired' ? err.message : '', 'warn');
    clear($('main'), banner(err.message, 'error'));
    return;
  }
  route();
})();
