// page-access — 查阅记录 and 摘抄复印报批: the record of who saw what at this node and every
// node below it (GET /api/v1/access, filtered by case, person, node and dates), the
// requests to copy, print or archive with their decisions (GET /api/v1/access/requests),
// decided in place by the director (POST /api/v1/access/decide); and for the case page its
// own record, the 摘抄 of its parties (POST /api/v1/access/copy) and the request for it.
import { get, post, query } from './api.js';
import { h, clear, banner, field, input, textarea, select, formError, submitting, values, toast, table, caseLink, fmtTime, saveBlob } from './ui.js';
import { currentPurpose, purposePicker } from './purpose.js';
import { name } from './vocab.js';

const ACCESS_COLUMNS = [
  ['时间', (a) => fmtTime(a.time_ms)],
  ['节点', (a) => a.node_name],
  ['查阅人', (a) => a.user_name],
  ['案件', (a) => (a.case_id ? caseLink(a.case_id) : '—')],
  ['查阅内容', (a) => a.what_name],
  ['查阅目的', (a) => a.purpose_name],
  ['结果数', (a) => (a.what === 'search' ? String(a.count) : '—')],
];

// Approve or refuse a pending request, in place; `done` reloads what shows it.
export function decideControls(r, done) {
  const reason = input({ name: 'reason', placeholder: '理由（不予批准时必填）', 'aria-label': '审批理由', maxlength: 500 });
  const form = h('form', { class: 'decide-access', novalidate: true, 'data-request': r.id },
    formError(), reason,
    h('button', { type: 'submit', class: 'primary', value: 'approve' }, '批准'),
    h('button', { type: 'submit', class: 'secondary', value: 'refuse' }, '不予批准'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const decision = ev.submitter ? ev.submitter.value : 'approve';
    submitting(form, async () => {
      await post('/api/v1/access/decide', { id: r.id, decision, reason: reason.value.trim() });
      toast(decision === 'approve' ? `已批准 ${r.user_name} 的申请` : '已不予批准');
      done();
    });
  });
  return form;
}

function requestColumns(ctx, done) {
  const self = ctx.session.status.node.id;
  return [
    ['申请时间', (r) => fmtTime(r.time_ms)],
    ['节点', (r) => r.node_name],
    ['申请人', (r) => r.user_name],
    ['案件', (r) => caseLink(r.case_id)],
    ['事项', (r) => r.what_name],
    ['目的', (r) => r.purpose_name],
    ['理由', (r) => r.reason],
    ['状态', (r) => (r.state === 'pending' && r.node === self && ctx.can('access.decide')
      ? decideControls(r, done)
      : [h('span', { class: `chip access-${r.state}` }, r.state_name), r.decision_reason ? ` ${r.decided_by_name}：${r.decision_reason}` : ''])],
  ];
}

function filterForm(nodes, params, run) {
  const nodeChoice = select(nodes.map((n) => [n.id, n.name]), {}, '全部节点');
  const form = h('form', { class: 'filters access-filters', role: 'search', novalidate: true },
    field('案件编号', input({ value: params.case || '' }), 'case'),
    field('查阅人（用户名）', input({ value: params.user || '' }), 'user'),
    field('节点', nodeChoice, 'node'),
    field('起始日期', input({ type: 'date', value: params.from || '' }), 'from'),
    field('截止日期', input({ type: 'date', value: params.to || '' }), 'to'),
    formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '查询')));
  nodeChoice.value = params.node || '';
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, () => run(values(form)));
  });
  return form;
}

export default async function accessPage(main, ctx) {
  const params = Object.fromEntries(ctx.params);
  const [{ nodes }, { requests }] = await Promise.all([get('/api/v1/nodes'), get('/api/v1/access/requests')]);
  if (ctx.stale()) return;
  const reload = () => accessPage(main, ctx).catch((err) => toast(err.message, 'error'));
  const results = h('div', { class: 'access-results' });
  const run = async (filter) => {
    const { access } = await get('/api/v1/access' + query({ ...filter, limit: 500 }));
    clear(results, table(ACCESS_COLUMNS, access, '没有符合条件的查阅记录', { class: 'access-log' }));
  };
  clear(main,
    h('h1', {}, '查阅记录'),
    h('p', { class: 'meta' }, '本节点及下级节点查看、查找、摘抄、打印和归档当事人个人信息的记录（不含个人信息本身和查询内容）。'),
    h('h2', {}, '摘抄复印申请'),
    table(requestColumns(ctx, reload), requests.slice().reverse(), '暂无摘抄复印申请', { class: 'access-requests' }),
    h('h2', {}, '查阅记录'),
    filterForm(nodes, params, run), results);
  await run(params);
}

