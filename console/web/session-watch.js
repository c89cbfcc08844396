// session-watch — never lose typing (issue 14, item 4). Knows when this browser's session
// ends from the node's answers (expires_ms on the node's clock, now_ms, idle_ms), shows a
// warning with 继续 before that (继续 is POST /api/v1/session/touch), counts typing as use
// (a touch at most every quarter of the idle limit, a minute at most), and looks before it
// warns with GET /api/v1/session/expiry, which does not itself keep the session alive.
// When the session has ended it calls the app's `ended`, which signs in again over the
// page. Nothing is stored in the browser: what was typed stays in the page's memory only.
import { get, post } from './api.js';
import { h, clear } from './ui.js';

const WARN_MS = 2 * 60 * 1000;   // how long before the end the warning shows
const TOUCH_MAX_MS = 60 * 1000;  // the node stores a use at most once a minute anyway

let endsAt = 0;      // performance.now() at which the session ends if unused
let idleMs = 0;
let timer = null;
let tick = null;
let lastTouch = 0;
let onEnded = () => {};
let box = null;

const lead = () => Math.min(WARN_MS, idleMs / 2);
const left = () => endsAt - performance.now();

// Takes in an answer carrying expires_ms, now_ms and idle_ms (login, GET /session, the
// expiry, a touch) and plans the next look.
export function sessionKnown(s) {
  if (!s || !s.expires_ms || !s.now_ms) return;  // the admin token has no session to watch
  endsAt = performance.now() + (s.expires_ms - s.now_ms);
  idleMs = s.idle_ms || idleMs;
  clearTimeout(timer);
  timer = setTimeout(look, Math.max(0, left() - lead()));
}

export function watchSession(ended) {
  onEnded = ended;
  document.addEventListener('input', typed, true);
}

export function stopWatching() {
  clearTimeout(timer);
  clearInterval(tick);
  timer = tick = null;
  endsAt = 0;
  hideWarning();
}

// Typing is use: refresh the session, throttled.
function typed() {
  if (!endsAt) return;
  const every = Math.min(TOUCH_MAX_MS, idleMs / 4);
  if (performance.now() - lastTouch < every) return;
  lastTouch = performance.now();
  refresh();
}

async function refresh() {
  try {
    sessionKnown(await post('/api/v1/session/touch'));
    hideWarning();
  } catch (err) {
    if (err.status === 401) ended(err);
  }
}

// The node's word on the end; other requests of the page may have moved it.
async function look() {
  try {
    sessionKnown(await get('/api/v1/session/expiry'));
  } catch (err) {
    if (err.status === 401) ended(err);
    return;
  }
  if (left() <= lead()) showWarning();
  else hideWarning();
}

function ended(err) {
  stopWatching();
  onEnded(err);
}

function countdown() {
  const s = Math.max(0, Math.ceil(left() / 1000));
  const text = s >= 60 ? `${Math.floor(s / 60)} 分 ${s % 60} 秒` : `${s} 秒`;
  clear(box.querySelector('.countdown'), text);
  if (s === 0) look();
}

function showWarning() {
  if (!box) {
    box = h('div', { class: 'session-warning', role: 'alertdialog', 'aria-labelledby': 'session-warning-title', 'aria-live': 'assertive' },
      h('h2', { id: 'session-warning-title' }, '登录即将过期'),
      h('p', {}, '长时间未操作，登录将在 ', h('strong', { class: 'countdown' }), ' 后过期。页面上填写的内容仍在，点击“继续”保持登录。'),
      h('button', { type: 'button', class: 'primary', onclick: () => { lastTouch = performance.now(); refresh(); } }, '继续'));
    document.body.append(box);
  }
  box.hidden = false;
  countdown();
  clearInterval(tick);
  tick = setInterval(countdown, 1000);
}

function hideWarning() {
  clearInterval(tick);
  tick = null;
  if (box) box.hidden = true;
}
