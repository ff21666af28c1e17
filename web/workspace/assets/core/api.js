// The one way the workspace talks to /api/v1: same-origin cookies, the CSRF token on every
// change, the UI language in Accept-Language (the API localises its messages), If-Match for
// repair orders. Errors become ApiError with the API's code, message and field problems.
import { state } from './state.js';
import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body, response) {
    const err = (body && body.error) || {};
    super(err.message || t('error.generic', { status }));
    this.status = status;
    this.code = err.code || `http_${status}`;
    this.fields = Array.isArray(err.fields) ? err.fields : [];
    this.params = err.params && typeof err.params === 'object' ? err.params : null;
    this.retryAfter = response ? Number(response.headers.get('Retry-After')) || 0 : 0;
    this.handled = false;
  }
}

const listeners = { unauthorized: null, passwordRequired: null };

/** The app decides what a lost session or a pending password change means for the page. */
export function onAuthProblem(kind, fn) {
  listeners[kind] = fn;
}

/**
 * api('GET', '/repair-orders', {query}) → {data, version, status}.
 * `version` comes from the ETag header (quoted integer) when the answer has one.
 */
export async function api(method, path, { body, query, version, signal, auth = true } = {}) {
  let url = `/api/v1${path}`;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  const headers = { Accept: 'application/json', 'Accept-Language': state.lang };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  if (version !== undefined && version !== null) headers['If-Match'] = `"${version}"`;

  let response;
  try {
    response = await fetch(url, {
      method, headers, signal, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    const err = new ApiError(0, { error: { code: 'network', message: t('error.network') } });
    throw err;
  }
  let data = null;
  if (response.status !== 204) {
    const text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
  }
  if (!response.ok) {
    const err = new ApiError(response.status, data, response);
    if (auth && response.status === 401 && listeners.unauthorized) {
      err.handled = true;
      listeners.unauthorized(err);
    } else if (response.status === 403 && err.code === 'password_change_required' && listeners.passwordRequired) {
      err.handled = true;
      listeners.passwordRequired(err);
    }
    throw err;
  }
  const etag = response.headers.get('ETag');
  const m = etag && /^(?:W\/)?"(\d+)"$/.exec(etag);
  return { data, version: m ? Number(m[1]) : undefined, status: response.status };
}

export const get = (path, opts) => api('GET', path, opts).then((r) => r.data);
