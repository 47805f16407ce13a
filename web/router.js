// router.js - hash routes: #/articles, #/article/ID, #/speakers,
// #/speaker/ID, each with optional ?query parameters, so that every page is
// served by index.html and is a link of its own.

let handler = () => {};

/** {name, id, params} of a hash such as "#/article/ID?quote=X"; null for "" and "#/". */
export function parseHash(hash) {
  const raw = hash.replace(/^#/, '');
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const query = cut < 0 ? '' : raw.slice(cut + 1);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return null;
  let decoded;
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    decoded = parts;
  }
  return { name: decoded[0], id: decoded.length > 1 ? decoded.slice(1).join('/') : null, extra: decoded.length > 2,
    params: new URLSearchParams(query) };
}

/** The hash of a route: hashFor('article', 'ID', {quote: 'Q'}) → "#/article/ID?quote=Q". */
export function hashFor(name, id = null, params = null) {
  const query = new URLSearchParams(params || {});
  for (const [key, value] of [...query]) if (value === '') query.delete(key);
  const qs = query.toString();
  return `#/${name}${id ? `/${encodeURIComponent(id)}` : ''}${qs ? `?${qs}` : ''}`;
}

/** Goes to a hash: a new history entry, or in place with replace (no entry). */
export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(history.state, '', hash);
    handler();
  } else if (location.hash === hash) {
    handler();
  } else {
    location.hash = hash;
  }
}

/** Calls fn now and at each change of the hash. */
export function startRouter(fn) {
  handler = fn;
  window.addEventListener('hashchange', () => handler());
  handler();
}
