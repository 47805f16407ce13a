// api.js - the only module that talks to the server: GET on the public
// v1 API, relative to the page, never throwing. Each call resolves to
//   {ok: true, status, body}                     on a 2xx JSON answer
//   {ok: false, status, problem: {title, detail}} otherwise: the server's
//     RFC 9457 problem details when it sent some, else one made here.

/** The URL of an API path with query parameters; empty values are left out. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && String(value) !== '') query.set(key, String(value));
  }
  const qs = query.toString();
  return `v1/${path}${qs ? `?${qs}` : ''}`;
}

/** GET an API path; see the module comment for what it resolves to. */
export async function get(path, params = {}, { signal } = {}) {
  const url = apiUrl(path, params);
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json, application/problem+json' }, signal });
  } catch (err) {
    if (err && err.name === 'AbortError') return { ok: false, aborted: true, status: 0, problem: { title: 'Cancelled', detail: '' } };
    return { ok: false, status: 0, problem: { title: 'The server cannot be reached', detail: String(err && err.message || err) } };
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    if (err && err.name === 'AbortError') return { ok: false, aborted: true, status: 0, problem: { title: 'Cancelled', detail: '' } };
    body = null;
  }
  if (response.ok && body && typeof body === 'object') return { ok: true, status: response.status, body };
  const problem = body && typeof body === 'object' && (body.title || body.detail)
    ? { title: String(body.title || `Error ${response.status}`), detail: String(body.detail || ''), type: body.type }
    : { title: response.ok ? 'Unreadable answer' : `Error ${response.status} ${response.statusText}`.trim(),
        detail: response.ok ? `${url} did not answer JSON` : `GET ${url}` };
  return { ok: false, status: response.status, problem };
}

const cache = new Map();

/** Like get, but keeps successful answers for the page's lifetime (the timeline). */
export async function getCached(path, params = {}) {
  const key = apiUrl(path, params);
  if (cache.has(key)) return cache.get(key);
  const result = await get(path, params);
  if (result.ok) cache.set(key, result);
  return result;
}
