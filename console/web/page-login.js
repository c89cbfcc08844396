// page-login — 登录: POST /api/v1/session with the user name and password, and this
// browser's device id (device.js); the API's message (wrong password, locked until HH:MM,
// disabled, a device not yet approved) is shown as it is.
import { post } from './api.js';
import { deviceId, deviceLabel } from './device.js';
import { h, clear, banner, field, input, formError, submitting } from './ui.js';

// done(session) is the app's: it takes the new session in, then shows where the user was.
export default function loginPage(main, { message, kind, done }) {
  const form = h('form', { class: 'card login', novalidate: true },
    h('h1', {}, '登录'),
    message ? banner(message, kind) : null,
    formError(),
    field('用户名', input({ autocomplete: 'username', autocapitalize: 'none', required: true }), 'user'),
    field('密码', input({ type: 'password', autocomplete: 'current-password', required: true }), 'password'),
    h('button', { type: 'submit', class: 'primary' }, '登录'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const s = await post('/api/v1/session', {
        user: form.elements.user.value.trim(), password: form.elements.password.value,
        device: deviceId(), device_label: deviceLabel(),
      });
      await done(s);
    });
  });
  clear(main, form);
  form.elements.user.focus();
}