// ---- on the case page --------------------------------------------------------------

// The request for `what` (copy:parties, archive, document:<id>) of case c, titled `title`.
export function requestForm(c, purpose, done, what = 'copy:parties', title = '申请摘抄当事人信息') {
  const form = h('form', { class: 'card request-access', novalidate: true, 'data-what': what },
    h('h3', {}, title), formError(),
    h('div', { class: 'grid' }, field('申请理由', textarea(), 'reason', { required: true, wide: true })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '提交申请'),
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, '取消')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/access/requests', { case_id: c.id, what, purpose, ...values(form) });
      toast('已提交申请，待中心主任审批');
      done();
    });
  });
  return form;
}

function extract(out) {
  return h('div', { class: 'card access-extract' },
    h('h3', {}, `当事人信息摘抄 · ${out.case_id}`),
    h('p', { class: 'meta' }, `摘抄时间 ${fmtTime(out.time_ms)}${out.approval ? `，批准 ${out.approval}` : ''}`),
    table([['身份', (p) => name('party_role', p.role)], ['姓名', (p) => p.name], ['身份证号码', (p) => p.id_number],
      ['联系电话', (p) => p.phone], ['住址', (p) => p.address]], out.parties),
    h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, '打印'));
}

// 摘抄 of the parties: done at once when no approval is needed or one is granted; else
// the reason the node gives and the request form.
function copyButton(c, slot, done) {
  const copy = async (purpose) => {
    try {
      clear(slot, extract(await post('/api/v1/access/copy', { case_id: c.id, purpose })));
    } catch (err) {
      if (err.code !== 'approval_required') return toast(err.message, 'error');
      clear(slot, banner(err.message, 'warn'), requestForm(c, purpose, done));
    }
  };
  return h('button', { type: 'button', class: 'secondary', 'data-action': 'copy-parties', onclick: () => {
    if (currentPurpose()) copy(currentPurpose());
    else clear(slot, purposePicker(copy, '摘抄当事人信息须说明查阅目的：'));
  } }, '摘抄当事人信息');
}

// 归档导出 of a closed case: the archive the node makes once the export is recorded, saved
// as a file; a refusal for want of approval shows why and the request form (what: archive).
function archiveButton(c, slot, done) {
  const fetchArchive = async (purpose) => {
    const res = await fetch(`/api/v1/cases/${encodeURIComponent(c.id)}/archive?purpose=${encodeURIComponent(purpose)}`,
      { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      const err = new Error(body && body.error ? body.error.message : `归档导出失败（${res.status}）`);
      err.code = body && body.error ? body.error.code : '';
      throw err;
    }
    // The archive is made as it is sent: a failure midway resets the connection.
    return res.blob().catch(() => { throw new Error('归档导出中途中断（节点出错或连接断开），文件未保存'); });
  };
  const run = async (purpose) => {
    try {
      saveBlob(await fetchArchive(purpose), `archive-${c.id}.tar`);
      clear(slot);
      toast('归档文件已导出，本次导出已记入查阅记录');
      done();
    } catch (err) {
      if (err.code !== 'approval_required') return toast(err.message, 'error');
      clear(slot, banner(err.message, 'warn'), requestForm(c, purpose, done, 'archive', '申请归档导出'));
    }
  };
  return h('button', { type: 'button', class: 'secondary', 'data-action': 'archive', title: '导出本案卷宗（封面、文书、材料和签名链）', onclick: () => {
    if (currentPurpose()) run(currentPurpose());
    else clear(slot, purposePicker(run, '归档导出须说明查阅目的：'));
  } }, '归档导出');
}

// The case's 查阅记录 (for auditors) and 摘抄复印 (for the staff who may see parties).
export async function caseAccessSection(ctx, c, reload) {
  const audit = ctx.can('access.audit'), copy = ctx.can('case.parties');
  if (!audit && !copy) return null;
  const [log, reqs] = await Promise.all([
    audit ? get('/api/v1/access' + query({ case: c.id, limit: 50 })) : { access: [] },
    get('/api/v1/access/requests' + query({ case: c.id }))]);
  const slot = h('div', { class: 'action-slot' });
  return h('section', { class: 'card case-access', 'aria-label': '查阅记录' },
    h('h2', {}, '查阅记录与摘抄复印'),
    copy ? h('div', { class: 'buttons' }, copyButton(c, slot, reload),
      c.status === 'closed' ? archiveButton(c, slot, reload) : null) : null, slot,
    reqs.requests.length ? table(requestColumns(ctx, reload), reqs.requests.slice().reverse(), '', { class: 'access-requests' }) : null,
    audit ? table(ACCESS_COLUMNS, log.access, '本案暂无查阅记录', { class: 'access-log' }) : null);
}
