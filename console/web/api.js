// api — the console's only way to the node: same-origin fetch of the JSON API (docs/api.md)
// with the session cookie, and the X-CSRF-Token header on every request that changes
// something. Errors come back as ApiError {status, code, field, message, errors}; an expired or
// missing session calls the handler the app registers (back to the login page).

export class ApiError extends Error {
  constructor(status, code, field, message, errors) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || '';
    this.errors = errors || [];  // every fault of a form, each {code, field, message}
  }
}

let csrf = '';
let onLoggedOut = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function whenLoggedOut(fn) { onLoggedOut = fn; }

// The API's {"error": {code, field, message}}, else (a proxy's page, no JSON) the status.
function errorOf(status, body) {
  const e = body && body.error;
  if (e && typeof e === 'object') return new ApiError(status, e.code, e.field, e.message, e.errors);
  return new ApiError(status, 'http_' + status, '', `服务器返回错误（${status}）`);
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '', '无法连接本节点服务，请检查 jiefend 是否在运行');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : {}; } catch { data = null; }
  if (res.ok) return data || {};
  const err = errorOf(res.status, data);
  if (res.status === 401 && !path.startsWith('/api/v1/session')) onLoggedOut(err);
  throw err;
}

// Sends a file as the raw body of a POST (XMLHttpRequest, for its upload progress):
// onProgress(sent, total) as the bytes go; resolves to the JSON answer, rejects an ApiError.
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('X-CSRF-Token', csrf);
    x.setRequestHeader('Content-Type', 'application/octet-stream');
    x.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(ev.loaded, ev.total); };
    x.onerror = () => reject(new ApiError(0, 'network', '', '上传中断：无法连接本节点服务'));
    x.onload = () => {
      let data = null;
      try { data = x.responseText ? JSON.parse(x.responseText) : {}; } catch { data = null; }
      if (x.status >= 200 && x.status < 300) return resolve(data || {});
      const err = errorOf(x.status, data);
      if (x.status === 401) onLoggedOut(err);
      reject(err);
    };
    x.send(file);
  });
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);

// A query string from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}
