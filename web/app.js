// The dashboard's shell: login, navigation (hash routes, so a page can be bookmarked and the back button works), and the
// live refresh: every REFRESH_MS the current page fetches its data again and re-renders it in place, no reload.
import { api, ApiError, authHeader, login, logout } from './api.js';
import { h, replace } from './dom.js';
import * as overview from './pages/overview.js';
import * as queues from './pages/queues.js';
import * as queue from './pages/queue.js';
import * as exchanges from './pages/exchanges.js';
import * as exchange from './pages/exchange.js';
import * as connections from './pages/connections.js';
import * as vhosts from './pages/vhosts.js';
import * as users from './pages/users.js';
import * as policies from './pages/policies.js';
import * as definitions from './pages/definitions.js';

const REFRESH_MS = 5000;

/** Hash routes: the first path segment picks the page, the rest (decoded) are its parameters. */
const PAGES = [
  { path: 'overview', label: 'Overview', page: overview },
  { path: 'queues', label: 'Queues', page: queues, detail: queue },
  { path: 'exchanges', label: 'Exchanges', page: exchanges, detail: exchange },
  { path: 'connections', label: 'Connections', page: connections },
  { path: 'vhosts', label: 'Vhosts', page: vhosts, admin: true },
  { path: 'users', label: 'Users', page: users, admin: true },
  { path: 'policies', label: 'Policies', page: policies, policymaker: true },
  { path: 'definitions', label: 'Definitions', page: definitions, admin: true },
];

const el = (id) => document.getElementById(id);

const state = { user: undefined, current: undefined, timer: undefined, inflight: undefined, again: undefined, refreshes: 0 };

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
  const entry = PAGES.find((p) => p.path === parts[0]) ?? PAGES[0];
  const params = parts.slice(1);
  return { entry, params, page: params.length > 0 && entry.detail !== undefined ? entry.detail : entry.page };
}

function showBanner(message) {
  const b = el('banner');
  b.textContent = message ?? '';
  b.hidden = message === undefined;
}

function showLogin(reason) {
  stop();
  state.user = undefined;
  el('nav').hidden = true;
  replace(el('who'));
  replace(el('page'));
  showBanner(undefined);
  const f = el('login');
  f.hidden = false;
  const err = el('login-error');
  err.textContent = reason ?? '';
  err.hidden = reason === undefined;
  el('login-user').focus();
}

function stop() {
  if (state.timer !== undefined) clearInterval(state.timer);
  state.timer = undefined;
  state.current = undefined;
}

/**
 * Fetches the current page's data and re-renders it. While one refresh runs, a call (an action that changed something)
 * waits for it and then runs once more, so what the action did is on screen when its promise resolves.
 */
function refresh() {
  if (state.inflight !== undefined) {
    state.again ??= state.inflight.then(() => {
      state.again = undefined;
      return refresh();
    });
    return state.again;
  }
  state.inflight = run().finally(() => {
    state.inflight = undefined;
  });
  return state.inflight;
}

async function run() {
  const current = state.current;
  if (current === undefined) return;
  try {
    await current.update();
    if (state.current !== current) return;
    state.refreshes += 1;
    showBanner(undefined);
    const stamp = el('refreshed');
    stamp.textContent = `Updated ${new Date().toLocaleTimeString('en-GB')} · every ${REFRESH_MS / 1000} s`;
    document.body.dataset.refreshes = String(state.refreshes);
  } catch (e) {
    // A failed login (the password changed, the user was deleted) ends the session; a refusal for a page this user's
    // tags do not allow ("not_authorised") is shown, and the user stays logged in.
    if (e instanceof ApiError && e.status === 401 && e.error !== 'not_authorised') {
      logout();
      showLogin(e.reason);
      return;
    }
    showBanner(e instanceof Error ? e.message : String(e));
  }
}

function renderNav(active) {
  const nav = el('nav');
  const tags = state.user.tags;
  const allowed = (p) => (!p.admin || tags.includes('administrator')) && (!p.policymaker || tags.includes('administrator') || tags.includes('policymaker'));
  replace(nav, h('ul', {}, PAGES.filter(allowed).map((p) => h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': p === active ? 'page' : undefined, text: p.label })))));
  nav.hidden = false;
}

function mount() {
  if (state.user === undefined) return;
  stop();
  const { entry, params, page } = route();
  renderNav(entry);
  const root = el('page');
  replace(root);
  document.title = `${page.title(params)} · Warren`;
  const ctx = {
    user: state.user,
    navigate: (hash) => {
      location.hash = hash;
    },
    refresh,
  };
  state.current = { update: page.mount(root, ctx, params) };
  void refresh();
  state.timer = setInterval(() => {
    if (!document.hidden && state.inflight === undefined) void refresh();
  }, REFRESH_MS);
}

async function start() {
  try {
    state.user = await api('GET', '/api/whoami');
  } catch (e) {
    logout();
    showLogin(e instanceof ApiError ? e.reason : String(e));
    return false;
  }
  el('login').hidden = true;
  replace(el('who'), h('span', { text: `${state.user.name} (${state.user.tags.join(', ') || 'no tags'})` }), ' ',
    h('button', { type: 'button', class: 'link', onclick: () => { logout(); showLogin(undefined); }, text: 'Log out' }));
  mount();
  el('main').focus();
  return true;
}

el('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  login(el('login-user').value, el('login-password').value);
  el('login-password').value = '';
  void start();
});
window.addEventListener('hashchange', () => {
  mount();
  el('main').focus();
});

if (authHeader() === null) showLogin(undefined);
else void start();
