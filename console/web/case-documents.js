// case-documents — 材料: the documents of a case file (docs/api.md "Documents"), the list
// with download links and what is still in transit (在途) to this node, and, for the
// holder's staff, an upload by drag-and-drop or a file picker with a progress bar. The
// kind and note typed stay in the form whatever the outcome of an upload. A download
// carries the session's purpose (查阅目的), recorded by the node before the file is sent;
// it is fetched, not followed as a link, so that a refusal (the director's approval the
// node's policy asks for copies, a purpose not given) is shown with what to do, never a
// failed download in the browser's bar.
import { get, query, upload, ApiError } from './api.js';
import { currentPurpose, purposePicker } from './purpose.js';
import { requestForm } from './page-access.js';
import { h, clear, banner, field, select, textarea, formError, showError, clearErrors, table, fmtTime, toast, saveBlob } from './ui.js';

// What was typed in a case's upload form, and the error it shows, by case id: the case
// page is redrawn when the case changes (an upload is such a change), and the form with it.
const drafts = new Map();
// A download's refusal and what to do about it (request form, purpose picker), by case id:
// it outlives a redraw of the case page (another upload, a change of the case) until it is
// answered or closed.
const asks = new Map();
// The ask slot of each case's 材料 section on screen, by case id: a download's answer may
// come after the section was redrawn, and goes to the section that is there then.
const slots = new Map();

const KINDS = [['evidence', '证据'], ['agreement', '协议'], ['record', '笔录'], ['ruling', '裁定/文书'], ['other', '其他']];

