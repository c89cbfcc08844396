// page-account — 账户: everyone changes their own password (POST /api/v1/session/passwd);
// an administrator also manages this node's accounts (GET/POST /api/v1/users…): adds one,
// sets a forgotten password, disables and enables. Everyone may give their mobile number for
// the SMS reminders staff get (POST /api/v1/session/phone); the administrator sets anyone's
// (POST /api/v1/users/{user}/phone); numbers are shown masked. The rules are the API's: its
// message is put beside the field it names.
import { ApiError, get, post } from './api.js';
import { h, clear, field, input, select, formError, submitting, values, toast, table, fmtTime } from './ui.js';
import { options } from './vocab.js';

const password = (autocomplete) => input({ type: 'password', autocomplete });

function ownPasswordForm(session) {
  const form = h('form', { class: 'card own-password', novalidate: true },
    h('h2', {}, '修改本人密码'), formError(),
    h('div', { class: 'grid' },
      field('原密码', password('current-password'), 'old', { required: true }),
      field('新密码', password('new-password'), 'new', { required: true, hint: '至少 8 个字符，不能与用户名相同' }),
      field('再次输入新密码', password('new-password'), 'confirm', { required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '修改密码')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const v = values(form);
      if ((v.new || '') !== (v.confirm || '')) throw new ApiError(0, 'mismatch', 'confirm', '两次输入的新密码不一致');
      await post('/api/v1/session/passwd', { old: v.old || '', new: v.new || '' });
      form.reset();
      toast(`${session.user.name || session.user.user} 的密码已修改，其他已登录的浏览器需重新登录`);
    });
  });
  return form;
}

const PHONE_HINT = '11 位手机号，用于接收签收、回访等短信提醒；留空并保存即删除';

// Sets (or, empty, removes) a mobile number at path; shows the masked one it has.
function phoneForm(path, current, cls, done) {
  const shown = h('span', { class: 'meta phone-now' }, current ? `当前：${current}` : '未登记手机号');
  const form = h('form', { class: cls, novalidate: true },
    formError(), shown,
    field('手机号', input({ inputmode: 'numeric', autocomplete: 'tel' }), 'phone', { hint: PHONE_HINT }),
    h('button', { type: 'submit', class: 'secondary' }, '保存手机号'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const { user } = await post(path, { phone: values(form).phone || '' });
      form.reset();
      shown.textContent = user.phone ? `当前：${user.phone}` : '未登记手机号';
      toast(user.phone ? `${user.user} 的手机号已登记为 ${user.phone}` : `已删除 ${user.user} 的手机号`);
      if (done) done();
    });
  });
  return form;
}

function ownPhoneForm(session) {
  return h('section', { class: 'card own-phone' }, h('h2', {}, '本人手机号（短信提醒）'),
    phoneForm('/api/v1/session/phone', session.user.phone, 'own-phone-form'));
}

function addUserForm(reload) {
  const role = select(options('role'), {}, '请选择');
  const form = h('form', { class: 'card add-user', novalidate: true },
    h('h2', {}, '添加用户'), formError(),
    h('div', { class: 'grid' },
      field('用户名', input({ autocomplete: 'off' }), 'user', { required: true, hint: '2–32 位小写字母、数字、. _ -，以字母开头' }),
      field('姓名', input(), 'name'),
      field('角色', role, 'role', { required: true }),
      field('初始密码', password('new-password'), 'password', { required: true }),
      field('手机号', input({ inputmode: 'numeric', autocomplete: 'off' }), 'phone', { hint: '选填，用于短信提醒' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '添加')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const { user } = await post('/api/v1/users', { user: '', role: '', password: '', ...values(form) });
      form.reset();
      toast(`已添加用户 ${user.user}（${user.name}，${user.role_name}）`);
      reload();
    });
  });
  return form;
}

function userState(u) {
  if (u.disabled) return h('span', { class: 'chip status-closed' }, '已停用');
  if (u.locked) return h('span', { class: 'chip overdue' }, `已锁定至 ${fmtTime(u.locked_until_ms)}`);
  return h('span', { class: 'chip status-resolved' }, '正常');
}

// Sets a user's password from a small form in the row.
function resetForm(u, reload) {
  const form = h('form', { class: 'inline-form', novalidate: true, 'data-user': u.user },
    formError(),
    field('新密码', password('new-password'), 'password'),
    h('button', { type: 'submit', class: 'secondary' }, '重设密码'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post(`/api/v1/users/${encodeURIComponent(u.user)}/passwd`, values(form));
      toast(`已重设 ${u.user} 的密码，其登录已全部退出`);
      reload();
    });
  });
  return form;
}

// A button for POST /api/v1/users/{user}/{verb}.
function verbButton(u, verb, label, done, reload) {
  const act = async () => {
    try {
      await post(`/api/v1/users/${encodeURIComponent(u.user)}/${verb}`);
      toast(`${done} ${u.user}`);
      reload();
    } catch (err) {
      if (!err.code) throw err;
      toast(err.message, 'error');
    }
  };
  return h('button', { type: 'button', class: verb === 'disable' ? 'link danger' : 'link', 'data-verb': verb, onclick: act }, label);
}

function userActions(u, self, reload) {
  if (u.user === self) return h('span', { class: 'meta' }, '本人（密码在上方修改）');
  return h('div', { class: 'user-actions' },
    u.disabled ? verbButton(u, 'enable', '启用', '已启用', reload) : null,
    !u.disabled && u.locked ? verbButton(u, 'enable', '解除锁定', '已解除锁定', reload) : null,
    u.disabled ? null : verbButton(u, 'disable', '停用', '已停用', reload),
    resetForm(u, reload),
    phoneForm(`/api/v1/users/${encodeURIComponent(u.user)}/phone`, u.phone, 'inline-form user-phone', reload));
}

function usersTable(users, self, reload) {
  return table([
    ['用户名', (u) => h('span', { class: 'mono' }, u.user)],
    ['姓名', (u) => u.name],
    ['角色', (u) => u.role_name],
    ['手机', (u) => u.phone || '—'],
    ['状态', userState],
    ['最近登录', (u) => fmtTime(u.last_login_ms)],
    ['操作', (u) => userActions(u, self, reload)],
  ], users, '本节点还没有用户', { class: 'users' });
}

export default async function accountPage(main, ctx) {
  const me = ctx.session.user;
  const own = me.token ? null : [ownPasswordForm(ctx.session), ownPhoneForm(ctx.session)];
  if (!ctx.can('user.admin')) {
    clear(main, h('h1', {}, '账户'), own);
    return;
  }
  const { users } = await get('/api/v1/users');
  if (ctx.stale()) return;
  const reload = () => accountPage(main, ctx).catch((err) => toast(err.message, 'error'));
  clear(main, h('h1', {}, '账户'), own,
    h('section', {}, h('h2', {}, `本节点用户（${users.length}）`), usersTable(users, me.user, reload)),
    addUserForm(reload));
}
