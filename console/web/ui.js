// ui — building the pages: elements (never HTML strings: every value is text), form fields
// with an error slot beside each, the API's errors put beside the field they name, dates in
// the node's time zone, and the risk colours.
import { name } from './vocab.js';

// h('div', {class: 'x', onclick: fn}, child, …): children may be strings, nodes, arrays, null.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- time -----------------------------------------------------------------------------

let timeZone = 'Asia/Shanghai';
export function setTimeZone(tz) { if (tz) timeZone = tz; }

function parts(ms) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

// YYYY-MM-DD of the instant in the node's time zone.
export function isoDate(ms) {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

export function fmtTime(ms) {
  if (!ms) return '—';
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function fmtDate(ms) { return ms ? isoDate(ms) : '—'; }

export function fmtRate(r) {
  return (r === null || r === undefined) ? '—' : `${(r * 100).toFixed(1)}%`;
}

// ---- chips ----------------------------------------------------------------------------

export function riskChip(risk) {
  return h('span', { class: `chip risk-${risk}`, title: `风险等级：${name('risk', risk)}` }, name('risk', risk));
}

export function statusChip(c) {
  const late = c.overdue ? h('span', { class: 'chip overdue' }, '超期') : null;
  return [h('span', { class: `chip status-${c.status}` }, name('status', c.status)), late];
}

// ---- messages -------------------------------------------------------------------------

export function banner(text, kind = 'info') {
  return h('p', { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// Shows a message at the top of the page for a few seconds (it stays in the DOM for tests
// and screen readers until the next one).
export function toast(text, kind = 'ok') {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  clear(box, h('p', { class: `banner ${kind}` }, text));
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
}

// ---- files ----------------------------------------------------------------------------

// A file the node answered (fetched, so that a refusal could be shown) saved as `name`.
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- forms ----------------------------------------------------------------------------

let nextId = 0;

// A labelled control with an error slot; `path` is the API's name for the field (a JSON path
// such as parties[1].id_number), kept as the control's name so an error can find it.
export function field(label, control, path, opts = {}) {
  const id = `f${++nextId}`;
  control.id = id;
  if (path) control.name = path;
  const err = h('span', { class: 'field-error', id: `${id}-err`, role: 'alert' });
  control.setAttribute('aria-describedby', `${id}-err`);
  return h('div', { class: `field${opts.wide ? ' wide' : ''}`, 'data-field': path || null },
    h('label', { for: id }, label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null),
    control, opts.hint ? h('small', { class: 'hint' }, opts.hint) : null, err);
}

export function input(attrs = {}) { return h('input', { type: 'text', autocomplete: 'off', ...attrs }); }

export function textarea(attrs = {}) { return h('textarea', { rows: 3, ...attrs }); }

// <select> of [[code, name], …]; `blank` adds an empty first choice with that label.
export function select(choices, attrs = {}, blank) {
  return h('select', attrs,
    blank !== undefined ? h('option', { value: '' }, blank) : null,
    choices.map(([code, label]) => h('option', { value: code }, label)));
}

export function formError() { return h('p', { class: 'form-error', role: 'alert', hidden: true }); }

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const fe = form.querySelector('.form-error');
  if (fe) { fe.textContent = ''; fe.hidden = true; }
}

// "parties[1].id_number" → "parties[1]" → "parties" → "".
function parentPath(path) {
  const up = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
  return up === path ? '' : up;
}

// Puts an API error beside the field it names (or the nearest enclosing one, e.g.
// "parties" for the list), else at the top of the form; the first field in error gets the
// focus. A slot already showing an error keeps its first.
function placeError(form, err, focus) {
  let slot = null;
  for (let path = err.field || ''; path && !slot; path = parentPath(path))
    slot = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
  if (slot) {
    if (slot.classList.contains('invalid')) return;
    slot.classList.add('invalid');
    const control = slot.matches('.field') ? slot.querySelector('input, select, textarea') : null;
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      if (focus) control.focus();
    }
    slot.querySelector(':scope > .field-error').textContent = err.message;
    return;
  }
  const fe = form.querySelector('.form-error');
  if (fe) {
    fe.textContent = fe.hidden ? err.message : `${fe.textContent}；${err.message}`;
    fe.hidden = false;
  } else {
    toast(err.message, 'error');
  }
}

// Shows every fault the API named (err.errors), or its one error.
export function showError(form, err) {
  clearErrors(form);
  const all = err.errors && err.errors.length ? err.errors : [err];
  all.forEach((e, i) => placeError(form, e, i === 0));
}

// The named controls of a form as a flat object: checkboxes as booleans, number inputs as
// numbers, passwords exactly as typed, other text trimmed; empty optional values are left out.
export function values(form) {
  const out = {};
  for (const el of form.querySelectorAll('[name]')) {
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'password') { if (el.value !== '') out[el.name] = el.value; }
    else if (el.value.trim() === '') continue;
    else out[el.name] = el.type === 'number' ? Number(el.value) : el.value.trim();
  }
  return out;
}

// Runs `fn` with the form's submit button disabled; an ApiError is shown in the form.
export async function submitting(form, fn) {
  const button = form.querySelector('button[type=submit]');
  if (button) button.disabled = true;
  clearErrors(form);
  try {
    await fn();
  } catch (err) {
    if (!err.code) throw err;
    showError(form, err);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- tables ---------------------------------------------------------------------------

// columns: [[heading, row => cell], …]; an empty list shows `empty`.
export function table(columns, rows, empty = '暂无数据', attrs = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('thead', {}, h('tr', {}, columns.map(([head]) => h('th', { scope: 'col' }, head)))),
      h('tbody', {}, rows.map((r) => h('tr', { class: r.risk ? `row-risk-${r.risk}` : null },
        columns.map(([, cell]) => h('td', {}, cell(r))))))));
}

export function caseLink(id) { return h('a', { href: `#/case/${encodeURIComponent(id)}` }, id); }