function fmtSize(n) {
  if (n < 1024) return `${n} 字节`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// Downloads document d of case c into the browser; a refusal is said in the case's ask slot.
async function download(c, base, d, purpose = currentPurpose()) {
  const res = await fetch(`${base}/${d.id}${purpose ? `?purpose=${encodeURIComponent(purpose)}` : ''}`,
    { credentials: 'same-origin', cache: 'no-store' });
  const done = (into) => { asks.delete(c.id); clear(into); };
  if (res.ok) {
    saveBlob(await res.blob(), d.name);
    done(slots.get(c.id));
    return;
  }
  const body = await res.json().catch(() => null);
  const err = body && body.error ? body.error : { code: '', message: `下载失败（${res.status}）` };
  let ask = null;
  if (err.code === 'approval_required') {
    ask = (into) => clear(into, banner(err.message, 'warn'),
      requestForm(c, purpose || 'casework', () => done(into), `document:${d.id}`, `申请下载材料“${d.name}”`));
  } else if (err.code === 'invalid_purpose') {
    ask = (into) => clear(into, purposePicker((p) => download(c, base, d, p), '下载材料须说明查阅目的：'));
  } else toast(err.message, 'error');
  if (ask) {
    asks.set(c.id, ask);
    ask(slots.get(c.id));
  }
}

function docList(c, base, list) {
  const click = (d) => (ev) => {
    ev.preventDefault();
    download(c, base, d).catch((e) => toast(e.message, 'error'));
  };
  return table([
    ['名称', (d) => d.state === 'present'
      ? h('a', { href: `${base}/${d.id}`, download: d.name, class: 'doc-link', onclick: click(d) }, d.name)
      : h('span', {}, d.name)],
    ['类别', (d) => d.kind_name],
    ['类型', (d) => d.type_name],
    ['大小', (d) => fmtSize(d.size)],
    ['添加人', (d) => `${d.actor_name}（${d.origin_name}）`],
    ['添加时间', (d) => fmtTime(d.time_ms)],
    ['状态', (d) => h('span', { class: `chip doc-${d.state}` }, d.state_name)],
    ['说明', (d) => d.note || '—'],
  ], list, '本案尚无材料', { class: 'documents' });
}

function uploadForm(caseId, base, limits, reload) {
  const draft = drafts.get(caseId) || { kind: 'evidence', note: '', error: null };
  drafts.set(caseId, draft);
  const picker = h('input', { type: 'file', class: 'doc-picker', multiple: true });
  const bar = h('progress', { class: 'doc-progress', max: 100, value: 0, hidden: true });
  const status = h('span', { class: 'doc-status', role: 'status' });
  const kind = select(KINDS, {});
  kind.value = draft.kind;
  const note = textarea({ rows: 2 });
  note.value = draft.note;
  kind.addEventListener('change', () => { draft.kind = kind.value; });
  note.addEventListener('input', () => { draft.note = note.value; });
  const zone = h('div', { class: 'drop-zone', tabindex: 0 },
    '将文件拖到此处，或 ', h('label', { class: 'button secondary' }, '选择文件', picker),
    h('small', { class: 'hint' }, `照片、扫描件、PDF、Word/Excel 文档；每个文件不超过 ${fmtSize(limits.file_bytes)}`));
  const form = h('form', { class: 'card doc-upload', novalidate: true }, h('h3', {}, '添加材料'), formError(),
    h('div', { class: 'grid' }, field('材料类别', kind, 'kind', { required: true }), field('说明', note, 'note', { wide: true })),
    field('文件', zone, 'file', { wide: true }), bar, status);

  const fail = (err) => { draft.error = err; showError(form, err); };
  if (draft.error) queueMicrotask(() => showError(form, draft.error));

  async function send(files) {
    clearErrors(form);
    draft.error = null;
    for (const file of files) {
      if (file.size > limits.file_bytes) {
        fail(new ApiError(413, 'file_too_large', 'file', `“${file.name}”过大（${fmtSize(file.size)}），每个文件最多 ${fmtSize(limits.file_bytes)}`));
        return;
      }
      bar.hidden = false;
      bar.value = 0;
      status.textContent = `正在上传“${file.name}”…`;
      try {
        await upload(`${base}${query({ name: file.name, kind: kind.value, note: note.value.trim() })}`, file,
          (sent, total) => { bar.value = Math.round((sent * 100) / total); });
        bar.value = 100;
        status.textContent = `已添加“${file.name}”`;
        toast(`已添加材料“${file.name}”`);
      } catch (err) {
        status.textContent = '';
        bar.hidden = true;
        if (!err.code) throw err;
        fail(err);
        return;
      }
    }
    reload();
  }
  picker.addEventListener('change', () => { const f = [...picker.files]; picker.value = ''; send(f).catch((e) => toast(e.message, 'error')); });
  zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    send([...ev.dataTransfer.files]).catch((e) => toast(e.message, 'error'));
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

// The 材料 section of case c; reads the list itself and redraws only itself after an upload.
export function documentsSection(ctx, c) {
  const base = `/api/v1/cases/${encodeURIComponent(c.id)}/documents`;
  const section = h('section', { class: 'card case-documents', 'aria-label': '材料' }, h('h2', {}, '材料'));
  if (!ctx.can('case.parties')) {
    section.append(banner('案件材料含个人信息，仅对窗口受理、调解员和中心主任显示。', 'info'));
    return section;
  }
  const listSlot = h('div', {}), askSlot = h('div', { class: 'action-slot doc-ask' });
  let form = null;
  async function load() {
    const r = await get(base);
    section.querySelector('h2').textContent = `材料（${r.documents.length}）`;
    clear(listSlot,
      r.in_transit ? banner(`${r.in_transit} 份材料在途，到达本节点后即可下载`, 'warn') : null,
      docList(c, base, r.documents));
    if (!form && c.where === 'here') {
      form = uploadForm(c.id, base, r.limits, () => load().catch((e) => toast(e.message, 'error')));
      section.append(form);
    }
  }
  section.append(listSlot, askSlot);
  slots.set(c.id, askSlot);
  if (asks.has(c.id)) asks.get(c.id)(askSlot);
  load().catch((e) => clear(listSlot, banner(e.message, 'error')));
  return section;
}
