// The management API as the dashboard calls it: basic auth from sessionStorage (gone when the tab closes), JSON in and
// out, and the API's own {error, reason} turned into an ApiError the page shows as it is.

const KEY = 'warren.dashboard.auth';

// RabbitMQ's API (and so Warren's) HTML-escapes some reasons (`&lt;&lt;"lots"&gt;&gt;`); the page shows them as text.
const ENTITIES = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };
const unescape = (text) => (typeof text === 'string' ? text.replace(/&(lt|gt|quot|#39|amp);/g, (e) => ENTITIES[e]) : text);

export class ApiError extends Error {
  constructor(status, error, rawReason) {
    const reason = unescape(rawReason);
    super(reason || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.reason = reason || error || `HTTP ${status}`;
  }
}

export function authHeader() {
  return sessionStorage.getItem(KEY);
}

export function login(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  sessionStorage.setItem(KEY, `Basic ${btoa(String.fromCharCode(...bytes))}`);
}

export function logout() {
  sessionStorage.removeItem(KEY);
}

/** `/api/queues/${enc(vhost)}/${enc(name)}`: every path segment percent-encoded, '/' included. */
export const enc = encodeURIComponent;

/** One API call; the parsed JSON body (undefined for an empty one); throws ApiError for any status >= 400. */
export async function api(method, path, body, headers = {}) {
  const init = { method, headers: { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest', ...headers }, cache: 'no-store' };
  const auth = authHeader();
  if (auth !== null) init.headers.authorization = auth;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body); // a string is a JSON document already
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const reason = parsed?.reason ?? (res.status === 401 ? 'Login failed' : text.slice(0, 200));
    throw new ApiError(res.status, parsed?.error ?? res.statusText, typeof reason === 'string' ? reason : JSON.stringify(reason));
  }
  return parsed;
}

export const get = (path) => api('GET', path);
